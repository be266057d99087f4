/** lambda/aws/credentials.ts against a mocked STS client; the rate limiter under fake timers. */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountCredentials, partitionOf, RateLimiter, roleArn, type CredentialOptions } from '../../lambda/aws/credentials';

const sts = mockClient(STSClient);
const client = new STSClient({ region: 'us-east-1' });

const OWN = '111111111111';
const MEMBER = '222222222222';
const OTHER = '333333333333';
const EXPIRATION = new Date('2030-01-01T00:00:00Z');
const CREDS = { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: EXPIRATION };

const options = (extra: Partial<CredentialOptions> = {}): CredentialOptions => ({
  partition: 'aws',
  roleName: 'TrailcheckAuditRole',
  externalId: 'ext-123',
  sessionName: 'trailcheck-20260101T000000Z-abcd',
  ownAccountId: OWN,
  assumeRolePerSecond: 100,
  ...extra,
});

beforeEach(() => {
  sts.reset();
  sts.on(AssumeRoleCommand).resolves({ Credentials: CREDS });
});

describe('AccountCredentials.forAccount', () => {
  test.each([
    ['aws', 'arn:aws:iam::222222222222:role/TrailcheckAuditRole'],
    ['aws-us-gov', 'arn:aws-us-gov:iam::222222222222:role/TrailcheckAuditRole'],
    ['aws-cn', 'arn:aws-cn:iam::222222222222:role/TrailcheckAuditRole'],
  ])('partition %s → RoleArn %s', async (partition, expected) => {
    const creds = new AccountCredentials(client, options({ partition }));
    await creds.forAccount(MEMBER);
    const calls = sts.commandCalls(AssumeRoleCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input.RoleArn).toBe(expected);
    expect(creds.roleArnFor(MEMBER)).toBe(expected);
  });

  test('passes ExternalId and the session name, and returns the credentials', async () => {
    const creds = new AccountCredentials(client, options({ roleName: 'Custom-Role' }));
    const got = await creds.forAccount(MEMBER);
    const input = sts.commandCalls(AssumeRoleCommand)[0].args[0].input;
    expect(input).toMatchObject({
      RoleArn: 'arn:aws:iam::222222222222:role/Custom-Role',
      ExternalId: 'ext-123',
      RoleSessionName: 'trailcheck-20260101T000000Z-abcd',
    });
    expect(got).toEqual({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token', expiration: EXPIRATION });
  });

  test('no ExternalId configured → none sent', async () => {
    const creds = new AccountCredentials(client, options({ externalId: undefined }));
    await creds.forAccount(MEMBER);
    expect(sts.commandCalls(AssumeRoleCommand)[0].args[0].input.ExternalId).toBeUndefined();
  });

  test('memoized: two calls for the same account (concurrent or not) → one AssumeRole', async () => {
    const creds = new AccountCredentials(client, options());
    const [a, b] = await Promise.all([creds.forAccount(MEMBER), creds.forAccount(MEMBER)]);
    const c = await creds.forAccount(MEMBER);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(a).toBe(b);
    expect(c).toBe(a);
  });

  test('different accounts → one AssumeRole each', async () => {
    const creds = new AccountCredentials(client, options());
    await Promise.all([creds.forAccount(MEMBER), creds.forAccount(OTHER), creds.forAccount(MEMBER)]);
    const arns = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn);
    expect(arns.sort()).toEqual(['arn:aws:iam::222222222222:role/TrailcheckAuditRole', 'arn:aws:iam::333333333333:role/TrailcheckAuditRole']);
  });

  test('the own account → undefined, no AssumeRole', async () => {
    const creds = new AccountCredentials(client, options());
    await expect(creds.forAccount(OWN)).resolves.toBeUndefined();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  test.each([
    ['no Credentials', {}],
    ['no SessionToken', { Credentials: { ...CREDS, SessionToken: undefined } }],
    ['no SecretAccessKey', { Credentials: { ...CREDS, SecretAccessKey: undefined } }],
    ['empty AccessKeyId', { Credentials: { ...CREDS, AccessKeyId: '' } }],
  ])('incomplete response (%s) → MalformedResponse', async (_name, response) => {
    sts.on(AssumeRoleCommand).resolves(response as never);
    const creds = new AccountCredentials(client, options());
    await expect(creds.forAccount(MEMBER)).rejects.toMatchObject({ name: 'MalformedResponse', message: expect.stringContaining('Credentials') });
  });

  test('AssumeRole denied → the SDK error propagates', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' }));
    const creds = new AccountCredentials(client, options());
    await expect(creds.forAccount(MEMBER)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('the abort signal is passed to AssumeRole', async () => {
    const controller = new AbortController();
    const creds = new AccountCredentials(client, options(), controller.signal);
    await creds.forAccount(MEMBER);
    expect((sts.commandCalls(AssumeRoleCommand)[0].args as unknown[])[1]).toMatchObject({ abortSignal: controller.signal });
  });

  test('an already-aborted run → rejects without calling AssumeRole', async () => {
    const controller = new AbortController();
    controller.abort();
    const creds = new AccountCredentials(client, options(), controller.signal);
    await expect(creds.forAccount(MEMBER)).rejects.toMatchObject({ name: 'AbortError' });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});

describe('roleArn and partitionOf', () => {
  test('roleArn', () => {
    expect(roleArn('aws-cn', '123456789012', 'R')).toBe('arn:aws-cn:iam::123456789012:role/R');
  });

  test.each([
    ['arn:aws:sts::111111111111:assumed-role/admin/me', 'aws'],
    ['arn:aws-us-gov:sts::111111111111:assumed-role/x/y', 'aws-us-gov'],
    ['arn:aws-cn:iam::111111111111:user/alice', 'aws-cn'],
  ])('partitionOf(%s) = %s', (arn, expected) => {
    expect(partitionOf(arn)).toBe(expected);
  });

  test.each(['', 'not-an-arn', 'arn::sts::1:x'])('partitionOf(%j) throws MalformedResponse', (arn) => {
    expect(() => partitionOf(arn)).toThrow(expect.objectContaining({ name: 'MalformedResponse' }));
  });
});

describe('RateLimiter', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  test('5 per second: 10 takes → a burst of 5, then one every 200 ms (the 10th at 1 s)', async () => {
    const limiter = new RateLimiter(5);
    const start = Date.now();
    const times: number[] = [];
    const all = Array.from({ length: 10 }, () => limiter.take().then(() => times.push(Date.now() - start)));

    await jest.advanceTimersByTimeAsync(0);
    expect(times).toHaveLength(5);
    await jest.advanceTimersByTimeAsync(199);
    expect(times).toHaveLength(5);
    await jest.advanceTimersByTimeAsync(1);
    expect(times).toHaveLength(6);
    await jest.advanceTimersByTimeAsync(799);
    expect(times).toHaveLength(9);
    await jest.advanceTimersByTimeAsync(1);
    await Promise.all(all);
    expect(times).toEqual([0, 0, 0, 0, 0, 200, 400, 600, 800, 1000]);
  });

  test('rate 3 with a burst of 3: the n-th take (n > 3) waits (n - 3) / 3 seconds; 12 takes need 3 s', async () => {
    const limiter = new RateLimiter(3);
    const start = Date.now();
    const times: number[] = [];
    const all = Array.from({ length: 12 }, () => limiter.take().then(() => times.push(Date.now() - start)));
    await jest.advanceTimersByTimeAsync(10_000);
    await Promise.all(all);
    expect(times).toHaveLength(12);
    times.forEach((t, i) => {
      const earliest = i < 3 ? 0 : ((i - 2) * 1000) / 3;
      expect(t).toBeGreaterThanOrEqual(Math.floor(earliest));
      expect(t).toBeLessThan(earliest + 50);
    });
    // Token bucket bound: in any closed 1-second window, at most burst + rate = 6 takes.
    for (const t of times) expect(times.filter((u) => u >= t - 1000 && u <= t).length).toBeLessThanOrEqual(6);
  });

  test('tokens refill while idle: after 1 s of rest a full burst is available again', async () => {
    const limiter = new RateLimiter(4);
    await Promise.all(Array.from({ length: 4 }, () => limiter.take()));
    await jest.advanceTimersByTimeAsync(1000);
    let done = 0;
    const burst = Array.from({ length: 4 }, () => limiter.take().then(() => (done += 1)));
    await jest.advanceTimersByTimeAsync(0);
    expect(done).toBe(4);
    await Promise.all(burst);
  });

  test('an aborted signal rejects the take with AbortError, and later takes still work', async () => {
    const limiter = new RateLimiter(1);
    const controller = new AbortController();
    controller.abort();
    await expect(limiter.take(controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    await expect(limiter.take()).resolves.toBeUndefined();
  });
});
