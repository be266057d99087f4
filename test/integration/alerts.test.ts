/**
 * Alerts across consecutive runs of the Lambda handler against the simulator (its S3 keeps the
 * archive between runs): only transitions are sent in `changes` mode, a reminder repeats what is
 * still failing, and failures of the archive or of the publish never lose an alert.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHandler, type HandlerResult } from '../../lambda/handler';
import type { AlertJson } from '../../lambda/channels/alert-json';
import type { Scenario } from '../../simulator/scenario-types';
import type { Simulator } from '../../simulator/server';
import { account, audited, CALLER, goodTrail, MGMT, scenario, TOPIC, withSimulator } from './harness';

const BUCKET = 'trailcheck-reports-test';
const A = '200000000001';
const B = '200000000002';
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-02T06:00:00Z');

const event = { 'detail-type': 'Scheduled Event', source: 'aws.scheduler' };
const context = { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'req-1' };
const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

/** A and B pass unless told otherwise: A's trail stopped (`aFails`), B without its audit role (`bError`). */
function world(opts: { aFails?: boolean; bError?: boolean } = {}, extra: Partial<Scenario> = {}): Scenario {
  return scenario(
    [
      account(A, { name: 'payments & <billing>', trails: [goodTrail('pay-trail', { status: { isLogging: !opts.aFails } })] }),
      account(B, { name: 'data', trails: [goodTrail()], roles: opts.bError ? [] : [{ name: 'TrailcheckAuditRole' }] }),
    ],
    { buckets: [BUCKET], ...extra },
  );
}

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
    TRAILCHECK_MAX_ATTEMPTS: '2',
    ...extra,
  };
}

async function run(sim: Simulator, day: number, extra: Record<string, string> = {}): Promise<HandlerResult> {
  // The SDK reads AWS_ENDPOINT_URL from process.env.
  Object.assign(process.env, env(sim, extra));
  delete process.env.AWS_PROFILE;
  return audited(await createHandler({ env: env(sim, extra), logger, now: () => new Date(T0 + day * DAY) })(event, context));
}

function s3(sim: Simulator): S3Client {
  return new S3Client({ region: 'us-east-1', endpoint: sim.url, credentials: { accessKeyId: CALLER.accessKeyId, secretAccessKey: CALLER.secretAccessKey }, maxAttempts: 1 });
}

async function readJson(sim: Simulator, key: string): Promise<Record<string, unknown>> {
  const out = await s3(sim).send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return JSON.parse(await out.Body!.transformToString());
}

/** The runs' JSON reports; each has its OCSF form and its HTML page beside it (checked here). */
async function reportKeys(sim: Simulator): Promise<string[]> {
  const out = await s3(sim).send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'trailcheck/reports/' }));
  const keys = (out.Contents ?? []).map((o) => o.Key as string);
  const reports = keys.filter((k) => /\/[^/.]+\.json$/.test(k));
  expect(keys.sort()).toEqual(reports.flatMap((k) => [k, k.replace(/\.json$/, '.ocsf.json'), k.replace(/\.json$/, '.html')]).sort());
  return reports;
}

function lastMessage(sim: Simulator): { subject?: string; json: AlertJson; email: string; attributes: Record<string, { StringValue?: string }> } {
  const p = sim.published[sim.published.length - 1];
  const body = JSON.parse(p.message);
  return { subject: p.subject, json: JSON.parse(body.default), email: body.email, attributes: p.messageAttributes };
}

const changed = (json: AlertJson) => json.accounts.map((a) => [a.accountId, a.change, a.previousStatus ?? null, a.status]);

