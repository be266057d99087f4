/** The exemptions step (lambda/audit/apply-exemptions.ts), and what it means for the CLI's exit code (needsAttention). */
import { applyExemptions } from '../../lambda/audit/apply-exemptions';
import type { OuMembers } from '../../lambda/audit/ou-members';
import { parseExemptions, type Exemption } from '../../lambda/exemptions';
import { needsAttention } from '../../lambda/report-format';
import { account, accountId, report } from '../unit/report-fixtures';

const NOW = new Date('2026-03-01T12:00:00Z');
const A = accountId(1);
const B = accountId(2);
const C = accountId(3);
const NESTED = accountId(4);
const PROD = 'ou-ab12-prod0000';
const DEV = 'ou-ab12-dev00000';

const exemptions = (items: object[], now = NOW): Exemption[] =>
  parseExemptions(
    items.map((e) => ({ reason: 'sandbox', owner: 'platform@example.com', expires: '2026-06-30', ...e })),
    'exemptions',
    { now, maxDays: 365, atSynth: false },
  );
const ous = (members: Record<string, string[]> = {}, failed: Record<string, string> = {}): OuMembers => ({
  members: new Map(Object.entries(members).map(([ou, ids]) => [ou, new Set(ids)])),
  failed: new Map(Object.entries(failed)),
});

test('an exemption in force is attached to the account it names; the verdict and the input report stay as they were', () => {
  const input = report([account(A, 'FAIL'), account(B, 'FAIL'), account(C, 'PASS')]);
  const before = JSON.stringify(input);
  const out = applyExemptions(input, exemptions([{ id: 'sandbox', accounts: [A], ticket: 'SEC-1' }]), ous(), NOW, 14);
  expect(JSON.stringify(input)).toBe(before);
  const [a, b] = out.accounts;
  expect(a.status).toBe('FAIL');
  expect(a.reasons).toEqual(input.accounts[0].reasons);
  expect(a.exemption).toEqual({ id: 'sandbox', reason: 'sandbox', owner: 'platform@example.com', expires: '2026-06-30', ticket: 'SEC-1', via: 'account' });
  // An exemption for A never exempts B.
  expect(b.exemption).toBeUndefined();
  expect(out.summary).toEqual({ ...input.summary, exempt: 1 });
  expect(out.summary.FAIL).toBe(2);
  expect(out.run.exemptions).toEqual([
    { id: 'sandbox', accounts: [A], ous: [], reason: 'sandbox', owner: 'platform@example.com', expires: '2026-06-30', ticket: 'SEC-1', daysLeft: 121 },
  ]);
  expect(out.run.notes).toEqual([]);
});

test('the CLI exit code: 0 when every non-exempt evaluated account passes, 1 as soon as one does not', () => {
  const r = report([account(A, 'FAIL'), account(B, 'ERROR'), account(C, 'PASS')]);
  expect(needsAttention(r)).toBe(true);
  expect(needsAttention(applyExemptions(r, exemptions([{ accounts: [A, B] }]), ous(), NOW, 14))).toBe(false);
  expect(needsAttention(applyExemptions(r, exemptions([{ accounts: [A] }]), ous(), NOW, 14))).toBe(true);
  // Run errors still count.
  const withRunError = report([account(A, 'FAIL')], { errors: [{ code: 'LIST_ACCOUNTS_FAILED', message: 'x' }] });
  expect(needsAttention(applyExemptions(withRunError, exemptions([{ accounts: [A] }]), ous(), NOW, 14))).toBe(true);
});

test('through an OU, at any depth, with the OU it applies through', () => {
  const r = report([account(A, 'FAIL'), account(NESTED, 'ERROR'), account(B, 'FAIL')]);
  const out = applyExemptions(r, exemptions([{ ous: [PROD] }]), ous({ [PROD]: [A, NESTED] }), NOW, 14);
  expect(out.accounts.map((a) => a.exemption?.via)).toEqual([PROD, PROD, undefined]);
  expect(out.summary.exempt).toBe(2);
});

test('an account named directly is matched before one through an OU, then in configured order', () => {
  const r = report([account(A, 'FAIL')]);
  const out = applyExemptions(r, exemptions([{ id: 'by-ou', ous: [PROD] }, { id: 'direct', accounts: [A] }]), ous({ [PROD]: [A] }), NOW, 14);
  expect(out.accounts[0].exemption).toMatchObject({ id: 'direct', via: 'account' });
});

