/** lambda/alerts/changes.ts and plan.ts: transitions between two reports, and what each mode sends. */
import { compareReports } from '../../lambda/alerts/changes';
import { planAlert } from '../../lambda/alerts/plan';
import type { AccountStatus } from '../../lambda/rule/types';
import { account, accountId, report } from '../unit/report-fixtures';

const r = (statuses: Array<AccountStatus | undefined>, errors: string[] = []) =>
  report(
    statuses.flatMap((s, i) => (s ? [account(accountId(i), s)] : [])),
    { errors: errors.map((code) => ({ code, message: `${code} happened` })) },
  );
const kinds = (prev: ReturnType<typeof r> | undefined, cur: ReturnType<typeof r>) => compareReports(prev, cur).accounts.map((a) => [a.account.accountId, a.change, a.previousStatus ?? null]);

describe('compareReports', () => {
  test.each([
    ['PASS → FAIL: newly failing', 'PASS', 'FAIL', 'new-fail'],
    ['PASS → ERROR: newly in error', 'PASS', 'ERROR', 'new-error'],
    ['ERROR → FAIL: now known to fail', 'ERROR', 'FAIL', 'new-fail'],
    ['FAIL → ERROR: can no longer be audited', 'FAIL', 'ERROR', 'new-error'],
    ['FAIL → FAIL: still failing', 'FAIL', 'FAIL', 'still-failing'],
    ['ERROR → ERROR: still failing', 'ERROR', 'ERROR', 'still-failing'],
    ['FAIL → PASS: resolved', 'FAIL', 'PASS', 'resolved'],
    ['ERROR → PASS: resolved', 'ERROR', 'PASS', 'resolved'],
    ['SKIPPED → FAIL: newly failing', 'SKIPPED', 'FAIL', 'new-fail'],
  ] as const)('%s', (_name, before, after, change) => {
    expect(kinds(r([before]), r([after]))).toEqual([[accountId(0), change, before]]);
  });

  test.each([
    ['PASS → PASS', 'PASS', 'PASS'],
    ['FAIL → SKIPPED (excluded or suspended: not fixed, not audited)', 'FAIL', 'SKIPPED'],
  ] as const)('%s: not listed', (_name, before, after) => {
    expect(kinds(r([before]), r([after]))).toEqual([]);
  });

  test('an account that left the organization is not "resolved"; a new one failing is newly failing with no previous status', () => {
    expect(kinds(r(['FAIL', undefined]), r([undefined, 'FAIL']))).toEqual([[accountId(1), 'new-fail', null]]);
  });

  test('no previous report: every failing account is new; order is newly ERROR, newly FAIL, resolved, still failing', () => {
    expect(kinds(undefined, r(['FAIL', 'ERROR', 'PASS']))).toEqual([
      [accountId(1), 'new-error', null],
      [accountId(0), 'new-fail', null],
    ]);
    expect(kinds(r(['FAIL', 'FAIL', 'PASS', 'ERROR']), r(['FAIL', 'PASS', 'FAIL', 'ERROR'])).map((k) => k[1])).toEqual(['new-fail', 'resolved', 'still-failing', 'still-failing']);
  });

  test('run errors are new when their code was not in the previous run', () => {
    const c = compareReports(r(['PASS'], ['LISTING_INCOMPLETE']), r(['PASS'], ['LISTING_INCOMPLETE', 'ACCOUNT_NOT_FOUND']));
    expect(c.newRunErrors.map((e) => e.code)).toEqual(['ACCOUNT_NOT_FOUND']);
  });
});

describe('planAlert', () => {
  const now = new Date('2026-03-10T06:00:00Z');
  const prev = (statuses: AccountStatus[], lastReminderAt?: string) => ({ report: r(statuses), lastReminderAt });

  test('changes mode, nothing changed, reminder not due: nothing is sent, the reminder date carries over', () => {
    const p = planAlert({ mode: 'changes', reminderDays: 7, publishOnPass: false, previous: prev(['FAIL'], '2026-03-05T06:00:00Z'), current: r(['FAIL']), now });
    expect(p).toMatchObject({ send: false, kind: 'changes', accounts: [], lastReminderAt: '2026-03-05T06:00:00Z', nextReminderAt: '2026-03-12T06:00:00.000Z' });
  });

  test('changes mode, reminder due: everything failing is listed and the reminder date moves', () => {
    const p = planAlert({ mode: 'changes', reminderDays: 7, publishOnPass: false, previous: prev(['FAIL', 'PASS'], '2026-03-03T06:00:00Z'), current: r(['FAIL', 'FAIL']), now });
    expect(p).toMatchObject({ send: true, kind: 'reminder', lastReminderAt: now.toISOString() });
    expect(p.accounts.map((a) => a.change)).toEqual(['new-fail', 'still-failing']);
  });

  test('reminderDays 0: no reminder ever', () => {
    expect(planAlert({ mode: 'changes', reminderDays: 0, publishOnPass: false, previous: prev(['FAIL']), current: r(['FAIL']), now }).send).toBe(false);
  });

  test('changes mode: a new run error alone is sent', () => {
    const p = planAlert({ mode: 'changes', reminderDays: 7, publishOnPass: false, previous: prev(['PASS']), current: r(['PASS'], ['LISTING_INCOMPLETE']), now });
    expect(p).toMatchObject({ send: true, kind: 'changes', accounts: [] });
  });

  test('publishOnPass: a message even when nothing changed', () => {
    expect(planAlert({ mode: 'changes', reminderDays: 7, publishOnPass: true, previous: prev(['PASS']), current: r(['PASS']), now }).send).toBe(true);
  });

  test('every-run mode: sent while anything fails, and for a resolution; not when all pass and nothing changed', () => {
    expect(planAlert({ mode: 'every-run', reminderDays: 0, publishOnPass: false, previous: prev(['FAIL']), current: r(['FAIL']), now }).send).toBe(true);
    expect(planAlert({ mode: 'every-run', reminderDays: 0, publishOnPass: false, previous: prev(['FAIL']), current: r(['PASS']), now }).send).toBe(true);
    expect(planAlert({ mode: 'every-run', reminderDays: 0, publishOnPass: false, previous: prev(['PASS']), current: r(['PASS']), now }).send).toBe(false);
  });
});
