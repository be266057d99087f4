/**
 * The Lambda's S3 adapter (lambda/aws/s3-wire.ts, s3-objects.ts): signing against AWS's published
 * SigV4 example, the endpoint against the SDK's own S3 rules, keys encoded once, S3's XML errors
 * (hostile ones too) mapped to the names the callers test, conditional writes and retries against
 * the simulator (which checks every signature), and a scripted server for what the simulator
 * cannot answer.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { AwsClients } from '../../lambda/aws/clients';
import { bucketTarget, encodeKey, virtualHostable } from '../../lambda/aws/s3-objects';
import { MAX_ERROR_BYTES, readBounded, s3Error, S3Wire, s3Signer, tagText } from '../../lambda/aws/s3-wire';
import { sigV4Problem } from '../../simulator/sigv4';
import { startSimulator, type Simulator } from '../../simulator/server';
import { CALLER, scenario } from '../integration/harness';

const BUCKET = 'trailcheck-reports-wire';
const EXAMPLE = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const opened: AwsClients[] = [];
afterEach(() => opened.splice(0).forEach((c) => c.close()));

function clients(endpoint: string, maxAttempts = 3): AwsClients {
  const c = new AwsClients({ maxAttempts, callTimeoutMs: 5_000, maxSockets: 10, endpoint, credentials: { accessKeyId: CALLER.accessKeyId, secretAccessKey: CALLER.secretAccessKey } });
  opened.push(c);
  return c;
}

const wireFor = (endpoint: string) => new S3Wire({} as never, { region: 'us-east-1', endpoint, credentials: EXAMPLE, retryStrategy: {} as never });

describe('signing (AWS SigV4 documentation, "Example: GET Object" on examplebucket)', () => {
  test('the GET request as the adapter builds it, signed, carries the published signature', async () => {
    const req = wireFor('https://s3.amazonaws.com').request({ operation: 'GetObject', method: 'GET', bucket: 'examplebucket', key: 'test.txt' });
    expect([req.hostname, req.path]).toEqual(['examplebucket.s3.amazonaws.com', '/test.txt']);
    // The example's headers (the adapter's user agent is not signed in any case).
    req.headers = { host: req.headers.host, range: 'bytes=0-9' };
    const signed = await s3Signer(EXAMPLE, 'us-east-1').sign(req, { signingDate: new Date('2013-05-24T00:00:00Z') });
    expect(signed.headers['x-amz-content-sha256']).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  test('"Example: PUT Object": the key test$file.text is encoded once (/test%24file.text), the body hash signed, and an independent verifier accepts it', async () => {
    const req = wireFor('https://s3.amazonaws.com').request({ operation: 'PutObject', method: 'PUT', bucket: 'examplebucket', key: 'test$file.text', body: 'Welcome to Amazon S3.', headers: { 'content-type': 'text/plain' } });
    expect(req.path).toBe('/test%24file.text');
    const signed = await s3Signer(EXAMPLE, 'us-east-1').sign(req, { signingDate: new Date('2013-05-24T00:00:00Z') });
    expect(signed.headers['x-amz-content-sha256']).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
    expect(signed.headers.authorization).toMatch(/SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date,/);
    const verify = (body: string) => sigV4Problem({ method: 'PUT', url: req.path, headers: signed.headers, body: Buffer.from(body) }, () => EXAMPLE.secretAccessKey);
    expect(verify('Welcome to Amazon S3.')).toBeUndefined();
    expect(verify('Welcome to Amazon S3!')).toMatch(/x-amz-content-sha256 is not the hash of the body/);
  });
});

describe('keys in the path', () => {
  test.each([
    ['trailcheck/reports/2026/03/02/run-1.json', 'trailcheck/reports/2026/03/02/run-1.json'],
    ['a b+c', 'a%20b%2Bc'],
    ['100%/x', '100%25/x'],
    ["it's (x)*!~", 'it%27s%20%28x%29%2A%21~'],
    ['dir//é', 'dir//%C3%A9'],
    ['%2F', '%252F'],
  ])('%j → %s (each segment once, / kept)', (key, path) => {
    expect(encodeKey(key)).toBe(path);
  });
});

describe('the endpoint, as the SDK resolves it for GetObject', () => {
  async function sdk(region: string, bucket: string, env: Record<string, string>): Promise<string> {
    const saved = { ...process.env };
    for (const k of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_USE_FIPS_ENDPOINT', 'AWS_USE_DUALSTACK_ENDPOINT', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS']) delete process.env[k];
    Object.assign(process.env, env, { AWS_CONFIG_FILE: '/dev/null' });
    try {
      const client = new S3Client({ region, credentials: EXAMPLE });
      const e = await getEndpointFromInstructions({ Bucket: bucket, Key: 'k' }, GetObjectCommand, client.config as never);
      return e.url.href;
    } finally {
      process.env = saved;
    }
  }
  const cases: Array<[string, string, Record<string, string>]> = [
    ['us-east-1', 'my-bucket', {}],
    ['eu-west-1', 'my.bucket', {}],
    ['eu-west-1', 'My_Bucket', {}],
    ['cn-north-1', 'my-bucket', {}],
    ['cn-northwest-1', 'my.bucket', {}],
    ['us-gov-west-1', 'my-bucket', {}],
    ['us-iso-east-1', 'my-bucket', {}],
    ['eusc-de-east-1', 'my-bucket', {}],
    ['us-east-1', 'my-bucket', { AWS_USE_FIPS_ENDPOINT: 'true' }],
    ['eu-west-1', 'my-bucket', { AWS_USE_DUALSTACK_ENDPOINT: 'true' }],
    ['us-east-1', 'my-bucket', { AWS_USE_FIPS_ENDPOINT: 'true', AWS_USE_DUALSTACK_ENDPOINT: 'true' }],
    ['us-east-1', 'my-bucket', { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }],
    ['us-east-1', 'my-bucket', { AWS_ENDPOINT_URL: 'http://localhost:4566/base' }],
    ['us-east-1', 'my.bucket', { AWS_ENDPOINT_URL: 'http://localhost:4566' }],
    ['us-east-1', 'abc.def', { AWS_ENDPOINT_URL: 'http://localhost:4566' }],
    ['us-east-1', 'abc.def', { AWS_ENDPOINT_URL: 'https://example.com' }],
    ['us-east-1', 'my-bucket', { AWS_ENDPOINT_URL: 'https://example.com', AWS_ENDPOINT_URL_S3: 'https://s3.example.net:8443/p/' }],
    ['us-east-1', 'my-bucket', { AWS_ENDPOINT_URL: 'https://example.com', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }],
    ['us-east-1', '192.168.1.1', { AWS_ENDPOINT_URL: 'http://localhost:4566' }],
  ];
  test.each(cases)('%s %s %j', async (region, bucket, env) => {
    expect(bucketTarget(bucket, { region, env }).url.href.replace(/\/$/, '')).toBe((await sdk(region, bucket, env)).replace(/\/$/, ''));
  });

  test('a bucket, region or endpoint that is not one never becomes a URL', () => {
    expect(() => bucketTarget('evil.com/x?', { region: 'us-east-1', env: {} })).toThrow(/not an S3 bucket name/);
    expect(() => bucketTarget('a', { region: 'us-east-1', env: {} })).toThrow(/not an S3 bucket name/);
    expect(() => bucketTarget('my-bucket', { region: 'us-east-1.evil.com#', env: {} })).toThrow(/not an AWS region/);
    expect(() => bucketTarget('my-bucket', { region: 'us-east-1', env: { AWS_ENDPOINT_URL_S3: 'https://x.example?a=1' } })).toThrow(/query or fragment/);
    expect(virtualHostable('my-bucket', false)).toBe(true);
    expect(virtualHostable('-bucket', false)).toBe(false);
  });
});

describe('S3 errors', () => {
  const answer = (status: number, body: string, headers: Record<string, string> = {}) => ({ status, headers, body });
  test('named by the XML Code, with status, message and request id', () => {
    const e = s3Error(answer(404, '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>k</Key><RequestId>4442587FB7D0A2F9</RequestId></Error>'), 'GetObject');
    expect(e).toMatchObject({ name: 'NoSuchKey', message: 'The specified key does not exist.', $fault: 'client', $metadata: { httpStatusCode: 404, requestId: '4442587FB7D0A2F9' } });
    expect(s3Error(answer(412, '<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>'), 'PutObject')).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    expect(s3Error(answer(409, '<Error><Code>ConditionalRequestConflict</Code></Error>'), 'PutObject')).toMatchObject({ name: 'ConditionalRequestConflict', message: 'PutObject: HTTP 409' });
    expect(s3Error(answer(503, '<Error><Code>SlowDown</Code></Error>', { 'retry-after': '2' }), 'PutObject').retryAfter).toBeInstanceOf(Date);
  });

  test.each([
    ['an empty body, 404', 404, '', 'NotFound'],
    ['an empty body, 503', 503, '', 'UnknownError'],
    ['a proxy page', 502, '<html><body>Bad Gateway</body></html>', 'UnknownError'],
    ['malformed XML', 403, '<Error><Code>AccessDenied<Message>x', 'UnknownError'],
    ['a Code with markup', 403, '<Error><Code><script>alert(1)</script></Code></Error>', 'UnknownError'],
    ['a Code with spaces and newlines', 403, '<Error><Code>Access\nDenied now</Code></Error>', 'UnknownError'],
    ['an over-long Code', 400, `<Error><Code>${'A'.repeat(500)}</Code></Error>`, 'UnknownError'],
  ])('%s → %s, never thrown while parsing', (_what, status, body, name) => {
    expect(s3Error(answer(status, body), 'GetObject')).toMatchObject({ name, $metadata: { httpStatusCode: status } });
  });

  test('hostile bodies: a message is one line of at most 500 characters, a bad request id dropped, entities decoded once', () => {
    const e = s3Error(answer(400, `<Error><Code>InvalidArgument</Code><Message>${'x\n'.repeat(5000)}</Message><RequestId>bad id\r\nX-Injected: 1</RequestId></Error>`), 'PutObject');
    expect(e.message.length).toBeLessThanOrEqual(500);
    expect(e.message).not.toMatch(/\n/);
    expect(e.$metadata.requestId).toBeUndefined();
    expect(tagText('<Message>a &amp;lt; b</Message>', 'Message')).toBe('a &lt; b');
  });

  test('parsing is linear: 64 KB of unclosed <Code> tags takes milliseconds', () => {
    const body = '<Code>'.repeat(MAX_ERROR_BYTES / 6);
    const t = Date.now();
    expect(s3Error(answer(500, body), 'GetObject').name).toBe('UnknownError');
    expect(Date.now() - t).toBeLessThan(200);
  });

  test('bodies are read only up to the bound', async () => {
    async function* chunks(n: number) {
      for (let i = 0; i < n; i++) yield Buffer.alloc(1024, 'a');
    }
    expect(await readBounded(chunks(3), 10_000)).toEqual({ text: 'a'.repeat(3072), truncated: false });
    const big = await readBounded(chunks(100_000), 4096);
    expect(big).toMatchObject({ truncated: true });
    expect(big.text).toHaveLength(4096);
    expect(await readBounded(chunks(1), 10, '999999')).toEqual({ text: '', truncated: true });
  });
});

describe('against the simulator (signatures checked, conditional writes as S3 answers them)', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator(scenario([], { buckets: [BUCKET] }), { port: 0 });
  });
  afterEach(() => sim.stop());

  test('put and get: the body, Content-Type, the ETag; an awkward key arrives as written (encoded once)', async () => {
    const s3 = clients(sim.url).s3('us-east-1');
    const key = "trailcheck/reports/a b+c/100%/it's é~.json";
    const { etag } = await s3.put(BUCKET, key, '{"a":1}', { contentType: 'application/json' });
    expect(etag).toBe(`"${createHash('md5').update('{"a":1}').digest('hex')}"`);
    expect(await s3.get(BUCKET, key)).toMatchObject({ body: '{"a":1}', etag, contentType: 'application/json', lastModified: expect.any(Date) });
    expect(sim.calls.map((c) => [c.action, c.params.key])).toEqual([
      ['PutObject', key],
      ['GetObject', key],
    ]);
  });

  test('conditional writes: If-None-Match on an existing key, If-Match on another ETag → PreconditionFailed (412); If-Match on a missing key → NoSuchKey', async () => {
    const s3 = clients(sim.url).s3('us-east-1');
    const { etag } = await s3.put(BUCKET, 'lock', 'one', { contentType: 'application/json', ifNoneMatch: '*' });
    await expect(s3.put(BUCKET, 'lock', 'two', { contentType: 'application/json', ifNoneMatch: '*' })).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    await expect(s3.put(BUCKET, 'lock', 'two', { contentType: 'application/json', ifMatch: '"0000"' })).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    const taken = await s3.put(BUCKET, 'lock', 'two', { contentType: 'application/json', ifMatch: etag as string });
    await expect(s3.delete(BUCKET, 'lock', { ifMatch: etag as string })).rejects.toMatchObject({ name: 'PreconditionFailed' });
    await s3.delete(BUCKET, 'lock', { ifMatch: taken.etag as string });
    await expect(s3.get(BUCKET, 'lock')).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    await expect(s3.put(BUCKET, 'lock', 'x', { contentType: 'application/json', ifMatch: etag as string })).rejects.toMatchObject({ name: 'NoSuchKey' });
    // The headers as sent: the conditions, and no request went out unconditionally.
    expect(sim.calls.filter((c) => c.action === 'PutObject')).toHaveLength(5);
  });

  test('an empty or malformed If-Match is refused before anything is sent (it would make the write unconditional)', async () => {
    const s3 = clients(sim.url).s3('us-east-1');
    await expect(s3.put(BUCKET, 'lock', 'x', { contentType: 'application/json', ifMatch: '' })).rejects.toThrow(/If-Match needs the object's ETag/);
    await expect(s3.delete(BUCKET, 'lock', { ifMatch: 'abc\r\nx-amz-acl: public-read' })).rejects.toThrow(/If-Match needs/);
    await expect(s3.put('Not A Bucket!', 'k', 'x', { contentType: 'text/plain' })).rejects.toThrow(/not an S3 bucket name/);
    await expect(s3.put(BUCKET, 'k'.repeat(1025), 'x', { contentType: 'text/plain' })).rejects.toThrow(/not an S3 object key/);
    expect(sim.calls).toHaveLength(0);
  });

  test('503 SlowDown is retried as the SDK retries throttling, and counted; AccessDenied is not retried', async () => {
    sim.setScenario(scenario([], { buckets: [BUCKET], faults: [{ service: 's3', action: 'PutObject', kind: 'error', code: 'SlowDown', status: 503, message: 'Please reduce your request rate.', times: 2 }] }));
    const c = clients(sim.url, 3);
    await c.s3('us-east-1').put(BUCKET, 'k', 'x', { contentType: 'text/plain' });
    expect(sim.callCount('s3', 'PutObject')).toBe(3);
    expect(c.callCounts().s3).toEqual({ calls: 3, throttles: 2 });

    sim.setScenario(scenario([], { buckets: [BUCKET], faults: [{ service: 's3', action: 'GetObject', kind: 'error', code: 'AccessDenied', status: 403, message: 'Access Denied' }] }));
    const before = sim.callCount('s3', 'GetObject');
    await expect(c.s3('us-east-1').get(BUCKET, 'k')).rejects.toMatchObject({ name: 'AccessDenied', message: 'Access Denied', $metadata: { httpStatusCode: 403, attempts: 1 } });
    expect(sim.callCount('s3', 'GetObject') - before).toBe(1);
  });

  test('throttled past maxAttempts: the last SlowDown is thrown with the attempts made', async () => {
    sim.setScenario(scenario([], { buckets: [BUCKET], faults: [{ service: 's3', action: 'GetObject', kind: 'error', code: 'SlowDown', status: 503 }] }));
    await expect(clients(sim.url, 2).s3('us-east-1').get(BUCKET, 'k')).rejects.toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503, attempts: 2 } });
  });

  test('a wrong secret is answered as S3 answers it (the simulator checks the signature)', async () => {
    const c = new AwsClients({ maxAttempts: 1, callTimeoutMs: 5_000, maxSockets: 2, endpoint: sim.url, credentials: { accessKeyId: CALLER.accessKeyId, secretAccessKey: 'wrong' } });
    opened.push(c);
    await expect(c.s3('us-east-1').get(BUCKET, 'k')).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
  });
});

describe('against a scripted server (what the simulator does not send)', () => {
  let server: http.Server;
  let url: string;
  let script: Array<(req: http.IncomingMessage, res: http.ServerResponse) => void>;
  const seen: Array<{ method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  beforeEach(async () => {
    script = [];
    seen.length = 0;
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
        (script.shift() ?? ((_q, r) => r.writeHead(500).end()))(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise((r) => server.close(r)));

  test('PUT sends Content-Type, the conditions, and x-amz-content-sha256 = SHA-256 of the body (signed)', async () => {
    script.push((_q, r) => r.writeHead(200, { etag: '"e1"' }).end());
    expect(await clients(url).s3('us-east-1').put(BUCKET, 'k.json', '{"x":"é"}', { contentType: 'application/json', ifNoneMatch: '*' })).toEqual({ etag: '"e1"' });
    const h = seen[0].headers;
    expect(seen[0]).toMatchObject({ method: 'PUT', url: `/${BUCKET}/k.json`, body: '{"x":"é"}' });
    expect(h).toMatchObject({ 'content-type': 'application/json', 'if-none-match': '*', 'content-length': String(Buffer.byteLength('{"x":"é"}')) });
    expect(h['x-amz-content-sha256']).toBe(createHash('sha256').update('{"x":"é"}').digest('hex'));
    expect(h.authorization).toMatch(/SignedHeaders=.*content-type;.*if-none-match;.*x-amz-content-sha256;x-amz-date/);
    expect(h['if-match']).toBeUndefined();
  });

  test('a 10 MB report goes up signed with its hash and comes back whole (the simulator takes at most 8 MB)', async () => {
    const body = JSON.stringify({ accounts: Array.from({ length: 10_000 }, (_, i) => ({ id: String(i).padStart(12, '0'), note: 'é'.repeat(480) })) });
    expect(Buffer.byteLength(body)).toBeGreaterThan(9_000_000);
    script.push((_q, r) => r.writeHead(200, { etag: '"big"' }).end());
    script.push((_q, r) => r.writeHead(200, { etag: '"big"' }).end(seen[0].body));
    const s3 = clients(url).s3('us-east-1');
    await s3.put(BUCKET, 'big.json', body, { contentType: 'application/json' });
    expect(seen[0].body).toBe(body);
    expect(seen[0].headers['x-amz-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
    expect((await s3.get(BUCKET, 'big.json')).body).toBe(body);
  }, 30_000);

  test('a huge error body is not read to its end, and the error is still named', async () => {
    script.push((_q, r) => {
      r.writeHead(403, { 'content-type': 'application/xml' });
      r.write('<Error><Code>AccessDenied</Code><Message>Access Denied</Message>');
      r.end('x'.repeat(20 * 1024 * 1024));
    });
    await expect(clients(url, 1).s3('us-east-1').get(BUCKET, 'k')).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  });

  test('an object over maxObjectBytes is refused, not buffered; a GET answer without an ETag is malformed', async () => {
    const c = clients(url, 1);
    const small = new S3Wire((c as unknown as { handler: never }).handler, { region: 'us-east-1', endpoint: url, credentials: EXAMPLE, retryStrategy: (c as unknown as { retryStrategy: (s: string, r: string) => never }).retryStrategy('s3', 'us-east-1'), maxObjectBytes: 1000 });
    script.push((_q, r) => r.writeHead(200, { etag: '"e"' }).end('y'.repeat(5000)));
    await expect(small.get(BUCKET, 'k')).rejects.toMatchObject({ name: 'MalformedResponse', message: expect.stringMatching(/larger than 1000 bytes/) });
    script.push((_q, r) => r.writeHead(200).end('{}'));
    await expect(small.get(BUCKET, 'k')).rejects.toMatchObject({ name: 'MalformedResponse', message: expect.stringMatching(/returned no ETag/) });
    script.push((_q, r) => r.writeHead(200, { etag: 'not-quoted' }).end('{}'));
    await expect(small.get(BUCKET, 'k')).rejects.toMatchObject({ name: 'MalformedResponse', message: expect.stringMatching(/invalid ETag/) });
  });

  test('500 InternalError is retried; a clock an hour off is corrected from Date and the request signed anew', async () => {
    const later = new Date(Date.now() + 3_600_000);
    script.push((_q, r) => r.writeHead(500).end('<Error><Code>InternalError</Code></Error>'));
    script.push((_q, r) => r.writeHead(403, { date: later.toUTCString() }).end('<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message></Error>'));
    script.push((_q, r) => r.writeHead(200, { etag: '"ok"', 'last-modified': later.toUTCString() }).end('body'));
    const out = await clients(url, 3).s3('us-east-1').get(BUCKET, 'k');
    expect(out).toMatchObject({ body: 'body', etag: '"ok"' });
    expect(seen).toHaveLength(3);
    const amzDate = (s: string) => Date.parse(s.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
    expect(amzDate(seen[2].headers['x-amz-date'] as string) - amzDate(seen[1].headers['x-amz-date'] as string)).toBeGreaterThan(3_500_000);
  });
});
