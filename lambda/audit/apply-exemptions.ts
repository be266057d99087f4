/**
 * The exemptions step: a new report with each exemption in force attached to the accounts it
 * covers (`AccountReport.exemption`; the verdict stays the real one), `summary.exempt` counting
 * the FAIL and ERROR accounts under one, `run.exemptions` listing those in force, and notes for
 * what could not be applied. Pure, given the OU membership (./ou-members.ts) and the clock.
 *
 * Safe by default: an account is exempt only when an exemption in force names its id, or names an
 * OU whose membership was read in this run and holds it. An OU that could not be read exempts
 * nobody (a note says so); an account id the listing does not have is a note (a typo, or an
 * account that left). An expired exemption exempts nobody: its accounts carry `exemptionExpired`
 * so the alert can say why they fail again. Direct account matches come before OU matches, then
 * the configured order.
 */
import { daysLeft, type Exemption } from '../exemptions';
import type { AccountExemption, AccountReport, AuditReport, ExemptionInForce } from '../report-format';
import type { OuMembers } from './ou-members';

/** The report with the exemptions applied: a new report, the input unchanged. */
export function applyExemptions(report: AuditReport, exemptions: Exemption[], ous: OuMembers, now: Date, warningDays: number): AuditReport {
  const active = exemptions.filter((e) => !e.expired);
  const expired = exemptions.filter((e) => e.expired);
  const accounts = report.accounts.map((a) => withExemption(a, coverOf(a.accountId, active, ous), coverOf(a.accountId, expired, ous)));
  const exempt = accounts.filter((a) => a.exemption && (a.status === 'FAIL' || a.status === 'ERROR')).length;
  return {
    ...report,
    run: {
      ...report.run,
      notes: [...report.run.notes, ...exemptionNotes(report, exemptions, ous)],
      exemptions: active.map((e) => inForce(e, now, warningDays)),
    },
    summary: { ...report.summary, exempt },
    accounts,
  };
}

/** The first exemption covering the account: by its id first, then through an OU that was read. */
function coverOf(accountId: string, list: Exemption[], ous: OuMembers): AccountExemption | undefined {
  const direct = list.find((e) => e.accounts.includes(accountId));
  if (direct) return carried(direct, 'account');
  for (const e of list) {
    const ou = e.ous.find((o) => !ous.failed.has(o) && ous.members.get(o)?.has(accountId) === true);
    if (ou) return carried(e, ou);
  }
  return undefined;
}

function carried(e: Exemption, via: string): AccountExemption {
  return { id: e.id, reason: e.reason, owner: e.owner, expires: e.expires, ...(e.ticket !== undefined ? { ticket: e.ticket } : {}), via };
}

/** The account with what covers it now; whatever it carried before is replaced (an input cannot smuggle an exemption in). SKIPPED accounts carry none. */
function withExemption(a: AccountReport, active: AccountExemption | undefined, expired: AccountExemption | undefined): AccountReport {
  const { exemption: _was, exemptionExpired: _wasExpired, ...rest } = a;
  if (a.status === 'SKIPPED') return rest;
  if (active) return { ...rest, exemption: active };
  if (expired) return { ...rest, exemptionExpired: expired };
  return rest;
}

function inForce(e: Exemption, now: Date, warningDays: number): ExemptionInForce {
  const left = daysLeft(e.expires, now);
  return {
    id: e.id,
    accounts: e.accounts,
    ous: e.ous,
    reason: e.reason,
    owner: e.owner,
    expires: e.expires,
    ...(e.ticket !== undefined ? { ticket: e.ticket } : {}),
    daysLeft: left,
    ...(left <= warningDays ? { expiringSoon: true as const } : {}),
  };
}

/** What could not be applied: expired exemptions, account ids the listing lacks, OUs not read. */
function exemptionNotes(report: AuditReport, exemptions: Exemption[], ous: OuMembers): string[] {
  const listed = new Set(report.accounts.map((a) => a.accountId));
  const notes: string[] = [];
  for (const e of exemptions) {
    if (e.expired) {
      notes.push(`exemption ${e.id} (owner ${e.owner}) expired on ${e.expires}: its accounts are no longer exempt; renew it with a later date or remove it`);
      continue;
    }
    const unknown = e.accounts.filter((id) => !listed.has(id));
    if (unknown.length) notes.push(`exemption ${e.id}: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among the accounts this run listed (a typo, or an account that left the organization); check the ids`);
    for (const ou of e.ous) {
      const why = ous.failed.get(ou) ?? (ous.members.has(ou) ? undefined : 'its membership was not looked up');
      if (why !== undefined) notes.push(`exemption ${e.id}: OU ${ou} could not be read (${why}); the exemption does not apply to the accounts under it this run, which are audited and alerted as usual`);
    }
  }
  return notes;
}
