/**
 * What every run must keep, whatever fails: each account ListAccounts returned is reported exactly
 * once; PASS/FAIL only on complete evidence, ERROR otherwise with the failing call and the error
 * code; the run ends by its deadline. Shared by the fault matrix (jest) and the soak script (plain
 * Node), so it reports violations as strings instead of calling `expect`.
 */
import type { AccountReport, AuditReport } from '../../lambda/report-format';
import type { Scenario } from '../../simulator/scenario-types';

/** How much later than its deadline a run may end: the report is built after the last account. */
export const DEADLINE_SLACK_MS = 1000;

export interface InvariantOptions {
  /** Epoch ms the run was given; checked against `endedAt` (default: now). */
  deadline?: number;
  endedAt?: number;
  /**
   * The accounts ListAccounts actually returned, when that is not every listed account of the
   * scenario (a listing that failed part-way, malformed entries, Organizations unavailable).
   */
  listed?: string[];
}

/** A call named as the report names it (`cloudtrail:GetTrailStatus`), or the AssumeRole sentence. */
const NAMED_CALL = /\b(sts|cloudtrail|organizations):[A-Z][A-Za-z]+\b|Could not assume arn:[\w-]+:iam::\d{12}:role\/|reached its deadline/;
/** The `<call> failed: <Code>: <message>` / `Could not assume <arn>: <Code>: <message>` shapes. */
const CODE_AFTER_CALL = /(?:failed|role\/[\w+=,.@-]+): ([A-Za-z][\w.]*):/;

export function invariantViolations(report: AuditReport, scenario: Scenario, options: InvariantOptions = {}): string[] {
  const problems: string[] = [];
  const ids = report.accounts.map((a) => a.accountId);
  const listed = options.listed ?? scenario.accounts.filter((a) => a.listed !== false).map((a) => a.id);

  // Exactly once.
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const [id, n] of counts) if (n > 1) problems.push(`account ${id} is reported ${n} times`);
  for (const id of listed) if (!counts.has(id)) problems.push(`account ${id} was listed but is not in the report`);
  for (const id of counts.keys()) if (!listed.includes(id)) problems.push(`account ${id} is in the report but was not listed`);
  if (report.summary.total !== report.accounts.length) problems.push(`summary.total ${report.summary.total} != ${report.accounts.length} accounts`);

  for (const a of report.accounts) problems.push(...accountViolations(a).map((p) => `account ${a.accountId} (${a.status}): ${p}`));

  if (options.deadline !== undefined) {
    const end = options.endedAt ?? Date.now();
    if (end > options.deadline + DEADLINE_SLACK_MS) problems.push(`the run ended ${end - options.deadline} ms after its deadline`);
  }
  return problems;
}

/** PASS/FAIL only on complete evidence; ERROR names the failing call and the code. */
export function accountViolations(a: AccountReport): string[] {
  const problems: string[] = [];
  const multiRegion = a.trails.filter((t) => t.isMultiRegionTrail);
  switch (a.status) {
    case 'PASS': {
      const q = a.trails.find((t) => t.arn === a.qualifyingTrailArn);
      if (!q) problems.push(`PASS without its qualifying trail ${a.qualifyingTrailArn} among the trails`);
      else if (q.result !== 'QUALIFIES' || q.isLogging !== true || q.managementEvents !== 'ALL' || !q.isMultiRegionTrail) {
        problems.push(`PASS through ${q.arn}, whose evidence is incomplete or failing (${JSON.stringify({ result: q.result, isLogging: q.isLogging, managementEvents: q.managementEvents })})`);
      }
      if (a.reasons.length > 0) problems.push('PASS with reasons');
      break;
    }
    case 'FAIL':
      if (a.reasons.length === 0) problems.push('FAIL without a reason');
      for (const t of multiRegion) {
        if (t.result === 'UNKNOWN' || t.isLogging === undefined || t.managementEvents === undefined) {
          problems.push(`FAIL although multi-region trail ${t.arn} was not fully read (${t.error?.call ?? 'details missing'})`);
        }
      }
      break;
    case 'ERROR':
      if (a.reasons.length === 0) problems.push('ERROR without a reason');
      for (const r of a.reasons) {
        if (!NAMED_CALL.test(r.message)) problems.push(`ERROR reason ${r.code} does not name the failing call: ${r.message}`);
        if (r.code !== 'TIMEOUT' && r.code !== 'INTERNAL_ERROR' && !CODE_AFTER_CALL.test(r.message)) problems.push(`ERROR reason ${r.code} carries no error code: ${r.message}`);
      }
      break;
    case 'SKIPPED':
      if (a.reasons.length === 0) problems.push('SKIPPED without a reason');
      break;
  }
  return problems;
}

/** The jest form: fails with every violation listed. */
export function expectInvariants(report: AuditReport, scenario: Scenario, options: InvariantOptions = {}): void {
  expect(invariantViolations(report, scenario, options)).toEqual([]);
}

/** The error code in an ERROR reason (`... failed: ThrottlingException: ...`), for row-specific checks. */
export function reasonCode(message: string): string | undefined {
  return CODE_AFTER_CALL.exec(message)?.[1];
}

/** Fails each test of the file after which a promise rejection went unhandled. */
export function expectNoUnhandledRejections(): void {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  beforeAll(() => process.on('unhandledRejection', onUnhandled));
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
  });
  afterEach(() => expect(unhandled).toEqual([]));
}
