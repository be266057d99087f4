/**
 * Does a trail's event selector configuration record all management events, read and write,
 * in one selector? (RULE.md, condition 3, and "Selectors that only look compliant".) Pure:
 * selectors in, coverage out.
 *
 * For management events AWS accepts, in one advanced selector, only `eventCategory Equals
 * [Management]`, `eventSource NotEquals` the two documented sources, and `readOnly`. Anything
 * else on a management selector narrows what it records, so the selector does not qualify
 * (FILTERED), whatever the mode. The check is an allow-list: a field or operator this file does
 * not know can never make a selector qualify.
 */
import type { AdvancedSelector, ClassicSelector, FieldSelector, ManagementCoverage, SelectorConfig } from './types';

export interface CoverageResult {
  coverage: ManagementCoverage;
  /**
   * For coverage ALL: the management event sources the qualifying selector leaves out (only
   * ever the documented exclusions, `EXCLUDABLE_SOURCES`). Empty when none.
   */
  excludedSources: string[];
  /** For FILTERED: the constraints that narrow the selector, as written, for the message. */
  filterDetail?: string;
  /** For FILTERED: true when the only narrowing is a readOnly constraint (its own wording). */
  filterOnReadOnly?: boolean;
}

export const OPERATORS = ['Equals', 'StartsWith', 'EndsWith', 'NotEquals', 'NotStartsWith', 'NotEndsWith'] as const;

/**
 * The only management event sources a trail may leave out and still qualify: the console's
 * "exclude AWS KMS events" and "exclude Amazon RDS Data API events". A warning (FAIL in strict mode).
 */
export const EXCLUDABLE_SOURCES: readonly string[] = ['kms.amazonaws.com', 'rdsdata.amazonaws.com'];

export function managementCoverage(config: SelectorConfig): CoverageResult {
  return combine(config.kind === 'classic' ? config.selectors.map(classicScope) : config.selectors.map(advancedScope));
}

/** What one selector records of management events. */
type SelectorScope =
  | { kind: 'ALL'; excludedSources: string[] }
  | { kind: 'READ' | 'WRITE' | 'NONE' }
  | { kind: 'FILTERED'; detail: string; onReadOnly: boolean };

const CLASSIC_KEYS: readonly string[] = ['ReadWriteType', 'IncludeManagementEvents', 'ExcludeManagementEventSources', 'DataResources'];
const FIELD_KEYS: readonly string[] = ['Field', ...OPERATORS];

function classicScope(selector: ClassicSelector): SelectorScope {
  const unknown = Object.keys(selector).filter((k) => !CLASSIC_KEYS.includes(k));
  if (unknown.length > 0) return { kind: 'FILTERED', detail: `keys CloudTrail does not document: ${JSON.stringify(unknown)}`, onReadOnly: false };
  // API defaults when a field is absent: IncludeManagementEvents true, ReadWriteType All.
  if (selector.IncludeManagementEvents === false) return { kind: 'NONE' };
  const excluded = [...new Set(selector.ExcludeManagementEventSources ?? [])];
  const beyond = excluded.filter((s) => !EXCLUDABLE_SOURCES.includes(s));
  if (beyond.length > 0) return { kind: 'FILTERED', detail: `ExcludeManagementEventSources ${JSON.stringify(beyond)}`, onReadOnly: false };
  const readWrite = selector.ReadWriteType ?? 'All';
  if (readWrite === 'All') return { kind: 'ALL', excludedSources: excluded };
  if (readWrite === 'ReadOnly') return { kind: 'READ' };
  if (readWrite === 'WriteOnly') return { kind: 'WRITE' };
  return { kind: 'FILTERED', detail: `ReadWriteType ${JSON.stringify(readWrite)}`, onReadOnly: false };
}

