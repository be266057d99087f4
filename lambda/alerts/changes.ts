/**
 * What changed since the previous run: the previous report is the state. Pure functions.
 *
 * Per account (matched by id): newly FAIL, newly ERROR, resolved (FAIL or ERROR before, PASS now),
 * or still failing (FAIL or ERROR both times). Accounts that became SKIPPED or left the
 * organization are not "resolved": nobody fixed them, they are simply no longer audited.
 */
import type { AccountReport, AuditReport } from '../report-format';
import type { AccountStatus, Finding } from '../rule/types';

export type ChangeKind = 'new-fail' | 'new-error' | 'resolved' | 'still-failing';

/** Every change kind, in the order messages list them (most urgent first). */
export const CHANGE_KINDS: readonly ChangeKind[] = ['new-error', 'new-fail', 'resolved', 'still-failing'];

export interface AccountChange {
  change: ChangeKind;
  /** The status in the previous report; absent when the account was not in it (or there was none). */
  previousStatus?: AccountStatus;
  account: AccountReport;
}

export interface Comparison {
  /** The previous run compared with; absent on a first run (no readable previous report). */
  baseline?: { runId: string; finishedAt: string };
  /** Accounts failing now or resolved since the baseline, most urgent first (CHANGE_KINDS order, ERROR before FAIL, report order). */
  accounts: AccountChange[];
  /** Run errors whose code the previous run did not have (every run error on a first run). */
  newRunErrors: Finding[];
}

const failing = (s: AccountStatus | undefined) => s === 'FAIL' || s === 'ERROR';

export function compareReports(previous: AuditReport | undefined, current: AuditReport): Comparison {
  const before = new Map<string, AccountStatus>();
  for (const a of previous?.accounts ?? []) before.set(a.accountId, a.status);
  const out: AccountChange[] = [];
  for (const account of current.accounts) {
    const was = before.get(account.accountId);
    const previousStatus = was === undefined ? {} : { previousStatus: was };
    if (account.status === 'FAIL') out.push({ change: was === 'FAIL' ? 'still-failing' : 'new-fail', ...previousStatus, account });
    else if (account.status === 'ERROR') out.push({ change: was === 'ERROR' ? 'still-failing' : 'new-error', ...previousStatus, account });
    else if (account.status === 'PASS' && failing(was)) out.push({ change: 'resolved', ...previousStatus, account });
  }
  const rank = (c: AccountChange) => CHANGE_KINDS.indexOf(c.change) * 2 + (c.account.status === 'ERROR' ? 0 : 1);
  // Array.prototype.sort is stable: report order within a group.
  out.sort((a, b) => rank(a) - rank(b));
  const previousCodes = new Set((previous?.run.errors ?? []).map((e) => e.code));
  return {
    ...(previous ? { baseline: { runId: previous.run.id, finishedAt: previous.run.finishedAt } } : {}),
    accounts: out,
    newRunErrors: current.run.errors.filter((e) => !previousCodes.has(e.code)),
  };
}

export function countChanges(accounts: AccountChange[]): Record<ChangeKind, number> {
  const counts: Record<ChangeKind, number> = { 'new-fail': 0, 'new-error': 0, resolved: 0, 'still-failing': 0 };
  for (const a of accounts) counts[a.change] += 1;
  return counts;
}
