/**
 * The wire path (lambda/aws/wire.ts) against the simulator, which verifies every SigV4 signature:
 * the same verdicts, reasons and calls as through the SDK clients, each account's calls signed as
 * that account, retries and Retry-After as the SDK's standard mode, and the deadline honoured
 * while backing off.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { AwsClients } from '../../lambda/aws/clients';
import { USER_AGENT } from '../../lambda/aws/wire';
import type { AuditReport } from '../../lambda/report-format';
import { loadScenario } from '../../simulator/scenario';
import { sigV4Problem } from '../../simulator/sigv4';
import { audit, config, withSimulator } from './harness';

const demo = () => loadScenario(`${__dirname}/../../simulator/scenarios/demo.json`);

/** What must not differ between transports: every account's verdict and evidence. */
function verdicts(r: AuditReport) {
  return r.accounts
    .map(({ accountId, status, reasons, trails, remediation }) => ({ accountId, status, reasons, trails, remediation }))
    .sort((a, b) => a.accountId.localeCompare(b.accountId));
}

describe('wire path', () => {
  test('the demo organization: the same verdicts, evidence and calls as through the SDK clients', async () => {
    const s = demo();
    const run = (transport: 'wire' | 'sdk') =>
      withSimulator(s, async (sim) => {
        const report = await audit(sim, config(), { transport, caller: s.caller });
        return { report, counts: sim.callCounts(), calls: sim.calls };
      });
    const wire = await run('wire');
    const sdk = await run('sdk');
    expect(wire.report.accounts.length).toBe(s.accounts.length);
    expect(new Set(wire.report.accounts.map((a) => a.status))).toEqual(new Set(['PASS', 'FAIL', 'ERROR', 'SKIPPED']));
    expect(verdicts(wire.report)).toEqual(verdicts(sdk.report));
    expect(wire.report.run.errors).toEqual(sdk.report.run.errors);
    expect(wire.counts).toEqual(sdk.counts);

    // Every call the wire path sent was accepted as signed, and says who sent it.
    const hot = wire.calls.filter((c) => ['AssumeRole', 'DescribeTrails', 'GetTrailStatus', 'GetEventSelectors'].includes(c.action));
    expect(hot.length).toBeGreaterThan(20);
    expect(hot.filter((c) => c.errorCode === 'InvalidSignatureException' || c.errorCode === 'SignatureDoesNotMatch')).toEqual([]);
    expect(new Set(hot.map((c) => c.userAgent))).toEqual(new Set([USER_AGENT]));
    // ...and each member's CloudTrail calls were signed with that member's assumed-role credentials.
    for (const c of hot.filter((x) => x.service === 'cloudtrail')) expect(c.accessKeyId?.startsWith('ASIA') || c.account === s.caller.accountId).toBe(true);
  });
});

/** A one-route HTTP server that answers from a script, and keeps what it received. */
async function scriptedServer(answers: Array<{ status: number; headers?: Record<string, string>; body: string }>) {
  const received: Array<{ headers: http.IncomingHttpHeaders; body: string; url: string; method: string; at: number }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), url: req.url ?? '/', method: req.method ?? '', at: Date.now() });
      const a = answers[Math.min(received.length - 1, answers.length - 1)];
      res.writeHead(a.status, { 'content-type': 'application/x-amz-json-1.1', ...(a.headers ?? {}) });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const CALLER = { accessKeyId: 'AKIAWIRE000000000001', secretAccessKey: 'wire-secret' };
const MEMBER = { accessKeyId: 'ASIAWIRE000000000002', secretAccessKey: 'member-secret', sessionToken: 'member-token' };

/** Runs `fn` with clients pointed at a scripted endpoint, and closes both. */
async function withScripted<T>(answers: Parameters<typeof scriptedServer>[0], fn: (clients: AwsClients, srv: Awaited<ReturnType<typeof scriptedServer>>) => Promise<T>, maxAttempts = 3): Promise<T> {
  const srv = await scriptedServer(answers);
  const clients = new AwsClients({ endpoint: srv.url, credentials: CALLER, maxAttempts, callTimeoutMs: 5000, maxSockets: 4 });
  try {
    return await fn(clients, srv);
  } finally {
    clients.close();
    await srv.close();
  }
}