function advancedScope(selector: AdvancedSelector): SelectorScope {
  const fields = selector.FieldSelectors ?? [];
  const categories = fields.filter((f) => f.Field === 'eventCategory');
  // A selector that never names Management in eventCategory Equals selects other events only.
  if (!categories.some((f) => (f.Equals ?? []).includes('Management'))) return { kind: 'NONE' };

  const narrowing: FieldSelector[] = [];
  const readOnly: FieldSelector[] = [];
  const excluded: string[] = [];
  for (const f of fields) {
    if (Object.keys(f).some((k) => !FIELD_KEYS.includes(k))) {
      // An operator CloudTrail does not have (`NotEqual`, a look-alike `Equаls`): never read as harmless.
      narrowing.push(f);
    } else if (f.Field === 'eventCategory') {
      if (categories.length > 1 || !onlyOperator(f, 'Equals') || !sameSet(f.Equals ?? [], ['Management'])) narrowing.push(f);
    } else if (f.Field === 'eventSource') {
      const values = f.NotEquals ?? [];
      if (onlyOperator(f, 'NotEquals') && values.length > 0 && values.every((v) => EXCLUDABLE_SOURCES.includes(v))) excluded.push(...values);
      else narrowing.push(f);
    } else if (f.Field === 'readOnly') {
      readOnly.push(f);
    } else {
      // eventName, eventType, userIdentity.arn, resources.*, errorCode, a misspelled `readonly`, …
      narrowing.push(f);
    }
  }
  if (narrowing.length > 0) return { kind: 'FILTERED', detail: [...narrowing, ...readOnly].map(describeConstraint).join(' and '), onReadOnly: false };
  if (readOnly.length === 0) return { kind: 'ALL', excludedSources: [...new Set(excluded)] };
  // Any readOnly field selector disqualifies the selector (CIS: it must not appear at all). Read
  // the common single-value forms so the reason can say which half is missing.
  if (readOnly.length === 1) {
    const side = readOnlySide(readOnly[0]);
    if (side) return { kind: side };
  }
  return { kind: 'FILTERED', detail: readOnly.map(describeConstraint).join(' and '), onReadOnly: true };
}

/** The field selector uses `op`, and no other operator, with at least one value. */
function onlyOperator(f: FieldSelector, op: (typeof OPERATORS)[number]): boolean {
  return OPERATORS.every((o) => (o === op ? (f[o]?.length ?? 0) > 0 : f[o] === undefined));
}

function sameSet(a: string[], b: string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}

/** `readOnly Equals ["true"]` records reads only, and so on; anything else is not a clean half. */
function readOnlySide(f: FieldSelector): 'READ' | 'WRITE' | undefined {
  const used = OPERATORS.filter((op) => f[op] !== undefined);
  if (used.length !== 1) return undefined;
  const op = used[0];
  const values = f[op] ?? [];
  if (values.length !== 1) return undefined;
  const value = values[0];
  if (op === 'Equals') return value === 'true' ? 'READ' : value === 'false' ? 'WRITE' : undefined;
  if (op === 'NotEquals') return value === 'true' ? 'WRITE' : value === 'false' ? 'READ' : undefined;
  return undefined;
}

/** `eventName Equals ["ConsoleLogin"]`: the constraint as written (JSON, so nothing in it is read as markup). */
function describeConstraint(f: FieldSelector): string {
  const parts = Object.keys(f)
    .filter((k) => k !== 'Field')
    // A known operator as its name; anything else quoted, so a look-alike shows for what it is.
    .map((op) => `${OPERATORS.includes(op as never) ? op : JSON.stringify(op)} ${JSON.stringify((f as Record<string, unknown>)[op])}`);
  return `${JSON.stringify(f.Field ?? null)} ${parts.join(', ') || '(no operator)'}`;
}

/**
 * One selector must cover both reads and writes. When several selectors each cover one half,
 * coverage is SPLIT: it fails, with its own reason (RULE.md).
 */
function combine(scopes: SelectorScope[]): CoverageResult {
  const full = scopes.filter((s): s is Extract<SelectorScope, { kind: 'ALL' }> => s.kind === 'ALL');
  if (full.length > 0) {
    // Several qualifying selectors: the one leaving out the fewest sources decides.
    const best = full.reduce((a, b) => (b.excludedSources.length < a.excludedSources.length ? b : a));
    return { coverage: 'ALL', excludedSources: best.excludedSources };
  }
  const reads = scopes.some((s) => s.kind === 'READ');
  const writes = scopes.some((s) => s.kind === 'WRITE');
  if (reads && writes) return { coverage: 'SPLIT', excludedSources: [] };
  const filtered = scopes.find((s): s is Extract<SelectorScope, { kind: 'FILTERED' }> => s.kind === 'FILTERED');
  if (filtered) return { coverage: 'FILTERED', excludedSources: [], filterDetail: filtered.detail, filterOnReadOnly: filtered.onReadOnly };
  if (reads) return { coverage: 'READ_ONLY', excludedSources: [] };
  if (writes) return { coverage: 'WRITE_ONLY', excludedSources: [] };
  return { coverage: 'NONE', excludedSources: [] };
}
