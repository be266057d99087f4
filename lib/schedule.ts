/**
 * EventBridge Scheduler recurring expressions, validated field by field so a schedule that
 * Scheduler would refuse stops `cdk synth` with the field at fault, instead of failing the
 * deployment (or being mistaken for "runs less than daily" and asking for heartbeatHours).
 *
 * The syntax is AWS's (EventBridge "Cron expressions reference" and "rate expressions"):
 *   rate(value unit)   value ≥ 1; unit minute|hour|day for 1, minutes|hours|days otherwise
 *   cron(minutes hours day-of-month month day-of-week year)
 *     minutes 0-59, hours 0-23, year 1970-2199          , - * /
 *     day-of-month 1-31                                  , - * / ? L W   (L, LW, 15W)
 *     month 1-12 or JAN-DEC                              , - * /
 *     day-of-week 1-7 or SUN-SAT                         , - * ? L #     (L, 6L, 2#1)
 *   exactly one of day-of-month and day-of-week is ?, and # stands alone in its field.
 * Anything AWS does not document (lowercase names, ranges that wrap around, L-3) is refused:
 * a deployment that fails later costs more than rewriting the expression now.
 */
import { fail } from '../lambda/setting-kinds';

export interface ParsedSchedule {
  kind: 'rate' | 'cron';
  /** Upper bound of the time between two runs; undefined when the expression runs less than daily (or irregularly). */
  intervalMinutes?: number;
  /** intervalMinutes is the exact interval (rate expressions), not only an upper bound. */
  exact: boolean;
}

const EXPECTED = 'a recurring EventBridge Scheduler expression such as rate(1 day) or cron(0 6 * * ? *)';
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;

interface CronField {
  /** Plural, as the message says it: "whose hours are from 0 to 23". */
  readonly name: string;
  readonly position: string;
  readonly min: number;
  readonly max: number;
  /** Names of the values from `min` on (JAN = 1, SUN = 1). */
  readonly names?: readonly string[];
  /** The largest increment (`/n`). */
  readonly maxStep: number;
  /** The accepted forms, in words, for the error message. */
  readonly forms: string;
  /** A form only this field has (?, L, W, #), or undefined when `text` is not one. */
  readonly special?: (text: string, value: (v: string) => number) => true | undefined;
}