test('an OU that could not be read exempts nobody: the account still fails and alerts, and a note says why', () => {
  const r = report([account(A, 'FAIL')]);
  const out = applyExemptions(r, exemptions([{ id: 'prod', ous: [PROD, DEV] }]), ous({}, { [PROD]: 'AccessDenied: not authorized' }), NOW, 14);
  expect(out.accounts[0].exemption).toBeUndefined();
  expect(out.summary.exempt).toBe(0);
  expect(needsAttention(out)).toBe(true);
  expect(out.run.notes).toEqual([
    `exemption prod: OU ${PROD} could not be read (AccessDenied: not authorized); the exemption does not apply to the accounts under it this run, which are audited and alerted as usual`,
    `exemption prod: OU ${DEV} could not be read (its membership was not looked up); the exemption does not apply to the accounts under it this run, which are audited and alerted as usual`,
  ]);
});

test('an account id the listing does not have is a note, not an error', () => {
  const out = applyExemptions(report([account(A, 'FAIL')]), exemptions([{ id: 'typo', accounts: [A, '999999999999'] }]), ous(), NOW, 14);
  expect(out.accounts[0].exemption?.id).toBe('typo');
  expect(out.run.notes).toEqual([expect.stringMatching(/^exemption typo: 999999999999 is not among the accounts this run listed/)]);
});

test('expiring within the warning days is marked expiringSoon; an exemption expiring today is still in force', () => {
  const list = exemptions([
    { id: 'today', accounts: [A], expires: '2026-03-01' },
    { id: 'soon', accounts: [B], expires: '2026-03-15' },
    { id: 'later', accounts: [C], expires: '2026-03-16' },
  ]);
  const out = applyExemptions(report([account(A, 'FAIL'), account(B, 'FAIL'), account(C, 'FAIL')]), list, ous(), NOW, 14);
  expect(out.run.exemptions?.map((e) => [e.id, e.daysLeft, e.expiringSoon])).toEqual([
    ['today', 0, true],
    ['soon', 14, true],
    ['later', 15, undefined],
  ]);
  expect(out.summary.exempt).toBe(3);
  const lastMoment = new Date('2026-03-01T23:59:59.999Z');
  expect(applyExemptions(report([account(A, 'FAIL')]), exemptions([{ accounts: [A], expires: '2026-03-01' }], lastMoment), ous(), lastMoment, 14).accounts[0].exemption).toBeDefined();
});

test('an expired exemption exempts nobody: the account carries exemptionExpired, and a note says so', () => {
  const after = new Date('2026-03-02T00:00:00Z');
  const list = exemptions([{ id: 'old', accounts: [A], expires: '2026-03-01' }], after);
  const out = applyExemptions(report([account(A, 'FAIL')]), list, ous(), after, 14);
  expect(out.accounts[0].exemption).toBeUndefined();
  expect(out.accounts[0].exemptionExpired).toMatchObject({ id: 'old', owner: 'platform@example.com', expires: '2026-03-01', via: 'account' });
  expect(out.summary.exempt).toBe(0);
  expect(out.run.exemptions).toEqual([]);
  expect(needsAttention(out)).toBe(true);
  expect(out.run.notes).toEqual(['exemption old (owner platform@example.com) expired on 2026-03-01: its accounts are no longer exempt; renew it with a later date or remove it']);
});

test('an exempt account that passes keeps the exemption (the alert calls it no longer needed) and is not counted exempt', () => {
  const out = applyExemptions(report([account(A, 'PASS')]), exemptions([{ accounts: [A] }]), ous(), NOW, 14);
  expect(out.accounts[0].exemption).toBeDefined();
  expect(out.summary.exempt).toBe(0);
});

test('trying to fool it: an exemption carried in by the input report is dropped; SKIPPED accounts carry none', () => {
  const smuggled = account(A, 'FAIL', { exemption: { id: 'fake', reason: 'r', owner: 'o', expires: '2099-01-01', via: 'account' } });
  const out = applyExemptions(report([smuggled, account(B, 'SKIPPED')]), exemptions([{ accounts: [B] }]), ous(), NOW, 14);
  expect(out.accounts[0].exemption).toBeUndefined();
  expect(out.accounts[1].exemption).toBeUndefined();
  expect(needsAttention(out)).toBe(true);
  // An OU's membership is what was read: an account that is not a member is not exempt through it.
  const viaOu = applyExemptions(report([account(B, 'FAIL')]), exemptions([{ ous: [PROD] }]), ous({ [PROD]: [A] }), NOW, 14);
  expect(viaOu.accounts[0].exemption).toBeUndefined();
});
