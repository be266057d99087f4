/** Step 3, audit accounts (lambda/audit/audit-accounts.ts): the pool, the deadline race, one report per account. */
import { accountScope } from '../../lambda/audit/account-scope';
import { auditAccounts, type AuditAccountsInput } from '../../lambda/audit/audit-accounts';
import { startDeadline } from '../../lambda/audit/deadline';
import { orgTrailCacheFor } from '../../lambda/audit/org-trail-reads';
import type { OrgTrailCache } from '../../lambda/audit/org-trails';
import { silentLogger } from '../../lambda/audit/run-types';
import { TrailListings } from '../../lambda/audit/trail-listings';
import type { OrgAccount } from '../../lambda/aws/accounts';
import { accountId, CALLER } from '../unit/report-fixtures';
import { awsError, fakeRun, reachedWhen, trail, type World } from './step-fakes';

const TIMEOUT_ADVICE = ['Raise the function timeout or the concurrency, or audit fewer accounts per run.'];
const active = (id: string, name = `acct-${id}`): OrgAccount => ({ id, name, state: 'ACTIVE' });
const never = new Promise<'deadline'>(() => undefined);

/** The step over a fake run; `overrides` replace any input. */
function step(world: Partial<World>, overrides: Partial<AuditAccountsInput> = {}) {
  const run = fakeRun({ caller: CALLER, trails: {}, ...world });
  const done: number[] = [];
  const input: AuditAccountsInput = {
    config: { concurrency: 4, region: 'us-east-1', strict: false, roleName: 'TrailcheckAuditRole' },
    clients: run.clients,
    credentials: run.credentials,
    orgTrails: orgTrailCacheFor({ clients: run.clients, credentials: run.credentials, listings: run.listings, signal: run.signal, ownerAudited: async () => true }),
    listings: run.listings,
    scope: () => undefined,
    callerAccountId: CALLER,
    signal: run.signal,
    deadlineReached: never,
    log: silentLogger,
    onDone: (n) => done.push(n),
    ...overrides,
  };
  return { run, audits: auditAccounts(input), done };
}

const own = (id: string) => [trail(id, 'main')];

test('every account handed in is reported exactly once, in the order handed in, with the verdict its evidence gives', async () => {
  const [pass, fail, suspended, excluded, unassumable, noState, denied] = [1, 2, 3, 4, 5, 6, 7].map(accountId);
  const failing = trail(fail, 'main');
  const { audits, done, run } = step(
    {
      trails: { [CALLER]: own(CALLER), [pass]: own(pass), [fail]: [failing], [noState]: own(noState), [denied]: awsError('AccessDeniedException', 'no cloudtrail:DescribeTrails') },
      status: { [`${fail} ${failing.arn}`]: { IsLogging: false } },
      assumeFails: { [unassumable]: awsError('AccessDenied', 'not authorized to perform sts:AssumeRole') },
    },
    { scope: accountScope({ excludeAccounts: [excluded] }, undefined), ouMembers: new Map([[pass, 'ou-ab12-prod0000']]) },
  );
  const handed: OrgAccount[] = [
    active(CALLER),
    active(pass),
    active(fail),
    { id: suspended, name: 's', state: 'SUSPENDED' },
    active(excluded),
    active(unassumable),
    { id: noState, name: 'n' },
    active(denied),
  ];
  handed.forEach(audits.audit);
  const reports = await audits.reports();
  expect(reports.map((r) => [r.accountId, r.status, r.reasons.map((x) => x.code), r.auditedWith])).toEqual([
    [CALLER, 'PASS', [], 'own-credentials'],
    [pass, 'PASS', [], 'assumed-role'],
    [fail, 'FAIL', ['NOT_LOGGING'], 'assumed-role'],
    [suspended, 'SKIPPED', ['NOT_ACTIVE'], undefined],
    [excluded, 'SKIPPED', ['EXCLUDED'], undefined],
    [unassumable, 'ERROR', ['ASSUME_ROLE_FAILED'], 'assumed-role'],
    [noState, 'PASS', [], 'assumed-role'],
    [denied, 'ERROR', ['ACCESS_DENIED'], 'assumed-role'],
  ]);
  const by = (id: string) => reports.find((r) => r.accountId === id)!;
  expect(by(pass)).toMatchObject({ accountName: `acct-${pass}`, state: 'ACTIVE', ouId: 'ou-ab12-prod0000', qualifyingTrailArn: `arn:aws:cloudtrail:us-east-1:${pass}:trail/main` });
  expect(by(fail)).toMatchObject({ closestTrailArn: failing.arn, remediation: ['aws cloudtrail start-logging --name main --region us-east-1'] });
  expect(by(suspended).reasons[0].message).toBe('The account is SUSPENDED in Organizations, not ACTIVE.');
  expect(by(excluded).reasons[0].message).toBe('The account is excluded by configuration (exclude-accounts).');
  expect(by(unassumable).reasons[0].message).toBe(`Could not assume arn:aws:iam::${unassumable}:role/TrailcheckAuditRole: AccessDenied: not authorized to perform sts:AssumeRole`);
  expect(by(noState).state).toBeUndefined();
  expect(by(noState).warnings).toEqual([{ code: 'ACCOUNT_STATE_UNKNOWN', message: 'Organizations reported no State for this account; it was evaluated as if ACTIVE.' }]);
  // Skipped accounts are never touched: no AssumeRole, no DescribeTrails.
  expect(run.assumed.sort()).toEqual([pass, fail, unassumable, noState, denied].sort());
  expect(run.listed).not.toContain(suspended);
  expect(run.listed).not.toContain(excluded);
  expect(reports.filter((r) => r.status !== 'SKIPPED').every((r) => typeof r.durationMs === 'number')).toBe(true);
  expect(reports.filter((r) => r.status === 'SKIPPED').map((r) => r.durationMs)).toEqual([undefined, undefined]);
  expect(done).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(audits.done()).toBe(8);
});

