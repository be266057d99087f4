/**
 * The Security Hub step: after the audit, each account's ASFF finding (channels/security-hub.ts)
 * is imported with `BatchImportFindings` **as that account** (Security Hub requires the caller to be
 * the finding's `AwsAccountId`), in the configured Security Hub region; findings of accounts that
 * left the organization or are now SKIPPED are sent ARCHIVED.
 *
 * It returns a new report: each account's finding record (`securityHubFinding`: the stable id and
 * CreatedAt the next run keeps), `run.securityHub` (counts, and the accounts where Security Hub is
 * not enabled), and one note per kind of failure. It never changes a verdict and never throws:
 * Security Hub not enabled, a denied, throttled or failed call, refused findings, missing
 * credentials are notes (and log warnings), and the run goes on.
 *
 * Pacing: accounts are imported a few at a time (`concurrency`); BatchImportFindings' quota is
 * 10 calls per second per account and region (burst 30), and each account makes one call per run
 * (at most 100 findings a call, and an account has one or two), spaced at least 100 ms apart if it
 * ever needs more. Throttled calls are retried by the run's retry strategy.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import type { Logger } from '../audit/run-types';
import { classifySecurityHubError, batches, type BatchImportOutput, type SecurityHubApi, type SecurityHubErrorKind } from '../aws/security-hub';
import { asffFindings, type AsffFinding } from '../channels/security-hub';
import { createPool } from '../concurrency';
import type { AccountReport, AuditReport, SecurityHubFindingRecord, SecurityHubRunInfo } from '../report-format';
import { displayText, truncateText } from '../report/display';

export interface ImportFindingsDeps {
  /** The previous run's report: each finding's CreatedAt, and the accounts to archive. */
  previous?: AuditReport;
  /** The account's credentials (`undefined`: the run's own, for the account the run is in); a rejection is noted. */
  credentialsFor: (accountId: string) => Promise<AwsCredentialIdentity | undefined>;
  clients: { securityHub(region: string, credentials?: AwsCredentialIdentity): SecurityHubApi };
  /** The Security Hub region. */
  region: string;
  log: Logger;
  now: () => Date;
  signal?: AbortSignal;
  /** Accounts imported at once (default 8). */
  concurrency?: number;
}

/** Least time between two calls of one account: BatchImportFindings' 10 per second per account and region. */
export const MIN_CALL_GAP_MS = 100;

type Outcome = { accountId: string; output?: BatchImportOutput; error?: { kind: SecurityHubErrorKind | 'no-credentials'; text: string } };

export async function importFindings(report: AuditReport, deps: ImportFindingsDeps): Promise<AuditReport> {
  try {
    const { findings, archived } = asffFindings(report, { region: deps.region, previous: deps.previous, now: deps.now() });
    const byAccount = groupByAccount([...findings, ...archived]);
    const pool = createPool(Math.max(1, deps.concurrency ?? 8));
    const outcomes = await Promise.all([...byAccount].map(([accountId, list]) => pool(() => importAccount(accountId, list, deps))));
    return withResults(report, deps, [...findings, ...archived], archived.length, outcomes);
  } catch (err) {
    // A bug here must not cost the run its report: say so, change nothing else.
    const text = oneLine(err instanceof Error ? err.message : String(err));
    deps.log.error('Security Hub import failed', { error: text });
    return { ...report, run: { ...report.run, notes: [...report.run.notes, `Security Hub findings were not imported: ${text}`] } };
  }
}

function groupByAccount(findings: AsffFinding[]): Map<string, AsffFinding[]> {
  const m = new Map<string, AsffFinding[]>();
  for (const f of findings) m.set(f.AwsAccountId, [...(m.get(f.AwsAccountId) ?? []), f]);
  return m;
}

async function importAccount(accountId: string, findings: AsffFinding[], deps: ImportFindingsDeps): Promise<Outcome> {
  let credentials: AwsCredentialIdentity | undefined;
  try {
    credentials = await deps.credentialsFor(accountId);
  } catch (err) {
    return { accountId, error: { kind: 'no-credentials', text: errorText(err) } };
  }
  const api = deps.clients.securityHub(deps.region, credentials);
  const total: BatchImportOutput = { SuccessCount: 0, FailedCount: 0, FailedFindings: [] };
  try {
    for (const [i, batch] of batches(findings).entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, MIN_CALL_GAP_MS));
      const out = await api.batchImportFindings(batch, { abortSignal: deps.signal });
      total.SuccessCount += out.SuccessCount;
      total.FailedCount += out.FailedCount;
      total.FailedFindings.push(...out.FailedFindings);
    }
    return { accountId, output: total };
  } catch (err) {
    return { accountId, output: total, error: { kind: classifySecurityHubError(err), text: errorText(err) } };
  }
}