test('fail → still failing (nothing sent) → fixed (resolved) → error (newly ERROR) → recovered (resolved), each run archived', async () => {
  await withSimulator(world({ aFails: true }), async (sim) => {
    // Run 1: a first run lists every failing account.
    const r1 = await run(sim, 0);
    expect(r1.alert).toMatchObject({ kind: 'first-run', sent: true });
    expect(sim.published).toHaveLength(1);
    let m = lastMessage(sim);
    expect(m.json.kind).toBe('first-run');
    expect(changed(m.json)).toEqual([[A, 'new-fail', null, 'FAIL']]);
    expect(m.email).toContain('First run: no previous report');
    expect(m.email).toContain('aws cloudtrail start-logging --name pay-trail --region us-east-1');
    expect(m.email).toContain(`Full report: s3://${BUCKET}/trailcheck/reports/`);
    expect(m.email).toMatch(new RegExp(`HTML report \\(open in a browser\\): s3://${BUCKET}/trailcheck/reports/\\d{4}/\\d{2}/\\d{2}/[^/\\s]+\\.html\\n  https://console\\.aws\\.amazon\\.com/s3/object/`));
    expect(m.attributes['trailcheck.change'].StringValue).toBe('["new-fail"]');

    // Run 2: nothing changed, nothing sent (changes mode), but the run is archived.
    const r2 = await run(sim, 1);
    expect(r2.alert).toMatchObject({ kind: 'changes', sent: false, counts: { 'still-failing': 1, 'new-fail': 0, resolved: 0 } });
    expect(r2.publish.published).toBe(false);
    expect(sim.published).toHaveLength(1);

    // Run 3: A fixed → resolved.
    sim.setScenario(world());
    const r3 = await run(sim, 2);
    expect(r3.alert).toMatchObject({ kind: 'changes', sent: true });
    m = lastMessage(sim);
    expect(changed(m.json)).toEqual([[A, 'resolved', 'FAIL', 'PASS']]);
    expect(m.json.changes.comparedWith?.runId).toBe(r2.runId);
    expect(m.subject).toBe('trailcheck: 1 resolved (now all 3 PASS of 3)');
    expect(m.email).toContain('== Resolved (now PASS) (1) ==');
    expect(m.email).toMatch(new RegExp(`PASS  ${A} \\(payments & <billing>\\)\\n  was FAIL\\n  Now passes via trail pay-trail\\.`));
    expect(m.attributes['trailcheck.change'].StringValue).toBe('["resolved"]');
    expect(m.attributes['trailcheck.status'].StringValue).toBe('["PASS"]');

    // Run 4: B cannot be audited any more → newly ERROR.
    sim.setScenario(world({ bError: true }));
    await run(sim, 3);
    m = lastMessage(sim);
    expect(sim.published).toHaveLength(3);
    expect(changed(m.json)).toEqual([[B, 'new-error', 'PASS', 'ERROR']]);
    expect(m.json.accounts[0].reasons[0].code).toBe('ASSUME_ROLE_FAILED');
    expect(m.subject).toBe('trailcheck: 1 newly ERROR (now 1 ERROR of 3)');
    expect(m.attributes['trailcheck.change'].StringValue).toBe('["new-error"]');

    // Run 5: B recovered → resolved, from ERROR.
    sim.setScenario(world());
    const r5 = await run(sim, 4);
    m = lastMessage(sim);
    expect(changed(m.json)).toEqual([[B, 'resolved', 'ERROR', 'PASS']]);

    // Every run's full report is in the archive; the pointer names the last one.
    expect(await reportKeys(sim)).toHaveLength(5);
    const latest = await readJson(sim, 'trailcheck/latest.json');
    expect(latest).toMatchObject({ type: 'trailcheck.latest', runId: r5.runId, reportKey: expect.stringContaining(r5.runId) });
    const archived = await readJson(sim, latest.reportKey as string);
    expect(archived).toMatchObject({ schemaVersion: 1, run: { id: r5.runId }, summary: { PASS: 3 } });
    expect(r5.reportUri).toBe(`s3://${BUCKET}/${latest.reportKey as string}`);
  });
});

