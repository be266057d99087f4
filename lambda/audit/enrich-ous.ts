/**
 * Enrich: the OU of each account needing attention, so the alert can be routed by people who
 * think in OUs. A step after the report is assembled, run by the Lambda and the CLI alike: it
 * takes a report and returns a new one (the input is not changed). Best effort, within a time
 * budget: an account whose OU could not be read is shown without it, and a note says so. The OU
 * never decides a verdict.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { lookUpOus, OU_LOOKUP_DEFAULTS, type OuLookup } from '../aws/ous';
import type { AccountReport, AuditReport } from '../report-format';
import { silentLogger, type Logger } from './run-types';

/** The OU look-ups never take longer than this: they only help route the alert. */
export const OU_LOOKUP_MAX_MS = 5_000;
/** With less than this for them, the look-ups are not started. */
export const OU_LOOKUP_MIN_MS = 250;

/**
 * The time the OU look-ups may take, out of what the run has left once the audit is done. Three
 * steps follow them one after another (the archive's write and read in parallel, the publish, the
 * pointer), so the look-ups get a quarter of what is left, at most 5 s, and each later step as
 * much again: everything after the audit fits in the time the run has left.
 */
export function ouLookupBudgetMs(remainingMs: number): number {
  return Math.max(0, Math.min(OU_LOOKUP_MAX_MS, Math.floor(remainingMs / 4)));
}

export interface EnrichDeps {
  organizations: Pick<OrganizationsClient, 'send'>;
  /** How long the look-ups may take, e.g. `ouLookupBudgetMs(time left)`. */
  budgetMs: number;
  /** Who is short of time, in the note when the look-ups are not started ("the function"). */
  runner?: string;
  log?: Logger;
}

const needsOu = (a: AccountReport) => (a.status === 'FAIL' || a.status === 'ERROR') && !a.ouId;

/** The report with the OU of each account needing attention, and a note when some are missing. */
export async function enrichOus(report: AuditReport, deps: EnrichDeps): Promise<AuditReport> {
  const log = deps.log ?? silentLogger;
  const needing = report.run.organization.available ? report.accounts.filter(needsOu).map((a) => a.accountId) : [];
  if (needing.length === 0) return report;
  if (deps.budgetMs < OU_LOOKUP_MIN_MS) {
    log.warn('OU look-ups skipped: too little time left', { wanted: needing.length, budgetMs: deps.budgetMs });
    return withNote(report, `The OU is not shown for the ${needing.length} accounts needing attention: ${deps.runner ?? 'the function'} had too little time left to look it up (${deps.budgetMs} ms).`);
  }
  const budget = AbortSignal.timeout(deps.budgetMs);
  const found = await lookUpOus(deps.organizations, needing, OU_LOOKUP_DEFAULTS, budget);
  const enriched = { ...report, accounts: report.accounts.map((a) => withOu(a, found)) };
  if (found.failed === 0 && found.skipped === 0) return enriched;
  log.warn('OU look-ups incomplete', { resolved: found.ous.size, wanted: needing.length, skipped: found.skipped, failed: found.failed, firstError: found.firstError });
  return withNote(enriched, incompleteNote(found, needing.length, budget.aborted, deps.budgetMs));
}

function withOu(account: AccountReport, found: OuLookup): AccountReport {
  const ou = found.ous.get(account.accountId);
  return ou ? { ...account, ouId: ou.id, ...(ou.name ? { ouName: ou.name } : {}) } : account;
}

function withNote(report: AuditReport, note: string): AuditReport {
  return { ...report, run: { ...report.run, notes: [...report.run.notes, note] } };
}

function incompleteNote(found: OuLookup, wanted: number, timedOut: boolean, budgetMs: number): string {
  const failed = timedOut ? `the time left for looking it up (${budgetMs} ms) ran out` : found.firstError ? `look-ups failed (${found.firstError})` : '';
  const why = [found.skipped ? `${found.skipped} beyond the cap of ${OU_LOOKUP_DEFAULTS.maxAccounts}` : '', failed].filter(Boolean).join('; ');
  return `The OU is shown for ${found.ous.size} of the ${wanted} accounts needing attention: ${why}.`;
}
