/** The Lambda handler against the simulator: configuration from the environment, publish, summary. */
import { Logger } from '@aws-lambda-powertools/logger';
import { createHandler } from '../../lambda/handler';
import { account, audited, goodTrail, MGMT, pointAt, scenario, TOPIC, withSimulator } from './harness';

const event = { 'detail-type': 'Scheduled Event', source: 'aws.scheduler' };
const context = (ms = 60_000) => ({ getRemainingTimeInMillis: () => ms, awsRequestId: 'req-1' });

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});


const s = scenario([account('200000000001', { trails: [goodTrail()] }), account('200000000002', { roles: [] })]);

function capturedLogs() {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  // Powertools writes INFO to stdout and WARN/ERROR to stderr, as Lambda's console does.
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  return {
    lines,
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}

test('a scheduled run audits, publishes FAIL/ERROR to the topic, logs JSON, and returns the summary', async () => {
  await withSimulator(s, async (sim) => {
    pointAt(sim.url);
    const logs = capturedLogs();
    let result;
    try {
      const handler = createHandler({ env: { ...process.env, TRAILCHECK_TOPIC_ARN: TOPIC }, logger: new Logger({ serviceName: 'trailcheck' }) });
      result = audited(await handler(event, context()));
    } finally {
      logs.restore();
    }
    expect(result.summary).toMatchObject({ total: 3, PASS: 2, ERROR: 1 });
    expect(result.publish).toMatchObject({ published: true, messageId: expect.any(String) });
    expect(sim.published).toHaveLength(1);
    expect(sim.published[0].subject).toBe('trailcheck: 1 ERROR of 3 accounts');
    const records = logs.lines.join('').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.find((r) => r.message === 'account needs attention')).toMatchObject({ level: 'WARN', accountId: '200000000002', status: 'ERROR', reasons: ['ASSUME_ROLE_FAILED'] });
    expect(records.find((r) => r.message === 'audit finished')).toMatchObject({ service: 'trailcheck', summary: expect.objectContaining({ ERROR: 1 }) });
    // The run's metrics, as Embedded Metric Format in the log (the dashboard and the ERROR-share alarm read them).
    const emf = records.filter((r) => r._aws?.CloudWatchMetrics?.[0]?.Namespace === 'trailcheck');
    const accounts = emf.find((r) => 'AccountsError' in r);
    expect(accounts).toMatchObject({ AccountsPass: 2, AccountsFail: 0, AccountsError: 1, AccountsSkipped: 0, AlertsSent: 1 });
    expect(emf.some((r) => r.service === 'sts' && r.ApiCalls >= 1)).toBe(true);
    expect(JSON.stringify(emf)).not.toContain('200000000002');
  });
});

test('nothing is published when every account passes, unless configured to', async () => {
  const allPass = scenario([account('200000000001', { trails: [goodTrail()] })]);
  await withSimulator(allPass, async (sim) => {
    pointAt(sim.url);
    const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
    const quiet = audited(await createHandler({ env: { ...process.env, TRAILCHECK_TOPIC_ARN: TOPIC }, logger })(event, context()));
    expect(quiet.publish).toEqual({ published: false, reason: 'every audited account passed' });
    expect(sim.published).toHaveLength(0);
    await createHandler({ env: { ...process.env, TRAILCHECK_TOPIC_ARN: TOPIC, TRAILCHECK_PUBLISH_ON_PASS: 'true' }, logger })(event, context());
    expect(sim.published.map((p) => p.subject)).toEqual(['trailcheck: all 2 audited accounts PASS']);
  });
});