test('an account whose audit throws is ERROR INTERNAL_ERROR with the message; the others are unaffected', async () => {
  const broken = accountId(1);
  const orgTrail = trail(accountId(50), 'org', { isOrganizationTrail: true });
  const orgTrails = { details: async () => Promise.reject(new Error('cache exploded')) } as unknown as OrgTrailCache;
  const { audits } = step({ trails: { [broken]: [orgTrail], [accountId(2)]: own(accountId(2)) } }, { orgTrails });
  audits.audit(active(broken));
  audits.audit(active(accountId(2)));
  const reports = await audits.reports();
  expect(reports.map((r) => [r.status, r.reasons])).toEqual([
    ['ERROR', [{ code: 'INTERNAL_ERROR', message: 'trailcheck failed on this account: cache exploded' }]],
    ['PASS', []],
  ]);
});

test.each([1, 3])('concurrency %i: at most that many accounts in flight, and every account still reported', async (concurrency) => {
  const ids = Array.from({ length: 12 }, (_, i) => accountId(i + 1));
  const { audits, run } = step({ trails: Object.fromEntries(ids.map((id) => [id, own(id)])), listingDelayMs: 15 }, { config: { concurrency, region: 'us-east-1', strict: false, roleName: 'TrailcheckAuditRole' } });
  ids.forEach((id) => audits.audit(active(id)));
  const reports = await audits.reports();
  expect(run.mostListingsInFlight()).toBe(concurrency);
  expect(reports.map((r) => [r.accountId, r.status])).toEqual(ids.map((id) => [id, 'PASS']));
});

describe('the deadline', () => {
  test('unfinished accounts become ERROR TIMEOUT, queued ones never start; skipped ones stay SKIPPED; each reported once', async () => {
    const controller = new AbortController();
    const ids = Array.from({ length: 5 }, (_, i) => accountId(i + 1));
    // Each DescribeTrails takes a minute (until the deadline aborts it); two run at a time.
    const { audits, run } = step(
      { trails: Object.fromEntries(ids.map((id) => [id, own(id)])), listingDelayMs: 60_000, signal: controller.signal },
      { config: { concurrency: 2, region: 'us-east-1', strict: false, roleName: 'TrailcheckAuditRole' }, deadlineReached: reachedWhen(controller.signal) },
    );
    ids.forEach((id) => audits.audit(active(id)));
    audits.audit({ id: accountId(9), name: 's', state: 'SUSPENDED' });
    while (run.listed.length < 2) await new Promise((r) => setImmediate(r));
    controller.abort();
    audits.audit(active(accountId(10))); // handed in after the deadline
    const started = Date.now();
    const reports = await audits.reports();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(reports.map((r) => r.accountId)).toEqual([...ids, accountId(9), accountId(10)]);
    expect(reports.map((r) => [r.status, r.reasons[0].code])).toEqual([...ids.map(() => ['ERROR', 'TIMEOUT']), ['SKIPPED', 'NOT_ACTIVE'], ['ERROR', 'TIMEOUT']]);
    const messages = reports.map((r) => r.reasons[0].message);
    for (const m of messages.slice(0, 2)) expect(m).toMatch(/^The run reached its deadline before this account finished \(during .+\)\.$/);
    for (const m of [...messages.slice(2, 5), messages[6]]) expect(m).toBe('The run reached its deadline before this account could start.');
    expect(reports.filter((r) => r.status === 'ERROR').every((r) => JSON.stringify(r.remediation) === JSON.stringify(TIMEOUT_ADVICE))).toBe(true);
    expect(run.listed).toEqual(ids.slice(0, 2));
  });

  test('an audit that ignores the abort signal is still cut at the deadline, as TIMEOUT during the account audit', async () => {
    const controller = new AbortController();
    const hanging = new TrailListings(() => new Promise(() => undefined));
    const { audits } = step({ signal: controller.signal }, { listings: hanging, deadlineReached: reachedWhen(controller.signal) });
    audits.audit(active(accountId(1)));
    setTimeout(() => controller.abort(), 20);
    const [r] = await audits.reports();
    expect([r.status, r.reasons]).toEqual(['ERROR', [{ code: 'TIMEOUT', message: 'The run reached its deadline before this account finished (during the account audit).' }]]);
    expect(r.remediation).toEqual(TIMEOUT_ADVICE);
  });

  test('with the run’s own deadline (startDeadline), 100 ms ahead: every account reported, within 5x of it', async () => {
    const started = Date.now();
    const deadline = startDeadline(started + 100, started);
    try {
      const ids = Array.from({ length: 6 }, (_, i) => accountId(i + 1));
      const { audits } = step(
        { trails: Object.fromEntries(ids.map((id) => [id, own(id)])), listingDelayMs: 60_000, signal: deadline.signal },
        { config: { concurrency: 2, region: 'us-east-1', strict: false, roleName: 'TrailcheckAuditRole' }, deadlineReached: deadline.reached },
      );
      ids.forEach((id) => audits.audit(active(id)));
      const reports = await audits.reports();
      expect(Date.now() - started).toBeLessThan(500);
      expect(reports.map((r) => [r.accountId, r.status, r.reasons[0].code])).toEqual(ids.map((id) => [id, 'ERROR', 'TIMEOUT']));
    } finally {
      deadline.stop();
    }
  });
});