describe('wire path against a scripted endpoint', () => {

  test('a request is the documented JSON 1.1 request, signed with the member credentials it was given', async () => {
    await withScripted([{ status: 200, body: '{"trailList":[]}' }], async (clients, srv) => {
      const out = await clients.cloudTrail('eu-west-1', MEMBER).send(new DescribeTrailsCommand({ includeShadowTrails: true }));
      expect(out.trailList).toEqual([]);
      const [r] = srv.received;
      expect(r.method).toBe('POST');
      expect(r.headers['x-amz-target']).toBe('com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails');
      expect(r.headers['content-type']).toBe('application/x-amz-json-1.1');
      expect(JSON.parse(r.body)).toEqual({ includeShadowTrails: true });
      expect(r.headers['x-amz-security-token']).toBe(MEMBER.sessionToken);
      expect(r.headers.authorization).toMatch(new RegExp(`Credential=${MEMBER.accessKeyId}/\\d{8}/eu-west-1/cloudtrail/aws4_request`));
      // The signature is valid for the request as received, with the member's secret (and only with it).
      const asReceived = { method: r.method, url: r.url, headers: r.headers, body: Buffer.from(r.body) };
      expect(sigV4Problem(asReceived, (k) => (k === MEMBER.accessKeyId ? MEMBER.secretAccessKey : undefined))).toBeUndefined();
      expect(sigV4Problem(asReceived, (k) => (k === MEMBER.accessKeyId ? 'another-secret' : undefined))).toMatch(/does not match/);
    });
  });

  test('throttling is retried after the Retry-After the service asked for', async () => {
    await withScripted([
      { status: 429, headers: { 'retry-after': '1', 'x-amzn-errortype': 'ThrottlingException:' }, body: '{"message":"Rate exceeded"}' },
      { status: 200, body: '{"trailList":[]}' },
    ], async (clients, srv) => {
      await clients.cloudTrail('us-east-1', MEMBER).send(new DescribeTrailsCommand({}));
      expect(srv.received.length).toBe(2);
      expect(srv.received[1].at - srv.received[0].at).toBeGreaterThanOrEqual(900);
    });
  });

  test('an error that is not retryable is thrown at once, shaped as the SDK shapes it', async () => {
    await withScripted([{ status: 400, body: '{"__type":"com.amazonaws.cloudtrail.v20131101#TrailNotFoundException","Message":"Unknown trail"}' }], async (clients, srv) => {
      const err = await clients.cloudTrail('us-east-1', MEMBER).send(new DescribeTrailsCommand({})).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'TrailNotFoundException', message: 'Unknown trail', $fault: 'client', $metadata: { httpStatusCode: 400, attempts: 1 } });
      expect(srv.received.length).toBe(1);
    });
  });

  test('a 5xx that never stops is tried maxAttempts times, then thrown with its code', async () => {
    await withScripted([{ status: 503, headers: { 'x-amzn-errortype': 'ServiceUnavailableException:http://internal' }, body: '' }], async (clients, srv) => {
      const err = await clients.cloudTrail('us-east-1', MEMBER).send(new DescribeTrailsCommand({})).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'ServiceUnavailableException', $fault: 'server', $metadata: { httpStatusCode: 503, attempts: 2 } });
      expect(srv.received.length).toBe(2);
    }, 2);
  });

  test('the deadline ends a backoff at once, not when the backoff would have', async () => {
    const controller = new AbortController();
    await withScripted([{ status: 429, headers: { 'retry-after': '2' }, body: '{"__type":"ThrottlingException"}' }], async (clients, srv) => {
      const started = Date.now();
      const pending = clients.cloudTrail('us-east-1', MEMBER).send(new DescribeTrailsCommand({}), { abortSignal: controller.signal }).catch((e: unknown) => e);
      setTimeout(() => controller.abort(), 300);
      const err = await pending;
      expect(err).toBeInstanceOf(Error);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(srv.received.length).toBe(1);
      // The SDK's retry strategy still holds its own backoff timer; let it run out before the next test.
      await new Promise((r) => setTimeout(r, Math.max(0, started + 2200 - Date.now())));
    });
  });

  test('a 200 whose body is not JSON is a malformed response, not a guess', async () => {
    await withScripted([{ status: 200, body: '<html>proxy</html>' }], async (clients) => {
      await expect(clients.cloudTrail('us-east-1', MEMBER).send(new DescribeTrailsCommand({}))).rejects.toMatchObject({ name: 'MalformedResponse', message: expect.stringMatching(/DescribeTrails returned a body that is not JSON/) });
    });
  });
});
