/**
 * The real-time function against the simulator (Organizations, STS, CloudTrail, S3 with
 * conditional writes, SNS), with the scheduled function beside it on the same bucket: a change
 * re-audits its account alone and alerts with the trigger; a burst is one audit; a no-op sends
 * nothing; a fix sends "resolved"; a scheduled run and an event run racing lose neither update; a
 * new account's late role is retried, then audited (past the grace: ERROR with advice); a change
 * to the organization trail re-audits every member; an account that left is removed.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createEventHandler } from '../../lambda/event-handler';
import { createHandler } from '../../lambda/handler';
import type { AuditReport } from '../../lambda/report-format';
import type { Scenario, ScenarioAccount } from '../../simulator/scenario-types';
import type { PublishedMessage, Simulator } from '../../simulator/server';
import { createAccountResult, sqsEvent, trailCall } from '../realtime/events';
import { account, CALLER, goodTrail, MGMT, scenario, TOPIC, withSimulator } from './harness';

const BUCKET = 'trailcheck-reports-realtime';
const LOCK_KEY = 'trailcheck/run-lock.json';
const A = '200000000001';
const B = '200000000002';
const NEW = '200000000009';
const context = (id: string) => ({ getRemainingTimeInMillis: () => 60_000, awsRequestId: id });
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

const logging = (on: boolean) => [goodTrail('main', { status: { isLogging: on } })];
const world = (accounts: ScenarioAccount[], extra: Partial<Scenario> = {}) => scenario(accounts, { buckets: [BUCKET], ...extra });

function env(sim: Simulator, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL: sim.url,
    AWS_ACCESS_KEY_ID: CALLER.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CALLER.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    TRAILCHECK_TOPIC_ARN: TOPIC,
    TRAILCHECK_REPORT_BUCKET: BUCKET,
    TRAILCHECK_RUN_LOCK_KEY: LOCK_KEY,
    TRAILCHECK_MAX_ATTEMPTS: '2',
    ...extra,
  };
}

const quiet = () => new Logger({ serviceName: 'test', logLevel: 'SILENT' });

function functions(sim: Simulator, extra: Record<string, string> = {}) {
  Object.assign(process.env, env(sim, extra));
  delete process.env.AWS_PROFILE;
  const scheduled = createHandler({ env: env(sim, extra), logger: quiet() });
  const events = createEventHandler({ env: env(sim, extra), logger: quiet() });
  return {
    scheduled: (id = 'sched') => scheduled({ 'detail-type': 'Scheduled Event', source: 'aws.scheduler' }, context(id)),
    event: (bodies: unknown[], id = 'evt') => events(sqsEvent(bodies), context(id)),
  };
}

async function latest(sim: Simulator): Promise<AuditReport> {
  const s3 = new S3Client({ region: 'us-east-1', endpoint: sim.url, credentials: { accessKeyId: CALLER.accessKeyId, secretAccessKey: CALLER.secretAccessKey }, forcePathStyle: true });
  const read = async (key: string) => JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString());
  const pointer = await read('trailcheck/latest.json');
  return read(pointer.reportKey);
}

const statusOf = (r: AuditReport, id: string) => r.accounts.find((a) => a.accountId === id)?.status;
const body = (m: PublishedMessage) => JSON.parse(JSON.parse(m.message).default);
const email = (m: PublishedMessage) => JSON.parse(m.message).email as string;

/** Changes the accounts of the live scenario. */
function change(sim: Simulator, accounts: ScenarioAccount[], extra: Partial<Scenario> = {}): void {
  sim.setScenario(world(accounts, extra));
}

