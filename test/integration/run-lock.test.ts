/**
 * The run lock against the simulator's S3 (conditional writes), through the Lambda's signed-HTTP
 * adapter (aws/s3-wire.ts) and through the SDK client (aws/s3-sdk.ts), and the handler with it: one run at a time, a second run skipped cleanly, a stale lock taken over, the
 * lock released whatever happens, and an audit that still runs when the lock cannot be written.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsClients } from '../../lambda/aws/clients';
import { MAX_RUN_MS, RunLock } from '../../lambda/aws/run-lock';
import type { S3Objects } from '../../lambda/aws/s3-objects';
import { SdkS3Objects } from '../../lambda/aws/s3-sdk';
import { createHandler } from '../../lambda/handler';
import type { Scenario } from '../../simulator/scenario-types';
import type { Simulator } from '../../simulator/server';
import { account, audited, CALLER, goodTrail, MGMT, scenario, TOPIC, withSimulator } from './harness';

const BUCKET = 'trailcheck-reports-lock-test';
const LOCK_KEY = 'trailcheck/run-lock.json';
const event = { 'detail-type': 'Scheduled Event', source: 'aws.scheduler' };
const context = (id = 'req-1') => ({ getRemainingTimeInMillis: () => 60_000, awsRequestId: id });

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

const world = (extra: Partial<Scenario> = {}) =>
  scenario([account('200000000001', { trails: [goodTrail('main', { status: { isLogging: false } })] })], { buckets: [BUCKET], ...extra });

function s3(sim: Simulator): S3Client {
  return new S3Client({ region: 'us-east-1', endpoint: sim.url, credentials: { accessKeyId: CALLER.accessKeyId, secretAccessKey: CALLER.secretAccessKey }, maxAttempts: 1 });
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
    TRAILCHECK_RUN_LOCK_KEY: LOCK_KEY,
    TRAILCHECK_MAX_ATTEMPTS: '2',
    ...extra,
  };
}

function handlerFor(sim: Simulator, logger: Logger, extra: Record<string, string> = {}) {
  // The SDK reads AWS_ENDPOINT_URL from process.env.
  Object.assign(process.env, env(sim, extra));
  delete process.env.AWS_PROFILE;
  return createHandler({ env: env(sim, extra), logger });
}

async function lockBody(sim: Simulator): Promise<Record<string, unknown> | undefined> {
  try {
    const out = await s3(sim).send(new GetObjectCommand({ Bucket: BUCKET, Key: LOCK_KEY }));
    return JSON.parse(await out.Body!.transformToString());
  } catch (err) {
    if ((err as Error).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

async function reportKeys(sim: Simulator): Promise<string[]> {
  const out = await s3(sim).send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'trailcheck/' }));
  return (out.Contents ?? []).map((o) => o.Key as string).filter((k) => k !== LOCK_KEY);
}

/** A lock written by another run, as it would have written it. */
async function heldBy(sim: Simulator, owner: string, expiresAt: Date): Promise<void> {
  const body = { type: 'trailcheck.run-lock', schemaVersion: 1, owner, takenAt: new Date().toISOString(), expiresAt: expiresAt.toISOString() };
  await s3(sim).send(new PutObjectCommand({ Bucket: BUCKET, Key: LOCK_KEY, Body: JSON.stringify(body), IfNoneMatch: '*' }));
}

const opened: AwsClients[] = [];
afterEach(() => opened.splice(0).forEach((c) => c.close()));

/** The bucket as the Lambda reaches it (signed HTTP over the run's pool), or through the SDK client. */
function objects(sim: Simulator, via: 'wire' | 'sdk'): S3Objects {
  if (via === 'sdk') return new SdkS3Objects(s3(sim));
  const clients = new AwsClients({ maxAttempts: 1, callTimeoutMs: 5_000, maxSockets: 10, endpoint: sim.url, credentials: { accessKeyId: CALLER.accessKeyId, secretAccessKey: CALLER.secretAccessKey } });
  opened.push(clients);
  return clients.s3('us-east-1');
}

describe.each(['wire', 'sdk'] as const)('RunLock against S3 conditional writes (%s)', (via) => {
  test('of runs starting together, exactly one takes the lock; after its release the next one can', async () => {
    await withSimulator(world(), async (sim) => {
      const client = objects(sim, via);
      const deadline = new Date(Date.now() + 60_000);
      const outcomes = await Promise.all(['a', 'b', 'c', 'd'].map((id) => new RunLock(client, BUCKET, LOCK_KEY).acquire(`req-${id}`, deadline)));
      const winners = outcomes.filter((o) => o.acquired);
      expect(winners).toHaveLength(1);
      for (const o of outcomes.filter((x) => !x.acquired)) expect(o).toMatchObject({ holder: { owner: (await lockBody(sim))?.owner } });
      if (!winners[0].acquired) throw new Error('unreachable');
      expect(await winners[0].lock.release()).toEqual({ released: true });
      expect(await lockBody(sim)).toBeUndefined();
      expect(await new RunLock(client, BUCKET, LOCK_KEY).acquire('req-e', deadline)).toMatchObject({ acquired: true });
    });
  });

  test('a lock past its holder’s deadline is taken over; the late holder’s release then leaves the new lock alone', async () => {
    await withSimulator(world(), async (sim) => {
      const client = objects(sim, via);
      const first = await new RunLock(client, BUCKET, LOCK_KEY).acquire('req-old', new Date(Date.now() + 60_000));
      if (!first.acquired) throw new Error('expected the lock');
      // Later than the old run's deadline (and Lambda's maximum run time).
      const later = () => new Date(Date.now() + MAX_RUN_MS + 60_000);
      const second = await new RunLock(client, BUCKET, LOCK_KEY, later).acquire('req-new', new Date(later().getTime() + 60_000));
      expect(second).toMatchObject({ acquired: true, tookOver: { owner: 'req-old' } });
      expect(await first.lock.release()).toEqual({ released: false, reason: `s3://${BUCKET}/${LOCK_KEY} was taken over by another run after this one's deadline; left to it` });
      expect(await lockBody(sim)).toMatchObject({ owner: 'req-new' });
    });
  });
});

