/** What the alert says about exemptions: exempt failures are not alerted, expiring ones are named, expired ones alert as newly failing, unneeded ones are reported. */
import { applyExemptions } from '../../lambda/audit/apply-exemptions';
import type { OuMembers } from '../../lambda/audit/ou-members';
import { compareReports } from '../../lambda/alerts/changes';
import { buildAlertDocument } from '../../lambda/alerts/document';
import { planAlert, type PlanInput } from '../../lambda/alerts/plan';
import { renderAlertJson } from '../../lambda/channels/alert-json';
import { buildChatbotNotification } from '../../lambda/channels/chatbot';
import { renderEmailText } from '../../lambda/channels/email';
import { parseExemptions } from '../../lambda/exemptions';
import type { AccountReport, AuditReport } from '../../lambda/report-format';
import { account, accountId, report } from '../unit/report-fixtures';

const A = accountId(1);
const B = accountId(2);
const DAY1 = new Date('2026-03-01T12:00:00Z');
const NO_OUS: OuMembers = { members: new Map(), failed: new Map() };

/** A run's report at `now` with the exemptions applied, as the pipeline would produce it. */
function run(accounts: AccountReport[], items: object[], now: Date, ous: OuMembers = NO_OUS): AuditReport {
  const list = parseExemptions(
    items.map((e) => ({ reason: 'sandbox', owner: 'platform@example.com', ...e })),
    'exemptions',
    { now, maxDays: 365, atSynth: false },
  );
  const r = report(accounts);
  return applyExemptions({ ...r, run: { ...r.run, id: now.toISOString(), finishedAt: now.toISOString() } }, list, ous, now, 14);
}
const plan = (current: AuditReport, previous: AuditReport | undefined, now: Date, extra: Partial<PlanInput> = {}) =>
  planAlert({ mode: 'changes', reminderDays: 7, publishOnPass: false, current, now, ...(previous ? { previous: { report: previous, lastReminderAt: previous.run.finishedAt } } : {}), ...extra });
const email = (current: AuditReport, p: ReturnType<typeof plan>) => renderEmailText(buildAlertDocument(current, p));

test('an exempt failing account is not alerted as failing: a first run with only it sends nothing', () => {
  const r = run([account(A, 'FAIL'), account(B, 'PASS')], [{ id: 'sandbox', accounts: [A], expires: '2026-06-30' }], DAY1);
  const p = plan(r, undefined, DAY1);
  expect(p.accounts).toEqual([]);
  expect(p.send).toBe(false);
  expect(p.comparison.exemptions.exemptFailing).toBe(1);
});

test('exemption for A never silences B', () => {
  const r = run([account(A, 'FAIL'), account(B, 'FAIL')], [{ accounts: [A], expires: '2026-06-30' }], DAY1);
  const p = plan(r, undefined, DAY1);
  expect(p.send).toBe(true);
  expect(p.accounts.map((c) => [c.account.accountId, c.change])).toEqual([[B, 'new-fail']]);
  expect(email(r, p)).toMatch(/1 failing account under an exemption in force is not listed/);
});

test('not still-failing in reminders either', () => {
  const items = [{ accounts: [A], expires: '2026-06-30' }];
  const day0 = run([account(A, 'FAIL'), account(B, 'FAIL')], items, DAY1);
  const later = new Date('2026-03-09T12:00:00Z');
  const p = plan(run([account(A, 'FAIL'), account(B, 'FAIL')], items, later), day0, later);
  expect(p.kind).toBe('reminder');
  expect(p.accounts.map((c) => [c.account.accountId, c.change])).toEqual([[B, 'still-failing']]);
  expect(p.counts['still-failing']).toBe(1);
});

