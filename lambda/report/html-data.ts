/**
 * The report as the HTML page's script reads it (report/html.ts): every text already shown safely
 * (displayText: control and bidirectional characters as visible escapes), and packed so that
 * 10,000 accounts stay a few MB: findings, trails and fix steps are written once and referred to
 * by index (an organization trail seen by every account is one entry), empty fields are left out,
 * keys are one letter. The JSON report itself stays the complete record; this is a view of it.
 *
 * Then written into the page as JSON that no character can break out of (`embedJson`).
 */
import { displayText } from './display';
import type { AccountExemption, AccountReport, AuditReport } from '../report-format';
import type { Finding, TrailVerdict } from '../rule/types';

/** A reason or warning: code, message, and the trail's ARN when it names one. */
export type PageFinding = [code: string, message: string, trailArn?: string];

export interface PageTrail {
  /** name, ARN, home region, owner account */
  n: string;
  a: string;
  r: string;
  o: string;
  /** Flags: `m` multi-region, `g` organization trail, `l` logging, `x` not logging (absent: not read). */
  f: string;
  /** Management events, details source, result. */
  me?: string;
  src?: string;
  res: string;
  /** Failures and warnings (indexes into `findings`). */
  fl?: number[];
  w?: number[];
  /** UNKNOWN: the call that failed, as one line. */
  err?: string;
}

/** An exemption as an account carries it: id, reason, owner, expires, ticket, via. */
export type PageExemption = [id: string, reason: string, owner: string, expires: string, ticket: string, via: string];

export interface PageAccount {
  /** Account id, name, status, Organizations state. */
  i: string;
  n?: string;
  s: string;
  st?: string;
  /** Index into `ous`, when the OU is known. */
  o?: number;
  /** Reasons and warnings (indexes into `findings`), trails (into `trails`), fix steps (into `steps`). */
  r?: number[];
  w?: number[];
  t?: number[];
  fx?: number[];
  /** The qualifying (PASS) or closest (FAIL) trail: a position in `t`. */
  q?: number;
  c?: number;
  /** The exemption in force, the one that expired (indexes into `exemptions`). */
  e?: number;
  ex?: number;
}

export interface PageData {
  findings: PageFinding[];
  trails: PageTrail[];
  /** Fix steps, multi-line ones kept in lines. */
  steps: string[];
  /** OU id and name. */
  ous: Array<[id: string, name: string]>;
  exemptions: PageExemption[];
  accounts: PageAccount[];
}

/** Values written once and referred to by index, deduplicated by content. */
class Table<T> {
  readonly items: T[] = [];
  private readonly index = new Map<string, number>();
  add(item: T): number {
    const key = JSON.stringify(item);
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.items.push(item) - 1;
      this.index.set(key, i);
    }
    return i;
  }
}

interface Tables {
  findings: Table<PageFinding>;
  trails: Table<PageTrail>;
  steps: Table<string>;
  ous: Table<[string, string]>;
  exemptions: Table<PageExemption>;
}

const show = (s: unknown): string => displayText(s === undefined || s === null ? '' : String(s));

export function pageData(report: AuditReport): PageData {
  const t: Tables = { findings: new Table(), trails: new Table(), steps: new Table(), ous: new Table(), exemptions: new Table() };
  const accounts = report.accounts.map((a) => pageAccount(a, t));
  return { findings: t.findings.items, trails: t.trails.items, steps: t.steps.items, ous: t.ous.items, exemptions: t.exemptions.items, accounts };
}

function pageAccount(a: AccountReport, t: Tables): PageAccount {
  const out: PageAccount = { i: show(a.accountId), s: show(a.status) };
  if (a.accountName) out.n = show(a.accountName);
  if (a.state) out.st = show(a.state);
  if (a.ouId) out.o = t.ous.add([show(a.ouId), show(a.ouName)]);
  const list = (key: 'r' | 'w' | 't' | 'fx', items: number[]) => {
    if (items.length) out[key] = items;
  };
  list('r', (a.reasons ?? []).map((f) => t.findings.add(pageFinding(f))));
  list('w', (a.warnings ?? []).map((f) => t.findings.add(pageFinding(f))));
  const trails = a.trails ?? [];
  list('t', trails.map((v) => t.trails.add(pageTrail(v, t.findings))));
  list('fx', (a.remediation ?? []).map((s) => t.steps.add(displayText(String(s), { multiline: true }))));
  const q = trails.findIndex((v) => a.qualifyingTrailArn !== undefined && v.arn === a.qualifyingTrailArn);
  const c = trails.findIndex((v) => a.closestTrailArn !== undefined && v.arn === a.closestTrailArn);
  if (q >= 0) out.q = q;
  if (c >= 0) out.c = c;
  if (a.exemption) out.e = t.exemptions.add(pageExemption(a.exemption));
  if (a.exemptionExpired) out.ex = t.exemptions.add(pageExemption(a.exemptionExpired));
  return out;
}

function pageFinding(f: Finding): PageFinding {
  return f.trailArn ? [show(f.code), show(f.message), show(f.trailArn)] : [show(f.code), show(f.message)];
}

function pageTrail(v: TrailVerdict, findings: Table<PageFinding>): PageTrail {
  const flags = `${v.isMultiRegionTrail ? 'm' : ''}${v.isOrganizationTrail ? 'g' : ''}${v.isLogging === true ? 'l' : v.isLogging === false ? 'x' : ''}`;
  const out: PageTrail = { n: show(v.name), a: show(v.arn), r: show(v.homeRegion), o: show(v.ownerAccountId), f: flags, res: show(v.result) };
  if (v.managementEvents) out.me = show(v.managementEvents);
  if (v.detailsSource) out.src = show(v.detailsSource);
  const failures = (v.failures ?? []).map((f) => findings.add(pageFinding(f)));
  const warnings = (v.warnings ?? []).map((f) => findings.add(pageFinding(f)));
  if (failures.length) out.fl = failures;
  if (warnings.length) out.w = warnings;
  if (v.error) out.err = show(`${v.error.call}: ${v.error.code}: ${v.error.message}`);
  return out;
}

function pageExemption(e: AccountExemption): PageExemption {
  return [show(e.id), show(e.reason), show(e.owner), show(e.expires), show(e.ticket), show(e.via)];
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` written as `\u003c`,
 * `\u003e`, `\u0026` (so neither `</script>` nor `<!--` can end or change the element), and
 * U+2028/U+2029 as escapes too. They only ever occur inside strings, so JSON.parse reads back
 * the same data.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
