/** lambda/aws/run-lock.ts against a mocked S3 client (through aws/s3-sdk.ts): take, skip, take over a stale lock, release. */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { CLOCK_SLACK_MS, MAX_RUN_MS, parseHolder, RunLock } from '../../lambda/aws/run-lock';
import { SdkS3Objects } from '../../lambda/aws/s3-sdk';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'eu-west-1' });
const BUCKET = 'trailcheck-reports';
const KEY = 'trailcheck/run-lock.json';
const NOW = new Date('2026-03-02T06:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const lock = (now = NOW) => new RunLock(new SdkS3Objects(client), BUCKET, KEY, () => now);

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
}
const preconditionFailed = () => s3Error('PreconditionFailed', 412);

/** A lock object as another run wrote it. */
function stored(body: unknown, etag = '"held-etag"', lastModified = at(-60_000)) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { ETag: etag, LastModified: lastModified, Body: { transformToString: async () => text } as never };
}
const holder = (expiresAt: Date, owner = 'req-other') => ({ type: 'trailcheck.run-lock', schemaVersion: 1, owner, takenAt: at(-60_000).toISOString(), expiresAt: expiresAt.toISOString() });

const puts = () => s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);

beforeEach(() => {
  s3.reset();
});

describe('acquire', () => {
  test('a free lock is created with If-None-Match: *, naming this run and its deadline', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"mine"' });
    const out = await lock().acquire('req-1', at(900_000));
    expect(out).toMatchObject({ acquired: true });
    expect(puts()).toHaveLength(1);
    expect(puts()[0]).toMatchObject({ Bucket: BUCKET, Key: KEY, IfNoneMatch: '*', ContentType: 'application/json' });
    expect(puts()[0].IfMatch).toBeUndefined();
    expect(JSON.parse(puts()[0].Body as string)).toEqual({ type: 'trailcheck.run-lock', schemaVersion: 1, owner: 'req-1', takenAt: NOW.toISOString(), expiresAt: at(900_000).toISOString() });
  });

  test('a lock held by a run still within its deadline: not acquired, the holder and the reason returned, nothing overwritten', async () => {
    s3.on(PutObjectCommand).rejects(preconditionFailed());
    s3.on(GetObjectCommand).resolves(stored(holder(at(600_000))));
    const out = await lock().acquire('req-2', at(900_000));
    expect(out).toEqual({
      acquired: false,
      holder: { owner: 'req-other', takenAt: at(-60_000).toISOString(), expiresAt: at(600_000).toISOString() },
      reason: `another run (req-other, started ${at(-60_000).toISOString()}) holds s3://${BUCKET}/${KEY} until ${at(600_000).toISOString()}`,
    });
    expect(puts()).toHaveLength(1);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  test('a lock whose holder ran out of time is taken over with If-Match on the ETag read, so only one taker wins', async () => {
    s3.on(PutObjectCommand, { IfNoneMatch: '*' }).rejects(preconditionFailed());
    s3.on(PutObjectCommand, { IfMatch: '"held-etag"' }).resolves({ ETag: '"taken"' });
    s3.on(GetObjectCommand).resolves(stored(holder(at(-CLOCK_SLACK_MS - 1))));
    const out = await lock().acquire('req-3', at(900_000));
    expect(out).toMatchObject({ acquired: true, tookOver: { owner: 'req-other' } });
    expect(puts().map((p) => [p.IfNoneMatch, p.IfMatch])).toEqual([
      ['*', undefined],
      [undefined, '"held-etag"'],
    ]);
    expect(JSON.parse(puts()[1].Body as string)).toMatchObject({ owner: 'req-3' });
  });

  test('a deadline passed by less than the clock slack still holds', async () => {
    s3.on(PutObjectCommand).rejects(preconditionFailed());
    s3.on(GetObjectCommand).resolves(stored(holder(at(-CLOCK_SLACK_MS + 1000))));
    expect(await lock().acquire('req-4', at(900_000))).toMatchObject({ acquired: false });
    expect(puts()).toHaveLength(1);
  });

  test('a holder cannot keep the lock beyond Lambda’s maximum run time, whatever expiresAt it wrote', async () => {
    s3.on(PutObjectCommand, { IfNoneMatch: '*' }).rejects(preconditionFailed());
    s3.on(PutObjectCommand, { IfMatch: '"held-etag"' }).resolves({ ETag: '"taken"' });
    s3.on(GetObjectCommand).resolves(stored(holder(new Date('2199-01-01T00:00:00Z')), '"held-etag"', at(-MAX_RUN_MS - CLOCK_SLACK_MS - 1)));
    expect(await lock().acquire('req-5', at(900_000))).toMatchObject({ acquired: true, tookOver: { owner: 'req-other' } });
  });

  test('an unreadable lock counts as held for the maximum run time after it was written, then is taken over', async () => {
    s3.on(PutObjectCommand, { IfNoneMatch: '*' }).rejects(preconditionFailed());
    s3.on(PutObjectCommand, { IfMatch: '"held-etag"' }).resolves({ ETag: '"taken"' });
    s3.on(GetObjectCommand).resolves(stored('{not json', '"held-etag"', at(-5 * 60_000)));
    const held = await lock().acquire('req-6', at(900_000));
    expect(held).toEqual({ acquired: false, reason: `s3://${BUCKET}/${KEY} is not valid JSON (written ${at(-5 * 60_000).toISOString()}); it counts as held until ${at(10 * 60_000).toISOString()}` });
    s3.on(GetObjectCommand).resolves(stored('{not json', '"held-etag"', at(-MAX_RUN_MS - CLOCK_SLACK_MS - 1)));
    expect(await lock().acquire('req-6', at(900_000))).toMatchObject({ acquired: true, tookOver: { unreadable: 'is not valid JSON' } });
  });

  test('two runs taking over the same stale lock: the one whose If-Match fails sees the winner’s lock and is skipped', async () => {
    s3.on(PutObjectCommand, { IfNoneMatch: '*' }).rejects(preconditionFailed());
    s3.on(PutObjectCommand, { IfMatch: '"held-etag"' }).rejects(preconditionFailed());
    s3.on(GetObjectCommand)
      .resolvesOnce(stored(holder(at(-MAX_RUN_MS))))
      .resolves(stored(holder(at(800_000), 'req-winner'), '"winner-etag"', NOW));
    const out = await lock().acquire('req-7', at(900_000));
    expect(out).toMatchObject({ acquired: false, holder: { owner: 'req-winner' } });
  });

  test('a lock released between our write and our read: created on the next round', async () => {
    s3.on(PutObjectCommand).rejectsOnce(preconditionFailed()).resolves({ ETag: '"mine"' });
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
    expect(await lock().acquire('req-8', at(900_000))).toMatchObject({ acquired: true });
    expect(puts().map((p) => p.IfNoneMatch)).toEqual(['*', '*']);
  });

  test('409 ConditionalRequestConflict (a concurrent conditional write) counts as "held", not as a failure', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('ConditionalRequestConflict', 409));
    s3.on(GetObjectCommand).resolves(stored(holder(at(600_000))));
    expect(await lock().acquire('req-9', at(900_000))).toMatchObject({ acquired: false, holder: { owner: 'req-other' } });
  });

  test('a lock that keeps changing gives up after a few rounds, skipped, with the reason', async () => {
    s3.on(PutObjectCommand).rejects(preconditionFailed());
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
    const out = await lock().acquire('req-10', at(900_000));
    expect(out).toEqual({ acquired: false, reason: `s3://${BUCKET}/${KEY} kept changing while run req-10 tried to take it (3 rounds): other runs are starting at the same time` });
    expect(puts()).toHaveLength(3);
  });

  test('S3 refusing the write (AccessDenied) throws, for the caller to decide', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403));
    await expect(lock().acquire('req-11', at(900_000))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('release', () => {
  async function taken() {
    s3.on(PutObjectCommand).resolves({ ETag: '"mine"' });
    const out = await lock().acquire('req-1', at(900_000));
    if (!out.acquired) throw new Error('expected the lock');
    return out.lock;
  }

  test('deletes the lock with If-Match on its own ETag, once', async () => {
    const held = await taken();
    s3.on(DeleteObjectCommand).resolves({});
    expect(await held.release()).toEqual({ released: true });
    expect(await held.release()).toEqual({ released: true });
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: BUCKET, Key: KEY, IfMatch: '"mine"' }]);
  });

  test.each([
    ['taken over after this run’s deadline (412)', preconditionFailed(), 'was taken over by another run after this one\'s deadline; left to it'],
    ['already gone (404)', s3Error('NoSuchKey', 404), 'was already gone'],
    ['S3 failing (503)', s3Error('SlowDown', 503), 'could not be deleted (SlowDown: SlowDown); it expires at this run\'s deadline'],
  ])('never throws: %s', async (_name, err, reason) => {
    const held = await taken();
    s3.on(DeleteObjectCommand).rejects(err);
    expect(await held.release()).toEqual({ released: false, reason: `s3://${BUCKET}/${KEY} ${reason}` });
  });
});

describe('parseHolder', () => {
  test.each([
    ['', 'is not valid JSON'],
    ['[]', 'is not a trailcheck run lock (schemaVersion 1)'],
    ['{"type":"trailcheck.run-lock","schemaVersion":2}', 'is not a trailcheck run lock (schemaVersion 1)'],
    ['{"type":"trailcheck.run-lock","schemaVersion":1,"owner":"r","takenAt":"t","expiresAt":"soon"}', 'has no owner, takenAt or valid expiresAt'],
  ])('%j → %s', (text, reason) => {
    expect(parseHolder(text)).toBe(reason);
  });
});