test('an exemption expiring within the warning days is named, and sends once when it enters them', () => {
  const items = [{ id: 'sandbox', accounts: [A], expires: '2026-03-20', ticket: 'SEC-9' }];
  const before = new Date('2026-03-05T12:00:00Z');
  const enters = new Date('2026-03-06T12:00:00Z');
  const r0 = run([account(A, 'FAIL')], items, before);
  expect(r0.run.exemptions?.[0].expiringSoon).toBeUndefined();
  const r1 = run([account(A, 'FAIL')], items, enters);
  const p1 = plan(r1, r0, enters);
  expect(p1.send).toBe(true);
  expect(p1.comparison.exemptions.newlyExpiring).toEqual(['sandbox']);
  const text = email(r1, p1);
  expect(text).toContain('== Exemptions expiring (1) ==');
  expect(text).toContain('- sandbox (owner platform@example.com, until 2026-03-20, ticket SEC-9): sandbox; 14 days left');
  const json = renderAlertJson(buildAlertDocument(r1, p1));
  expect(json.exemptions?.expiring.map((e) => e.id)).toEqual(['sandbox']);
  expect(buildChatbotNotification(json, 'subject').content.description).toContain('Exemptions expiring (1):');
  // The next day nothing new: no message in changes mode.
  const next = new Date('2026-03-07T12:00:00Z');
  expect(plan(run([account(A, 'FAIL')], items, next), r1, next).send).toBe(false);
});

test('an expired exemption: the account alerts as newly failing, saying the exemption expired (owner, expiry)', () => {
  const items = [{ id: 'sandbox', accounts: [A], expires: '2026-03-01' }];
  const lastDay = run([account(A, 'FAIL')], items, new Date('2026-03-01T23:59:59Z'));
  expect(lastDay.accounts[0].exemption).toBeDefined();
  const after = new Date('2026-03-02T00:00:30Z');
  const r = run([account(A, 'FAIL')], items, after);
  const p = plan(r, lastDay, after);
  expect(p.send).toBe(true);
  expect(p.accounts.map((c) => [c.account.accountId, c.change, c.previousStatus])).toEqual([[A, 'new-fail', 'FAIL']]);
  const text = email(r, p);
  expect(text).toContain('== Newly failing (1) ==');
  expect(text).toContain('Exemption sandbox expired on 2026-03-01 (owner platform@example.com): no longer exempt.');
  expect(text).toContain(r.run.notes[0]);
});

test('an exemption that no longer applies (its OU could not be read) alerts the account as newly failing too', () => {
  const ou = 'ou-ab12-prod0000';
  const items = [{ id: 'prod', ous: [ou], expires: '2026-06-30' }];
  const r0 = run([account(A, 'FAIL')], items, DAY1, { members: new Map([[ou, new Set([A])]]), failed: new Map() });
  const r1 = run([account(A, 'FAIL')], items, DAY1, { members: new Map(), failed: new Map([[ou, 'AccessDenied']]) });
  const p = plan(r1, r0, DAY1);
  expect(p.accounts.map((c) => c.change)).toEqual(['new-fail']);
  expect(email(r1, p)).toContain('Exemption prod (owner platform@example.com) no longer applies (removed, or its OU could not be read): no longer exempt.');
});

test('an exempt account that now passes is reported as "exemption no longer needed", once', () => {
  const items = [{ id: 'sandbox', accounts: [A], expires: '2026-06-30' }];
  const r0 = run([account(A, 'FAIL')], items, DAY1);
  const day2 = new Date('2026-03-02T12:00:00Z');
  const r1 = run([account(A, 'PASS')], items, day2);
  const p = plan(r1, r0, day2);
  expect(p.send).toBe(true);
  // Not "resolved": it was not alerted as failing.
  expect(p.accounts).toEqual([]);
  const text = email(r1, p);
  expect(text).toContain('== Exemption no longer needed (now PASS) (1) ==');
  expect(text).toContain(`- ${A} (acct-${A}) passes: exemption sandbox (owner platform@example.com, until 2026-06-30): sandbox`);
  const day3 = new Date('2026-03-03T12:00:00Z');
  expect(plan(run([account(A, 'PASS')], items, day3), r1, day3).send).toBe(false);
});

test('compareReports without exemptions is as before: the comparison carries empty exemption changes', () => {
  const c = compareReports(undefined, report([account(A, 'FAIL')]));
  expect(c.exemptions).toEqual({ expiring: [], newlyExpiring: [], unneeded: [], exemptFailing: 0 });
  expect(c.accounts.map((x) => x.change)).toEqual(['new-fail']);
});