test('a failed publish fails the invocation (so retries and the failure destination see it)', async () => {
  await withSimulator(s, async (sim) => {
    pointAt(sim.url);
    const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
    const handler = createHandler({ env: { ...process.env, TRAILCHECK_TOPIC_ARN: `arn:aws:sns:us-east-1:${MGMT}:missing` }, logger });
    await expect(handler(event, context())).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});

test('bad configuration fails the invocation with a message naming the variable', async () => {
  const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
  await expect(createHandler({ env: { AWS_REGION: 'us-east-1' }, logger })(event, context())).rejects.toThrow(/TRAILCHECK_TOPIC_ARN: not set/);
  await expect(createHandler({ env: { AWS_REGION: 'us-east-1', TRAILCHECK_TOPIC_ARN: TOPIC, TRAILCHECK_CONCURRENCY: 'lots' }, logger })(event, context())).rejects.toThrow(
    /TRAILCHECK_CONCURRENCY: expected a whole number from 1 to 512, got "lots"/,
  );
});

test('the deadline comes from the remaining Lambda time: a hung account is TIMEOUT and the report is still published', async () => {
  const hung = scenario([account('200000000001', { trails: [goodTrail()] }), account('200000000002', { trails: [goodTrail()] })], {
    faults: [{ service: 'cloudtrail', action: 'DescribeTrails', account: '200000000002', kind: 'hang' }],
  });
  await withSimulator(hung, async (sim) => {
    pointAt(sim.url);
    const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
    const started = Date.now();
    // With 4 s remaining, half (2 s) is kept back and the audit gets about 2 s.
    const result = audited(await createHandler({ env: { ...process.env, TRAILCHECK_TOPIC_ARN: TOPIC, TRAILCHECK_CALL_TIMEOUT_MS: '60000' }, logger })(event, context(4_000)));
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(result.deadlineReached).toBe(true);
    expect(result.summary).toMatchObject({ total: 3, PASS: 2, ERROR: 1 });
    expect(JSON.parse(JSON.parse(sim.published[0].message).default).accounts[0].reasons[0].code).toBe('TIMEOUT');
  });
});

test('the alert names the OU of each account it is about (looked up after the audit)', async () => {
  const withOus = scenario([account('200000000001', { parentId: 'ou-ab12-prod0000', trails: [goodTrail('main', { status: { isLogging: false } })] }), account('200000000002', { trails: [goodTrail()] })], {
    organization: { id: 'o-a1b2c3d4e5', managementAccountId: MGMT, rootId: 'r-ab12', ous: [{ id: 'ou-ab12-prod0000', name: 'Prod', parentId: 'r-ab12' }] },
  });
  await withSimulator(withOus, async (sim) => {
    pointAt(sim.url);
    const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
    await createHandler({ env: { ...process.env, TRAILCHECK_TOPIC_ARN: TOPIC }, logger })(event, context());
    const body = JSON.parse(sim.published[0].message);
    expect(body.email).toContain('OU Prod (ou-ab12-prod0000)');
    expect(JSON.parse(body.default).accounts).toEqual([expect.objectContaining({ accountId: '200000000001', ouId: 'ou-ab12-prod0000', ouName: 'Prod' })]);
    // Only the account needing attention was looked up.
    expect(sim.calls.filter((c) => c.action === 'ListParents').map((c) => c.params.childId)).toEqual(['200000000001']);
  });
});

test('an empty account listing is a run error the Lambda alerts on (RULE.md "empty organization"), never a quiet pass', async () => {
  const empty = scenario([account(MGMT, { name: 'management', listed: false, trails: [goodTrail()] })]);
  await withSimulator(empty, async (sim) => {
    pointAt(sim.url);
    const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
    const result = audited(await createHandler({ env: { ...process.env, TRAILCHECK_TOPIC_ARN: TOPIC }, logger })(event, context()));
    expect(result.summary).toMatchObject({ total: 0, runErrors: 1 });
    expect(result.publish).toMatchObject({ published: true });
    expect(sim.published).toHaveLength(1);
    expect(sim.published[0].subject).toBe('trailcheck: run incomplete of 0 accounts');
    const body = JSON.parse(sim.published[0].message);
    expect(JSON.parse(body.default).run.errors).toEqual([{ code: 'EMPTY_LISTING', message: expect.stringContaining('listed no account at all') }]);
    expect(body.email).toContain('EMPTY_LISTING: organizations:ListAccounts listed no account at all');
  });
});

test('every step after the audit fits in the time the Lambda has left: slow OU look-ups get only their share, then the archive and the publish', async () => {
  const BUCKET = 'trailcheck-reports-111111111111';
  const ids = Array.from({ length: 40 }, (_, i) => String(200000000001 + i));
  const slowOus = scenario(
    ids.map((id) => account(id, { parentId: 'ou-ab12-prod0000', trails: [goodTrail('main', { status: { isLogging: false } })] })),
    {
      organization: { id: 'o-a1b2c3d4e5', managementAccountId: MGMT, rootId: 'r-ab12', ous: [{ id: 'ou-ab12-prod0000', name: 'Prod', parentId: 'r-ab12' }] },
      buckets: [BUCKET],
      // 40 look-ups, 2 at a time, 300 ms each: 6 s of OU look-ups if nothing stopped them.
      latency: { byAction: { ListParents: 300, DescribeOrganizationalUnit: 300, PutObject: 150, GetObject: 150, Publish: 150 } },
    },
  );
  await withSimulator(slowOus, async (sim) => {
    pointAt(sim.url);
    const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
    const remaining = 4_000;
    const end = Date.now() + remaining;
    // The real context counts down.
    const countdown = { getRemainingTimeInMillis: () => Math.max(0, end - Date.now()), awsRequestId: 'req-1' };
    const result = audited(await createHandler({ env: { ...process.env, TRAILCHECK_TOPIC_ARN: TOPIC, TRAILCHECK_REPORT_BUCKET: BUCKET }, logger })(event, countdown));
    expect(Date.now()).toBeLessThan(end);
    expect(result.summary).toMatchObject({ FAIL: 40 });
    expect(result.publish.published).toBe(true);
    expect(result.reportUri).toMatch(/^s3:\/\//);
    // Some OUs were looked up, not all, and the message says so.
    const body = JSON.parse(sim.published[0].message);
    expect(JSON.parse(body.default).accounts.some((a: { ouId?: string }) => a.ouId === 'ou-ab12-prod0000')).toBe(true);
    expect(body.email).toMatch(/The OU is shown for \d+ of the 40 accounts needing attention: the time left for looking it up \(\d+ ms\) ran out/);
  });
}, 20_000);

test('with too little time left after the audit, the OU look-ups are not started and the message says why', async () => {
  const withOus = scenario([account('200000000001', { parentId: 'ou-ab12-prod0000', trails: [goodTrail('main', { status: { isLogging: false } })] })], {
    organization: { id: 'o-a1b2c3d4e5', managementAccountId: MGMT, rootId: 'r-ab12', ous: [{ id: 'ou-ab12-prod0000', name: 'Prod', parentId: 'r-ab12' }] },
  });
  await withSimulator(withOus, async (sim) => {
    pointAt(sim.url);
    const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
    const end = Date.now() + 700;
    const countdown = { getRemainingTimeInMillis: () => Math.max(0, end - Date.now()), awsRequestId: 'req-1' };
    await createHandler({ env: { ...process.env, TRAILCHECK_TOPIC_ARN: TOPIC }, logger })(event, countdown);
    expect(Date.now()).toBeLessThan(end);
    expect(sim.calls.filter((c) => c.action === 'ListParents')).toHaveLength(0);
    expect(JSON.parse(sim.published[0].message).email).toMatch(/The OU is not shown for the 1 accounts needing attention: the function had too little time left to look it up/);
  });
});
