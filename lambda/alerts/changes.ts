/**
 * What changed since the previous run: the previous report is the state. Pure functions.
 *
 * Per account (matched by id): newly FAIL, newly ERROR, resolved (FAIL or ERROR before, PASS now),
 * or still failing (FAIL or ERROR both times). Accounts that became SKIPPED or left the
 * organization are not "resolved": nobody fixed them, they are simply no longer audited.
 *
 * Exemptions (audit/apply-exemptions.ts): a FAIL or ERROR account under an exemption in force is
 * no change at all (it is counted in `exemptions.exemptFailing`); one that was exempt in the
 * previous report and is not now (the exemption expired, or was removed) is newly failing,
 * whatever its status was, and carries `previousExemption`. An exempt account that passes is
 * listed in `exemptions.unneeded`.
 */
import type { AccountExemption, AccountReport, AuditReport, ExemptionInForce } from '../report-format';
import type { AccountStatus, Finding } from '../rule/types';

export type ChangeKind = 'new-fail' | 'new-error' | 'resolved' | 'still-failing';

/** Every change kind, in the order messages list them (most urgent first). */
export const CHANGE_KINDS: readonly ChangeKind[] = ['new-error', 'new-fail', 'resolved', 'still-failing'];

export interface AccountChange {
  change: ChangeKind;
  /** The status in the previous report; absent when the account was not in it (or there was none). */
  previousStatus?: AccountStatus;
  account: AccountReport;
  /** The exemption the account had in the previous report, when it has none now: why it fails "newly". */
  previousExemption?: AccountExemption;
}

export interface ExemptionChanges {
  /** Exemptions in force ending within the warning days (`run.exemptions` marked expiringSoon). */
  expiring: ExemptionInForce[];
  /** Ids of those the previous report did not mark expiring yet (a change: `changes` mode sends for it). */
  newlyExpiring: string[];
  /** Exempt accounts that pass: the exemption is no longer needed; `newly` when it was not so in the previous report. */
  unneeded: Array<{ account: AccountReport; newly: boolean }>;
  /** FAIL and ERROR accounts under an exemption in force: not alerted as failing. */
  exemptFailing: number;
}

export interface Comparison {
  /** The previous run compared with; absent on a first run (no readable previous report). */
  baseline?: { runId: string; finishedAt: string };
  /** Accounts failing now or resolved since the baseline, most urgent first (CHANGE_KINDS order, ERROR before FAIL, report order). */
  accounts: AccountChange[];
  /** Run errors whose code the previous run did not have (every run error on a first run). */
  newRunErrors: Finding[];
  exemptions: ExemptionChanges;
}

const failing = (s: AccountStatus | undefined) => s === 'FAIL' || s === 'ERROR';

export function compareReports(previous: AuditReport | undefined, current: AuditReport): Comparison {
  const before = new Map<string, AccountReport>();
  for (const a of previous?.accounts ?? []) before.set(a.accountId, a);
  const out: AccountChange[] = [];
  for (const account of current.accounts) {
    if (account.exemption && failing(account.status)) continue;
    const prev = before.get(account.accountId);
    const was = prev?.status;
    // Exempt then, not now: its failure is news, whatever the status was.
    const ended = prev?.exemption && !account.exemption ? { previousExemption: prev.exemption } : {};
    const wasFailing = failing(was) && !prev?.exemption;
    const previousStatus = { ...(was === undefined ? {} : { previousStatus: was }), ...ended };
    if (account.status === 'FAIL') out.push({ change: was === 'FAIL' && wasFailing ? 'still-failing' : 'new-fail', ...previousStatus, account });
    else if (account.status === 'ERROR') out.push({ change: was === 'ERROR' && wasFailing ? 'still-failing' : 'new-error', ...previousStatus, account });
    else if (account.status === 'PASS' && wasFailing) out.push({ change: 'resolved', ...previousStatus, account });
  }
  const rank = (c: AccountChange) => CHANGE_KINDS.indexOf(c.change) * 2 + (c.account.status === 'ERROR' ? 0 : 1);
  // Array.prototype.sort is stable: report order within a group.
  out.sort((a, b) => rank(a) - rank(b));
  const previousCodes = new Set((previous?.run.errors ?? []).map((e) => e.code));
  return {
    ...(previous ? { baseline: { runId: previous.run.id, finishedAt: previous.run.finishedAt } } : {}),
    accounts: out,
    newRunErrors: current.run.errors.filter((e) => !previousCodes.has(e.code)),
    exemptions: compareExemptions(previous, current, before),
  };
}

function compareExemptions(previous: AuditReport | undefined, current: AuditReport, before: Map<string, AccountReport>): ExemptionChanges {
  const expiring = (current.run.exemptions ?? []).filter((e) => e.expiringSoon);
  const warned = new Set((previous?.run.exemptions ?? []).filter((e) => e.expiringSoon).map((e) => `${e.id} ${e.expires}`));
  const unneeded = current.accounts
    .filter((a) => a.exemption && a.status === 'PASS')
    .map((account) => {
      const prev = before.get(account.accountId);
      return { account, newly: !(prev && prev.status === 'PASS' && prev.exemption?.id === account.exemption?.id) };
    });
  return {
    expiring,
    newlyExpiring: expiring.filter((e) => !warned.has(`${e.id} ${e.expires}`)).map((e) => e.id),
    unneeded,
    exemptFailing: current.accounts.filter((a) => a.exemption && failing(a.status)).length,
  };
}

export function countChanges(accounts: AccountChange[]): Record<ChangeKind, number> {
  const counts: Record<ChangeKind, number> = { 'new-fail': 0, 'new-error': 0, resolved: 0, 'still-failing': 0 };
  for (const a of accounts) counts[a.change] += 1;
  return counts;
}