test('changes mode: a reminder lists what is still failing every reminderDays, and only then', async () => {
  await withSimulator(world({ aFails: true }), async (sim) => {
    const cfg = { TRAILCHECK_REMINDER_DAYS: '7' };
    expect((await run(sim, 0, cfg)).alert.kind).toBe('first-run');
    for (const day of [1, 2, 6]) expect((await run(sim, day, cfg)).alert).toMatchObject({ kind: 'changes', sent: false });
    expect(sim.published).toHaveLength(1);
    // Day 7, a few minutes early (schedules drift): the reminder is due.
    const reminder = audited(await createHandler({ env: env(sim, cfg), logger, now: () => new Date(T0 + 7 * DAY - 5 * 60_000) })(event, context));
    expect(reminder.alert).toMatchObject({ kind: 'reminder', sent: true });
    const m = lastMessage(sim);
    expect(changed(m.json)).toEqual([[A, 'still-failing', 'FAIL', 'FAIL']]);
    expect(m.subject).toBe('trailcheck reminder: 1 FAIL of 3 accounts');
    expect(m.attributes['trailcheck.kind'].StringValue).toBe('reminder');
    expect(m.email).toContain('== Still failing (1) ==');
    expect((await run(sim, 8, cfg)).alert.sent).toBe(false);
    expect(sim.published).toHaveLength(2);
  });
});

test('every-run mode sends every failing account each run, marking what is new', async () => {
  await withSimulator(world({ aFails: true }), async (sim) => {
    const cfg = { TRAILCHECK_ALERT_MODE: 'every-run' };
    await run(sim, 0, cfg);
    await run(sim, 1, cfg);
    expect(sim.published).toHaveLength(2);
    const m = lastMessage(sim);
    expect(m.json.kind).toBe('every-run');
    expect(changed(m.json)).toEqual([[A, 'still-failing', 'FAIL', 'FAIL']]);
    expect(m.subject).toBe('trailcheck: 1 FAIL of 3 accounts');
  });
});

test('an unreadable previous report (bad pointer) means a first run, not a crash; the pointer is then repaired', async () => {
  await withSimulator(world({ aFails: true }), async (sim) => {
    await run(sim, 0);
    await s3(sim).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'trailcheck/latest.json', Body: '{not json' }));
    const r = await run(sim, 1);
    expect(r.alert).toMatchObject({ kind: 'first-run', sent: true });
    expect(lastMessage(sim).email).toContain(`First run: s3://${BUCKET}/trailcheck/latest.json is not valid JSON.`);
    expect(await readJson(sim, 'trailcheck/latest.json')).toMatchObject({ runId: r.runId });
    expect((await run(sim, 2)).alert.sent).toBe(false);
  });
});

test('a pointer to a report that was deleted (lifecycle expiry) is a first run', async () => {
  await withSimulator(world({ aFails: true }), async (sim) => {
    await run(sim, 0);
    const latest = await readJson(sim, 'trailcheck/latest.json');
    await s3(sim).send(new DeleteObjectCommand({ Bucket: BUCKET, Key: latest.reportKey as string }));
    const r = await run(sim, 1);
    expect(r.alert).toMatchObject({ kind: 'first-run', sent: true });
    expect(lastMessage(sim).json.changes.previousUnavailable).toBe(`no previous report (s3://${BUCKET}/${latest.reportKey as string} does not exist)`);
  });
});

test('a previous report that cannot be read (AccessDenied) is a first run', async () => {
  await withSimulator(world({ aFails: true }, { faults: [{ service: 's3', action: 'GetObject', kind: 'error', code: 'AccessDenied', status: 403, message: 'Access Denied' }] }), async (sim) => {
    const r = await run(sim, 0);
    expect(r.alert.kind).toBe('first-run');
    expect(lastMessage(sim).json.changes.previousUnavailable).toMatch(/latest\.json could not be read: AccessDenied/);
  });
});