function withResults(report: AuditReport, deps: ImportFindingsDeps, sent: AsffFinding[], archivedCount: number, outcomes: Outcome[]): AuditReport {
  const byAccount = new Map(outcomes.map((o) => [o.accountId, o]));
  const records = new Map<string, SecurityHubFindingRecord>();
  let imported = 0;
  for (const f of sent) {
    const o = byAccount.get(f.AwsAccountId);
    const refused = o?.output?.FailedFindings.find((x) => x.Id === f.Id);
    const error = refused ? `${refused.ErrorCode}: ${refused.ErrorMessage}` : o?.error?.text;
    const ok = error === undefined;
    if (ok) imported += 1;
    records.set(f.AwsAccountId, { id: f.Id, createdAt: f.CreatedAt, recordState: f.RecordState, imported: ok, ...(error ? { error: oneLine(error) } : {}) });
  }
  const accounts = report.accounts.map((a) => withRecord(a, records.get(a.accountId), deps.previous));
  const info: SecurityHubRunInfo = {
    region: deps.region,
    imported,
    failed: sent.length - imported,
    archived: archivedCount,
    notEnabled: outcomes.filter((o) => o.error?.kind === 'not-enabled').map((o) => o.accountId),
  };
  const notes = notesFor(outcomes, deps.region);
  for (const n of notes) deps.log.warn(n);
  deps.log.info('Security Hub findings imported', { ...info, notEnabled: info.notEnabled.length });
  return { ...report, accounts, run: { ...report.run, notes: [...report.run.notes, ...notes], securityHub: info } };
}

/** The account with this run's record; a SKIPPED one already archived keeps its record (and so its CreatedAt). */
function withRecord(a: AccountReport, record: SecurityHubFindingRecord | undefined, previous?: AuditReport): AccountReport {
  if (record) return { ...a, securityHubFinding: record };
  const kept = a.status === 'SKIPPED' ? previous?.accounts.find((p) => p.accountId === a.accountId)?.securityHubFinding : undefined;
  if (!kept) return a;
  const { error: _error, ...rest } = kept;
  return { ...a, securityHubFinding: { ...rest, imported: false } };
}

const WHAT: Record<SecurityHubErrorKind | 'no-credentials', (n: string, region: string) => string> = {
  'not-enabled': (n, region) => `Security Hub is not enabled in ${region} in ${n}: their findings were not imported (enable Security Hub there, docs/security-hub.md)`,
  denied: (n) => `BatchImportFindings was denied in ${n}: the audit role needs securityhub:BatchImportFindings on its product/<account>/default (update the member-roles StackSet, docs/security-hub.md)`,
  throttled: (n) => `Security Hub throttled BatchImportFindings in ${n} after retries: their findings are updated by the next run`,
  failed: (n) => `BatchImportFindings failed in ${n}`,
  'no-credentials': (n) => `No credentials to import the Security Hub findings of ${n}`,
};

/** One note per kind of failure, naming the accounts (the first 10) and the first error. */
function notesFor(outcomes: Outcome[], region: string): string[] {
  const notes: string[] = [];
  for (const kind of Object.keys(WHAT) as Array<keyof typeof WHAT>) {
    const hit = outcomes.filter((o) => o.error?.kind === kind);
    if (hit.length === 0) continue;
    const first = kind === 'not-enabled' ? '' : ` (first: ${hit[0].error?.text})`;
    notes.push(`${WHAT[kind](accountList(hit.map((o) => o.accountId)), region)}${first}.`);
  }
  const refused = outcomes.flatMap((o) => (o.output?.FailedFindings ?? []).map((f) => ({ accountId: o.accountId, f })));
  if (refused.length > 0) {
    const r = refused[0];
    notes.push(`Security Hub refused ${refused.length} finding${refused.length === 1 ? '' : 's'} (first: account ${r.accountId}, ${oneLine(`${r.f.ErrorCode}: ${r.f.ErrorMessage}`)}).`);
  }
  return notes;
}

function accountList(ids: string[]): string {
  const shown = ids.slice(0, 10).join(', ');
  return `${ids.length} account${ids.length === 1 ? '' : 's'} (${shown}${ids.length > 10 ? `, and ${ids.length - 10} more` : ''})`;
}

function errorText(err: unknown): string {
  const e = err as { name?: unknown; message?: unknown };
  const code = typeof e?.name === 'string' && e.name !== 'Error' ? e.name : 'Error';
  return oneLine(`${code}: ${typeof e?.message === 'string' ? e.message : String(err)}`);
}

/** AWS's text, made safe to show and kept short. */
function oneLine(s: string): string {
  return truncateText(displayText(s.replace(/\s+/g, ' ').trim()), 300);
}