test('a StopLogging re-audits that account alone and alerts newly FAIL with the trigger; the latest report is updated', async () => {
  const accounts = [account(A, { trails: logging(true) }), account(B, { trails: logging(false) })];
  await withSimulator(world(accounts), async (sim) => {
    const fn = functions(sim);
    await fn.scheduled();
    const base = await latest(sim);
    sim.reset();
    change(sim, [account(A, { trails: logging(false) }), account(B, { trails: logging(false) })]);
    const stop = trailCall('StopLogging', { account: A, trail: 'main', callerArn: `arn:aws:sts::${A}:assumed-role/Admin/mallory`, sourceIp: '198.51.100.23', eventId: '0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b' });
    await expect(fn.event([stop])).resolves.toEqual({ batchItemFailures: [] });

    expect(sim.callCount('organizations', 'ListAccounts')).toBe(0);
    expect(sim.callCount('organizations', 'DescribeAccount')).toBeGreaterThanOrEqual(1);
    expect(sim.published).toHaveLength(1);
    const m = sim.published[0];
    expect(m.messageAttributes['trailcheck.kind'].StringValue).toBe('realtime');
    expect(m.subject).toMatch(new RegExp(`^trailcheck: StopLogging in ${A}: 1 newly FAIL`));
    const json = body(m);
    expect(json.accounts.map((a: { accountId: string; change: string }) => [a.accountId, a.change])).toEqual([[A, 'new-fail']]);
    expect(json.trigger.events[0]).toMatchObject({ eventName: 'StopLogging', callerArn: `arn:aws:sts::${A}:assumed-role/Admin/mallory`, sourceIp: '198.51.100.23', eventId: '0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b', trail: { name: 'main' } });
    expect(email(m)).toContain(`StopLogging of trail main (us-east-1) by arn:aws:sts::${A}:assumed-role/Admin/mallory from 198.51.100.23`);

    const now = await latest(sim);
    expect(now.run.realtime).toEqual({ basedOn: base.run.id, accountIds: [A], eventIds: ['0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b'] });
    expect(statusOf(now, A)).toBe('FAIL');
    expect(statusOf(now, B)).toBe('FAIL');
    expect(now.accounts.map((a) => a.accountId)).toEqual(base.accounts.map((a) => a.accountId));
    expect(now.summary).toMatchObject({ total: 3, PASS: 1, FAIL: 2 });
  });
}, 30_000);

test('a burst of five events for one account is one audit; an event that changes nothing sends nothing; a fix sends resolved', async () => {
  await withSimulator(world([account(A, { trails: logging(true) })]), async (sim) => {
    const fn = functions(sim);
    await fn.scheduled();
    sim.reset();
    const burst = Array.from({ length: 5 }, (_, i) => trailCall('UpdateTrail', { account: A, eventTime: `2026-03-04T09:01:0${i}Z` }));
    await expect(fn.event(burst)).resolves.toEqual({ batchItemFailures: [] });
    expect(sim.callCount('organizations', 'DescribeAccount')).toBe(1);
    expect(sim.calls.filter((c) => c.action === 'DescribeTrails' && c.account === A)).toHaveLength(1);
    expect(sim.published).toHaveLength(0); // still PASS: nothing to say

    change(sim, [account(A, { trails: logging(false) })]);
    await fn.event([trailCall('StopLogging', { account: A })]);
    change(sim, [account(A, { trails: logging(true) })]);
    await fn.event([trailCall('StartLogging', { account: A })]);
    expect(sim.published.map((m) => body(m).accounts.map((a: { change: string }) => a.change))).toEqual([['new-fail'], ['resolved']]);
    expect(statusOf(await latest(sim), A)).toBe('PASS');
  });
}, 30_000);

test('a scheduled run and an event run at once: neither update is lost (the loser waits, or is retried)', async () => {
  const accounts = [account(A, { trails: logging(true) }), account(B, { trails: logging(false) })];
  await withSimulator(world(accounts), async (sim) => {
    const fn = functions(sim);
    await fn.scheduled('first');
    // A breaks (an event says so); B is fixed silently (only the scheduled run can see it).
    change(sim, [account(A, { trails: logging(false) }), account(B, { trails: logging(true) })], { latency: { default: { min: 5, max: 25 }, seed: 7 } });
    const outcomes: string[] = [];
    for (let round = 0; round < 4; round++) {
      // Either may take the lock first: the scheduled run first on even rounds, the event run on odd ones.
      const sched = () => fn.scheduled(`sched-${round}`);
      const evt = () => fn.event([trailCall('StopLogging', { account: A })], `evt-${round}`);
      const first = round % 2 ? (await Promise.all([evt(), sched()]))[0] : (await Promise.all([sched(), evt()]))[1];
      outcomes.push(first.batchItemFailures.length ? 'event retried' : 'both ran');
      // SQS redelivers what the event run gave back (the scheduled run held the lock).
      let retried = first;
      while (retried.batchItemFailures.length) retried = await fn.event([trailCall('StopLogging', { account: A })], `evt-${round}-again`);
      const now = await latest(sim);
      expect([statusOf(now, A), statusOf(now, B)]).toEqual(['FAIL', 'PASS']);
      change(sim, [account(A, { trails: logging(true) }), account(B, { trails: logging(false) })], { latency: { default: { min: 5, max: 25 }, seed: 7 } });
      await fn.scheduled(`reset-${round}`);
      change(sim, [account(A, { trails: logging(false) }), account(B, { trails: logging(true) })], { latency: { default: { min: 5, max: 25 }, seed: 7 } });
    }
    // Both orders happened: the event run retried behind a scheduled run, and a scheduled run waiting for an event run.
    expect(new Set(outcomes)).toEqual(new Set(['event retried', 'both ran']));
  });
}, 60_000);