test('a failed archive write does not lose the alert: it is published (saying so), then the invocation fails and the pointer stays', async () => {
  await withSimulator(world({ aFails: true }), async (sim) => {
    const first = await run(sim, 0);
    sim.setScenario(world({ aFails: true, bError: true }, { faults: [{ service: 's3', action: 'PutObject', kind: 'error', code: 'AccessDenied', status: 403, times: 1 }] }));
    await expect(run(sim, 1)).rejects.toThrow(/could not be archived to s3:\/\/trailcheck-reports-test\/trailcheck\/reports\/.*AccessDenied.*the alert was published/);
    const m = lastMessage(sim);
    expect(changed(m.json)).toEqual([[B, 'new-error', 'PASS', 'ERROR']]);
    expect(m.json.report).toEqual({ unavailable: expect.stringMatching(/could not be written: AccessDenied/) });
    expect(m.email).toContain('Full report: not archived');
    expect(await readJson(sim, 'trailcheck/latest.json')).toMatchObject({ runId: first.runId });
  });
});

test('a failed publish fails the invocation with the report archived and the pointer unmoved, so the next run sends the change again', async () => {
  await withSimulator(world(), async (sim) => {
    const first = await run(sim, 0);
    sim.setScenario(world({ aFails: true }));
    await expect(run(sim, 1, { TRAILCHECK_TOPIC_ARN: `arn:aws:sns:us-east-1:${MGMT}:missing` })).rejects.toMatchObject({ name: 'NotFoundException' });
    expect(await reportKeys(sim)).toHaveLength(2);
    expect(await readJson(sim, 'trailcheck/latest.json')).toMatchObject({ runId: first.runId });
    const retry = await run(sim, 1);
    expect(retry.alert).toMatchObject({ kind: 'changes', sent: true });
    expect(changed(lastMessage(sim).json)).toEqual([[A, 'new-fail', 'PASS', 'FAIL']]);
  });
});

test('without a report bucket every run is a first run (all failing accounts sent), as before the archive existed', async () => {
  await withSimulator(world({ aFails: true }), async (sim) => {
    await run(sim, 0, { TRAILCHECK_REPORT_BUCKET: '' });
    await run(sim, 1, { TRAILCHECK_REPORT_BUCKET: '' });
    expect(sim.published.map((p) => JSON.parse(JSON.parse(p.message).default).kind)).toEqual(['first-run', 'first-run']);
    expect(sim.callCount('s3')).toBe(0);
  });
});

test('with Chatbot configured, the message carries the custom notification under the https key', async () => {
  await withSimulator(world({ aFails: true }), async (sim) => {
    await run(sim, 0, { TRAILCHECK_CHATBOT_FORMAT: 'true' });
    const body = JSON.parse(sim.published[0].message);
    expect(Object.keys(body).sort()).toEqual(['default', 'email', 'https']);
    const chatbot = JSON.parse(body.https);
    expect(chatbot).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown', title: 'trailcheck: 1 FAIL of 3 accounts' } });
    expect(chatbot.content.description).toContain(A);
    expect(chatbot.content.nextSteps.join('\n')).toContain('aws cloudtrail start-logging --name pay-trail --region us-east-1');
  });
});

test('bad alert settings fail the invocation with a message naming the variable', async () => {
  await withSimulator(world(), async (sim) => {
    await expect(run(sim, 0, { TRAILCHECK_ALERT_MODE: 'weekly' })).rejects.toThrow('TRAILCHECK_ALERT_MODE: expected changes or every-run, got "weekly"');
    await expect(run(sim, 0, { TRAILCHECK_REMINDER_DAYS: '-1' })).rejects.toThrow(/^TRAILCHECK_REMINDER_DAYS: expected a whole number from 0 to 365/);
    await expect(run(sim, 0, { TRAILCHECK_REPORT_BUCKET: 'My_Bucket' })).rejects.toThrow(/^TRAILCHECK_REPORT_BUCKET: expected an S3 bucket name/);
    await expect(run(sim, 0, { TRAILCHECK_REPORT_PREFIX: 'no-slash' })).rejects.toThrow(/^TRAILCHECK_REPORT_PREFIX: expected an S3 key prefix ending with "\/"/);
  });
});