const LIST_FORMS = (example: string, values: string) => `${values}, a range (${example}), a list (separated by commas), an increment (such as 0/15 or */15) or *`;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly CronField[] = [
  { name: 'minutes', position: '1st', min: 0, max: 59, maxStep: 59, forms: LIST_FORMS('0-29', 'a number from 0 to 59') },
  { name: 'hours', position: '2nd', min: 0, max: 23, maxStep: 23, forms: LIST_FORMS('8-17', 'a number from 0 to 23') },
  {
    name: 'days of the month',
    position: '3rd',
    min: 1,
    max: 31,
    maxStep: 31,
    forms: `${LIST_FORMS('1-15', 'a number from 1 to 31')}, ? (any day: then day-of-week says which), L (the last day), LW (the last weekday) or 15W (the weekday nearest the 15th), alone`,
    special: (text, value) => {
      if (text === '?' || text === 'L' || text === 'LW') return true;
      const w = text.match(/^(\d+)W$/);
      if (w) return value(w[1]) >= 0 ? true : undefined;
      return undefined;
    },
  },
  { name: 'months', position: '4th', min: 1, max: 12, names: MONTHS, maxStep: 12, forms: LIST_FORMS('JAN-MAR', 'a number from 1 to 12 or JAN to DEC') },
  {
    name: 'days of the week',
    position: '5th',
    min: 1,
    max: 7,
    names: DAYS,
    maxStep: 7,
    forms: `${LIST_FORMS('MON-FRI', 'a number from 1 to 7 or SUN to SAT')}, ? (any day: then day-of-month says which), L (the last day of the week), 6L (the last Friday of the month) or 2#1 (the first Monday of the month), alone`,
    special: (text, value) => {
      if (text === '?' || text === 'L') return true;
      const last = text.match(/^([1-7]|[A-Z]{3})L$/);
      if (last) return value(last[1]) >= 0 ? true : undefined;
      const nth = text.match(/^([1-7]|[A-Z]{3})#(\d+)$/);
      if (nth && value(nth[1]) >= 0) return /^[1-5]$/.test(nth[2]) ? true : undefined;
      return undefined;
    },
  },
  { name: 'years', position: '6th', min: 1970, max: 2199, maxStep: 229, forms: LIST_FORMS('2026-2030', 'a number from 1970 to 2199') },
];

/** Validates an EventBridge Scheduler recurring expression and derives its interval. */
export function parseSchedule(key: string, expr: string): ParsedSchedule {
  if (/^at\(/.test(expr)) fail(key, `${EXPECTED}; a one-time at(...) schedule would audit only once`, expr);
  if (/^rate\(/.test(expr)) return parseRate(key, expr);
  const cron = expr.match(CRON);
  if (!cron) fail(key, EXPECTED, expr);
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) fail(key, `${EXPECTED}: cron takes six fields (minutes hours day-of-month month day-of-week year)`, expr);
  const [, hour, dom, month, dow, year] = fields;
  if ((dom === '?') === (dow === '?')) fail(key, `${EXPECTED}: exactly one of day-of-month and day-of-week must be ?`, expr);
  fields.forEach((text, i) => checkCronField(key, expr, FIELDS[i], text));
  const everyDay = (dom === '*' || dom === '?') && (dow === '*' || dow === '?') && month === '*' && year === '*';
  if (!everyDay) return { kind: 'cron', exact: false };
  // At least once a day; at least hourly when the hours field is '*'.
  return { kind: 'cron', intervalMinutes: hour === '*' ? 60 : 1440, exact: false };
}

function parseRate(key: string, expr: string): ParsedSchedule {
  const rate = expr.match(RATE);
  if (!rate) fail(key, `${EXPECTED}: rate takes a whole number and a unit, minute(s), hour(s) or day(s), separated by one space`, expr);
  const n = Number(rate[1]);
  const unit = rate[2];
  if (n < 1 || !Number.isSafeInteger(n)) fail(key, `${EXPECTED} with a positive whole number`, expr);
  if ((n === 1) !== !unit.endsWith('s')) fail(key, `${EXPECTED} (the unit is singular for 1 and plural otherwise: rate(1 day), rate(2 days))`, expr);
  const minutes = n * (unit.startsWith('minute') ? 1 : unit.startsWith('hour') ? 60 : 1440);
  return { kind: 'rate', intervalMinutes: minutes, exact: true };
}

/** Throws naming the field when `text` is not one of its forms or holds a value out of its range. */
function checkCronField(key: string, expr: string, field: CronField, text: string): void {
  const outOfRange: () => never = () => fail(key, `a cron expression whose ${field.name} are from ${field.min} to ${field.max}${field.names ? ` or ${field.names[0]} to ${field.names[field.names.length - 1]}` : ''}`, expr);
  const malformed: (why?: string) => never = (why = '') => fail(key, `a cron expression whose ${field.name} (the ${field.position} field) are written as ${field.forms}; "${text}" is not${why}`, expr);
  /** A value's number, or -1 when the text is not a value of this field; out of range throws. */
  const value = (v: string): number => {
    if (/^\d+$/.test(v)) {
      const n = Number(v);
      if (n < field.min || n > field.max) outOfRange();
      return n;
    }
    const named = field.names?.indexOf(v) ?? -1;
    return named < 0 ? -1 : field.min + named;
  };

  if (field.special) {
    if (field.special(text, value)) return;
    // ?, L, W and # stand alone: not inside a list, range or increment.
    if (/[?LW#]/.test(text.replace(/[A-Z]{3}/g, (n) => (field.names?.includes(n) ? '' : n)))) malformed();
  } else if (text === '?') {
    malformed(' (only day-of-month and day-of-week take ?)');
  }
  for (const item of text.split(',')) {
    const m = item.match(/^(?:(\*)|([0-9A-Z]+)(?:-([0-9A-Z]+))?)(?:\/(\d+))?$/);
    if (!m) malformed();
    const [, star, from, to, step] = m;
    if (star && text !== item) malformed(' (* stands alone)');
    if (!star) {
      const low = value(from);
      const high = to === undefined ? low : value(to);
      if (low < 0 || high < 0) malformed();
      if (high < low) malformed(` (a range goes from low to high: write ${from}-${field.names?.[field.max - field.min] ?? field.max},${field.names?.[0] ?? field.min}-${to} for one that wraps around)`);
    }
    if (step !== undefined && (Number(step) < 1 || Number(step) > field.maxStep)) malformed(` (an increment is from 1 to ${field.maxStep})`);
  }
}