describe('the handler with the run lock', () => {
  test('takes the lock for the run and releases it after the report is archived and published', async () => {
    await withSimulator(world(), async (sim) => {
      const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
      const result = audited(await handlerFor(sim, logger)(event, context()));
      expect(result.publish).toMatchObject({ published: true });
      expect(sim.calls.filter((c) => c.action === 'PutObject' && c.params.key === LOCK_KEY)).toHaveLength(1);
      expect(sim.calls.filter((c) => c.action === 'DeleteObject').map((c) => c.params.key)).toEqual([LOCK_KEY]);
      // Released last: after the latest-report pointer.
      const s3Calls = sim.calls.filter((c) => c.service === 's3').map((c) => `${c.action} ${String(c.params.key).replace(/reports\/.*/, 'reports/…')}`);
      expect(s3Calls[0]).toBe(`PutObject ${LOCK_KEY}`);
      expect(s3Calls.slice(-2)).toEqual(['PutObject trailcheck/latest.json', `DeleteObject ${LOCK_KEY}`]);
      expect(await lockBody(sim)).toBeUndefined();
    });
  });

  test('a second run while one holds the lock ends cleanly: skipped, a log line, no audit, no alert, no report, the lock untouched', async () => {
    await withSimulator(world(), async (sim) => {
      const until = new Date(Date.now() + 10 * 60_000);
      await heldBy(sim, 'req-running', until);
      const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
      const warn = jest.spyOn(logger, 'warn');
      const before = sim.calls.length;
      const result = await handlerFor(sim, logger)(event, context('req-second'));
      expect(result).toEqual({
        skipped: true,
        lock: `s3://${BUCKET}/${LOCK_KEY}`,
        holder: { owner: 'req-running', takenAt: expect.any(String), expiresAt: until.toISOString() },
        reason: expect.stringMatching(new RegExp(`^another run \\(req-running, started .*\\) holds s3://${BUCKET}/${LOCK_KEY.replace(/\//g, '\\/')} until ${until.toISOString().replace(/\./g, '\\.')}$`)),
      });
      expect(warn).toHaveBeenCalledWith('run skipped: another run holds the run lock', expect.objectContaining({ lock: `s3://${BUCKET}/${LOCK_KEY}` }));
      // Only the lock was looked at: no account listed, nothing published, nothing archived.
      expect(sim.calls.slice(before).map((c) => `${c.service}:${c.action}`)).toEqual(['s3:PutObject', 's3:GetObject']);
      expect(sim.published).toHaveLength(0);
      expect(await reportKeys(sim)).toEqual([]);
      expect(await lockBody(sim)).toMatchObject({ owner: 'req-running' });
    });
  });

  test('a lock left by a run that ran out of time is taken over, the audit runs, and the lock is released', async () => {
    await withSimulator(world(), async (sim) => {
      await heldBy(sim, 'req-killed', new Date(Date.now() - 60_000));
      const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
      const warn = jest.spyOn(logger, 'warn');
      const result = audited(await handlerFor(sim, logger)(event, context('req-next')));
      expect(result.publish).toMatchObject({ published: true });
      expect(warn).toHaveBeenCalledWith('run lock taken over from a run that ran out of time', expect.objectContaining({ previous: expect.objectContaining({ owner: 'req-killed' }) }));
      expect(await lockBody(sim)).toBeUndefined();
    });
  });

  test('a failed run (the publish fails) still releases the lock, so the retry is not skipped', async () => {
    await withSimulator(world(), async (sim) => {
      const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
      const failing = handlerFor(sim, logger, { TRAILCHECK_TOPIC_ARN: `arn:aws:sns:us-east-1:${MGMT}:missing` });
      await expect(failing(event, context('req-fails'))).rejects.toMatchObject({ name: 'NotFoundException' });
      expect(await lockBody(sim)).toBeUndefined();
      const retry = await handlerFor(sim, logger)(event, context('req-retry'));
      expect(audited(retry).publish).toMatchObject({ published: true });
    });
  });

  test('a lock that cannot be written (AccessDenied) does not stop the audit: it runs without it and logs why', async () => {
    await withSimulator(world({ faults: [{ service: 's3', action: 'PutObject', kind: 'error', code: 'AccessDenied', status: 403, times: 1 }] }), async (sim) => {
      const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
      const error = jest.spyOn(logger, 'error');
      const result = audited(await handlerFor(sim, logger)(event, context()));
      expect(result.publish).toMatchObject({ published: true });
      expect(error).toHaveBeenCalledWith('run lock unavailable: auditing without it', expect.objectContaining({ error: expect.stringMatching(/^AccessDenied/) }));
      expect(sim.calls.filter((c) => c.action === 'DeleteObject')).toHaveLength(0);
    });
  });

  test('no lock without TRAILCHECK_RUN_LOCK_KEY (the CLI, and functions deployed before the lock)', async () => {
    await withSimulator(world(), async (sim) => {
      const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
      audited(await handlerFor(sim, logger, { TRAILCHECK_RUN_LOCK_KEY: '' })(event, context()));
      expect(sim.calls.filter((c) => c.params.key === LOCK_KEY)).toHaveLength(0);
    });
  });
});
