/** The simulator's S3 and Secrets Manager, through the real SDK clients, and their scenario validation. */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import http from 'node:http';
import { parseScenario } from '../../simulator/scenario';
import { sigV4Headers } from '../../simulator/sigv4';
import { CALLER, scenario, withSimulator } from './harness';

const creds = { accessKeyId: CALLER.accessKeyId, secretAccessKey: CALLER.secretAccessKey };
const s = scenario([], { buckets: ['reports-bucket'], secrets: [{ name: 'trailcheck/slack', value: 'https://hooks.slack.com/services/T/B/x' }] });

describe('S3', () => {
  test('put, get (same bytes and content type), head, list by prefix, delete: objects survive setScenario', async () => {
    await withSimulator(s, async (sim) => {
      const s3 = new S3Client({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
      await s3.send(new PutObjectCommand({ Bucket: 'reports-bucket', Key: 'p/reports/a b.json', Body: '{"ü":1}', ContentType: 'application/json' }));
      await s3.send(new PutObjectCommand({ Bucket: 'reports-bucket', Key: 'p/latest.json', Body: '{}' }));
      sim.setScenario({ ...s });
      const got = await s3.send(new GetObjectCommand({ Bucket: 'reports-bucket', Key: 'p/reports/a b.json' }));
      expect(await got.Body?.transformToString()).toBe('{"ü":1}');
      expect(got.ContentType).toBe('application/json');
      expect((await s3.send(new HeadObjectCommand({ Bucket: 'reports-bucket', Key: 'p/latest.json' }))).ContentLength).toBe(2);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'reports-bucket', Prefix: 'p/reports/' }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual(['p/reports/a b.json']);
      await s3.send(new DeleteObjectCommand({ Bucket: 'reports-bucket', Key: 'p/latest.json' }));
      await expect(s3.send(new GetObjectCommand({ Bucket: 'reports-bucket', Key: 'p/latest.json' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
      await expect(s3.send(new HeadObjectCommand({ Bucket: 'reports-bucket', Key: 'p/latest.json' }))).rejects.toMatchObject({ name: 'NotFound' });
      expect(sim.callCounts()).toMatchObject({ 's3:PutObject': 2, 's3:GetObject': 2, 's3:ListObjectsV2': 1 });
      expect(sim.calls.find((c) => c.action === 'PutObject')?.params).toEqual({ bucket: 'reports-bucket', key: 'p/reports/a b.json' });
    });
  });

  test('a bucket the scenario does not have is NoSuchBucket; faults apply to S3 actions', async () => {
    await withSimulator({ ...s, faults: [{ service: 's3', action: 'PutObject', kind: 'error', code: 'SlowDown', status: 503 }] }, async (sim) => {
      const s3 = new S3Client({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
      await expect(s3.send(new GetObjectCommand({ Bucket: 'other-bucket', Key: 'k' }))).rejects.toMatchObject({ name: 'NoSuchBucket' });
      await expect(s3.send(new PutObjectCommand({ Bucket: 'reports-bucket', Key: 'k', Body: 'x' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 503 } });
    });
  });

  test('virtual-hosted-style addressing (bucket.localhost) is understood too', async () => {
    await withSimulator(s, async (sim) => {
      const s3 = new S3Client({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
      await s3.send(new PutObjectCommand({ Bucket: 'reports-bucket', Key: 'k.json', Body: 'hello' }));
      // What the SDK sends to http://localhost:PORT (the host name does not resolve here, so send it by hand).
      const host = `reports-bucket.localhost:${sim.port}`;
      const body = await new Promise<string>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: sim.port, path: '/k.json', method: 'GET', headers: { host, ...sigV4Headers({ method: 'GET', url: '/k.json', headers: { host }, body: '' }, creds, 'us-east-1', 's3') } },
          (res) => {
            let b = '';
            res.on('data', (c) => (b += c));
            res.on('end', () => resolve(b));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe('hello');
    });
  });
});

describe('S3 conditional writes and deletes (what the run lock relies on)', () => {
  const B = 'reports-bucket';
  const status = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

  test('If-None-Match: * creates a key once; a second create is 412 PreconditionFailed and leaves the object as it was', async () => {
    await withSimulator(s, async (sim) => {
      const s3 = new S3Client({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
      const first = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'lock', Body: 'first', IfNoneMatch: '*' }));
      expect(first.ETag).toMatch(/^"[0-9a-f]{32}"$/);
      const second = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'lock', Body: 'second', IfNoneMatch: '*' })).catch((e: unknown) => e);
      expect(second).toMatchObject({ name: 'PreconditionFailed', Condition: 'If-None-Match' });
      expect(status(second)).toBe(412);
      expect(await (await s3.send(new GetObjectCommand({ Bucket: B, Key: 'lock' }))).Body?.transformToString()).toBe('first');
    });
  });

  test('If-Match replaces an object only while its ETag is the one given (quoted or not); a missing key is 404 NoSuchKey', async () => {
    await withSimulator(s, async (sim) => {
      const s3 = new S3Client({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
      const { ETag } = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'lock', Body: 'v1' }));
      const v2 = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'lock', Body: 'v2', IfMatch: ETag }));
      // The first ETag is stale now: another writer replaced the object.
      const stale = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'lock', Body: 'v3', IfMatch: ETag })).catch((e: unknown) => e);
      expect(stale).toMatchObject({ name: 'PreconditionFailed', Condition: 'If-Match' });
      expect(status(stale)).toBe(412);
      await s3.send(new PutObjectCommand({ Bucket: B, Key: 'lock', Body: 'v3', IfMatch: (v2.ETag as string).replace(/"/g, '') }));
      expect(await (await s3.send(new GetObjectCommand({ Bucket: B, Key: 'lock' }))).Body?.transformToString()).toBe('v3');
      const missing = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'no-such-lock', Body: 'x', IfMatch: ETag })).catch((e: unknown) => e);
      expect(missing).toMatchObject({ name: 'NoSuchKey' });
      expect(status(missing)).toBe(404);
    });
  });

  test('DeleteObject with If-Match deletes only the object with that ETag', async () => {
    await withSimulator(s, async (sim) => {
      const s3 = new S3Client({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
      const old = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'lock', Body: 'mine' }));
      const now = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'lock', Body: 'taken over' }));
      const refused = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'lock', IfMatch: old.ETag })).catch((e: unknown) => e);
      expect(refused).toMatchObject({ name: 'PreconditionFailed' });
      expect(status(refused)).toBe(412);
      expect(await (await s3.send(new GetObjectCommand({ Bucket: B, Key: 'lock' }))).Body?.transformToString()).toBe('taken over');
      await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'lock', IfMatch: now.ETag }));
      await expect(s3.send(new GetObjectCommand({ Bucket: B, Key: 'lock' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
      await expect(s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'lock', IfMatch: now.ETag }))).rejects.toMatchObject({ name: 'NoSuchKey' });
      // Without a condition a delete of a missing key succeeds, as S3's does.
      await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'lock' }));
    });
  });
});