test('a new account whose role appears late: retried while within the grace, then audited PASS', async () => {
  const noRole = account(NEW, { roles: [], trails: logging(true) });
  await withSimulator(world([account(A, { trails: logging(true) }), noRole]), async (sim) => {
    const fn = functions(sim);
    await fn.scheduled();
    sim.reset();
    const created = createAccountResult(NEW, { management: MGMT });
    const first = await fn.event([created]);
    expect(first.batchItemFailures).toHaveLength(1);
    expect(sim.published).toHaveLength(0);
    expect(await fn.event([created])).toMatchObject({ batchItemFailures: [expect.anything()] });

    change(sim, [account(A, { trails: logging(true) }), account(NEW, { trails: logging(true) })]);
    await expect(fn.event([created])).resolves.toEqual({ batchItemFailures: [] });
    expect(statusOf(await latest(sim), NEW)).toBe('PASS');
  });
}, 30_000);

test('a new account whose role is still missing past the grace is ERROR, with the StackSet advice first', async () => {
  await withSimulator(world([account(A, { trails: logging(true) }), account(NEW, { roles: [], trails: logging(true), listed: false })]), async (sim) => {
    const fn = functions(sim, { TRAILCHECK_NEW_ACCOUNT_GRACE_MINUTES: '30' });
    await fn.scheduled();
    sim.reset();
    change(sim, [account(A, { trails: logging(true) }), account(NEW, { roles: [], trails: logging(true) })]);
    const old = new Date(Date.now() - 45 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await expect(fn.event([createAccountResult(NEW, { management: MGMT, eventTime: old })])).resolves.toEqual({ batchItemFailures: [] });
    const [m] = sim.published;
    const entry = body(m).accounts[0];
    expect(entry).toMatchObject({ accountId: NEW, status: 'ERROR', change: 'new-error' });
    expect(entry.reasons[0].code).toBe('ASSUME_ROLE_FAILED');
    expect(entry.remediation[0]).toMatch(/still could not be assumed 30 minutes later: check the member-roles StackSet/);
  });
}, 30_000);

test('a change to the organization trail re-audits every member relying on it, as one scheduled-style run', async () => {
  const orgTrail = (on: boolean) => goodTrail('org', { isOrganizationTrail: true, status: { isLogging: on } });
  const members = [account(A), account(B)];
  const mgmt = (on: boolean) => account(MGMT, { name: 'management', trails: [orgTrail(on)] });
  await withSimulator(world([mgmt(true), ...members]), async (sim) => {
    const fn = functions(sim);
    await fn.scheduled();
    sim.reset();
    change(sim, [mgmt(false), ...members]);
    await expect(fn.event([trailCall('StopLogging', { account: MGMT, trail: 'org' })])).resolves.toEqual({ batchItemFailures: [] });
    expect(sim.callCount('organizations', 'ListAccounts')).toBeGreaterThan(0);
    const [m] = sim.published;
    expect(body(m).accounts.map((a: { accountId: string }) => a.accountId).sort()).toEqual([MGMT, A, B].sort());
    const now = await latest(sim);
    expect([statusOf(now, MGMT), statusOf(now, A), statusOf(now, B)]).toEqual(['FAIL', 'FAIL', 'FAIL']);
    expect(now.run.realtime).toBeUndefined();
  });
}, 30_000);

test('an account Organizations no longer knows is removed from the latest report, and nothing is sent', async () => {
  await withSimulator(world([account(A, { trails: logging(true) }), account(B, { trails: logging(false) })]), async (sim) => {
    const fn = functions(sim);
    await fn.scheduled();
    sim.reset();
    change(sim, [account(A, { trails: logging(true) }), account(B, { trails: logging(false), listed: false })]);
    await expect(fn.event([trailCall('StopLogging', { account: B })])).resolves.toEqual({ batchItemFailures: [] });
    expect(sim.published).toHaveLength(0);
    const now = await latest(sim);
    expect(now.accounts.map((a) => a.accountId)).not.toContain(B);
    expect(now.run.notes.join(' ')).toMatch(`Account ${B} is not in the organization`);
  });
}, 30_000);

test('invalid events are dropped with their reason, never retried; the valid ones in the batch are audited', async () => {
  await withSimulator(world([account(A, { trails: logging(true) })]), async (sim) => {
    const fn = functions(sim);
    await fn.scheduled();
    sim.reset();
    const out = await fn.event(['not json', { ...trailCall('StopLogging', { account: A }), account: '999999999999' }, trailCall('StartLogging', { account: A })]);
    expect(out).toEqual({ batchItemFailures: [] });
    expect(sim.callCount('organizations', 'DescribeAccount')).toBe(1);
  });
}, 30_000);