describe('Secrets Manager', () => {
  test('GetSecretValue by name and by ARN; unknown secrets and other regions are ResourceNotFoundException; the value is not logged', async () => {
    await withSimulator(s, async (sim) => {
      const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
      const byName = await sm.send(new GetSecretValueCommand({ SecretId: 'trailcheck/slack' }));
      expect(byName).toMatchObject({ Name: 'trailcheck/slack', SecretString: 'https://hooks.slack.com/services/T/B/x', ARN: expect.stringMatching(/^arn:aws:secretsmanager:us-east-1:111111111111:secret:trailcheck\/slack-[A-Z2-7]{6}$/) });
      expect((await sm.send(new GetSecretValueCommand({ SecretId: byName.ARN }))).SecretString).toBe(byName.SecretString);
      await expect(sm.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      const west = new SecretsManagerClient({ region: 'us-west-2', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
      await expect(west.send(new GetSecretValueCommand({ SecretId: 'trailcheck/slack' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      expect(JSON.stringify(sim.calls)).not.toContain('hooks.slack.com');
    });
  });
});

describe('scenario validation', () => {
  test.each([
    [{ buckets: ['Bad_Bucket'] }, 'x.json: buckets[0]: expected an S3 bucket name'],
    [{ buckets: ['b-1', 'b-1'] }, 'x.json: buckets[1]: duplicate bucket "b-1"'],
    [{ secrets: [{ name: 's', value: 1 }] }, 'x.json: secrets[0].value: expected a string (the SecretString), got 1'],
    [{ secrets: [{ name: 's', value: 'v', region: 'ap-east-1' }] }, 'x.json: secrets[0].region: "ap-east-1" is not one of the scenario\'s regions'],
    [{ secrets: [{ name: 's', value: 'v', rotation: true }] }, 'x.json: secrets[0].rotation: unknown field'],
  ])('%j → %s', (extra, message) => {
    expect(() => parseScenario({ ...scenario([]), ...extra }, 'x.json')).toThrow(message);
  });

  test('S3 and Secrets Manager faults are accepted', () => {
    expect(() => parseScenario({ ...s, faults: [{ service: 's3', kind: 'error', code: 'SlowDown' }, { service: 'secretsmanager', kind: 'reset' }] }, 'x.json')).not.toThrow();
  });
});
