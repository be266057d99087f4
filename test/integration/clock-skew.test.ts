/**
 * The CLI on a laptop whose clock is off (issue 10): AWS rejects a request signed more than a few
 * minutes off its clock; the SDK corrects its clock from the response's `Date` and signs again, and
 * so must the wire path. The simulator's clock is set an hour off this machine's
 * (`clockOffsetSeconds`), which is the same as this machine's clock being an hour off AWS's.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { AwsClients } from '../../lambda/aws/clients';
import type { AuditReport } from '../../lambda/report-format';
import { simulatorEnv } from '../../scripts/demo';
import { runNode } from '../child';
import { account, audit, CALLER, config, goodTrail, scenario, TOPIC, withSimulator } from './harness';

const ROOT = path.resolve(__dirname, '../..');
const HOUR = 3600;

const ACCOUNTS = [
  account('200000000001', { name: 'good', trails: [goodTrail()] }),
  account('200000000002', { name: 'stopped', trails: [goodTrail('main', { status: { isLogging: false } })] }),
  account('200000000003', { name: 'eu', trails: [goodTrail('eu-trail', { homeRegion: 'eu-west-1' })] }),
];

const verdicts = (r: AuditReport) => r.accounts.map(({ accountId, status, reasons }) => ({ accountId, status, reasons })).sort((a, b) => a.accountId.localeCompare(b.accountId));
const SKEW_CODES = new Set(['SignatureDoesNotMatch', 'InvalidSignatureException']);

describe.each([
  ['an hour behind', HOUR],
  ['an hour ahead of', -HOUR],
])('this machine’s clock %s AWS’s', (_name, offset) => {
  test.each(['wire', 'sdk'] as const)('the audit through the %s path reaches the same verdicts as with a right clock', async (transport) => {
    const right = await withSimulator(scenario(ACCOUNTS), (sim) => audit(sim, config(), { transport }));
    await withSimulator(scenario(ACCOUNTS, { clockOffsetSeconds: offset }), async (sim) => {
      const report = await audit(sim, config(), { transport });
      expect(verdicts(report)).toEqual(verdicts(right));
      expect(report.summary).toMatchObject({ PASS: 3, FAIL: 1, ERROR: 0 });
      // AWS did reject the first requests: the clock was corrected, not ignored.
      const rejected = sim.calls.filter((c) => SKEW_CODES.has(c.errorCode ?? ''));
      expect(rejected.length).toBeGreaterThan(0);
      expect(rejected.map((c) => c.action)).toEqual(expect.arrayContaining(['GetCallerIdentity', 'DescribeTrails']));
      // Once per client (service and region), not once per account: every hot call after the first wave went through.
      const hot = sim.calls.filter((c) => ['AssumeRole', 'GetTrailStatus', 'GetEventSelectors'].includes(c.action));
      expect(hot.filter((c) => SKEW_CODES.has(c.errorCode ?? '')).length).toBeLessThanOrEqual(hot.length / 2);
    });
  });
});

test('the CLI (wire path, and SNS through the SDK client) on a laptop an hour behind: report and alert as with a right clock', async () => {
  await withSimulator(scenario(ACCOUNTS, { clockOffsetSeconds: HOUR }), async (sim) => {
    const { code, stdout, stderr } = await runNode([path.join(ROOT, 'bin/trailcheck.js'), 'audit', '--format', 'json', '--topic-arn', TOPIC], {
      env: { ...simulatorEnv(sim.url, CALLER), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    expect(code).toBe(1); // one account FAILs
    const report = JSON.parse(stdout) as AuditReport;
    expect(report.summary).toMatchObject({ total: 4, PASS: 3, FAIL: 1, ERROR: 0 });
    expect(stderr).toContain(`published to ${TOPIC}`);
    expect(sim.published).toHaveLength(1);
  });
});

/** A server that answers from a script and keeps the X-Amz-Date of each request. */
async function scripted(answers: Array<{ status: number; headers?: Record<string, string>; body: string }>) {
  const dates: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      dates.push(String(req.headers['x-amz-date']));
      const a = answers[Math.min(dates.length - 1, answers.length - 1)];
      res.writeHead(a.status, { 'content-type': 'application/x-amz-json-1.1', ...(a.headers ?? {}) });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const clients = new AwsClients({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, credentials: CALLER, maxAttempts: 3, callTimeoutMs: 5000, maxSockets: 4 });
  return { dates, clients, close: () => (clients.close(), new Promise<void>((r) => server.close(() => r()))) };
}

const amzDate = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const MEMBER = { accessKeyId: 'ASIASKEW000000000002', secretAccessKey: 'member-secret', sessionToken: 'member-token' };

describe('the wire path corrects its clock as the SDK does', () => {
  test('a signature-expired answer with the service’s Date: signed again at the corrected time, and the next call is right at once', async () => {
    const awsNow = () => new Date(Date.now() + HOUR * 1000).toUTCString();
    let served = 0;
    // Answers depend on the time the request was signed at, as AWS's do.
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        served += 1;
        const signed = String(req.headers['x-amz-date']);
        const skewed = Math.abs(Date.parse(`${signed.slice(0, 4)}-${signed.slice(4, 6)}-${signed.slice(6, 11)}:${signed.slice(11, 13)}:${signed.slice(13, 15)}Z`) - (Date.now() + HOUR * 1000)) > 300_000;
        res.writeHead(skewed ? 400 : 200, { 'content-type': 'application/x-amz-json-1.1', date: awsNow() });
        res.end(skewed ? JSON.stringify({ __type: 'InvalidSignatureException', message: `Signature expired: ${signed} is now earlier than ${amzDate(Date.now() + HOUR * 1000 - 300_000)}` }) : '{"trailList":[]}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const clients = new AwsClients({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, credentials: CALLER, maxAttempts: 3, callTimeoutMs: 5000, maxSockets: 4 });
    try {
      const ct = clients.cloudTrail('us-east-1', MEMBER);
      const out = await ct.send(new DescribeTrailsCommand({}));
      expect(out.trailList).toEqual([]);
      expect(served).toBe(2);
      await ct.send(new DescribeTrailsCommand({}));
      expect(served).toBe(3); // the offset is kept for the client
    } finally {
      clients.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test('a clock-skew code that correcting the clock does not cure is retried once (as the SDK does), not until the deadline', async () => {
    // AccessDeniedException is in the SDK's clock-skew list; here the clock is an hour off and stays refused.
    const srv = await scripted([{ status: 400, headers: { date: new Date(Date.now() + HOUR * 1000).toUTCString() }, body: '{"__type":"AccessDeniedException","message":"denied"}' }]);
    const restore = srv.clients.retryUntil(Date.now() + 60_000);
    try {
      const err = await srv.clients.cloudTrail('us-east-1', MEMBER).send(new DescribeTrailsCommand({})).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'AccessDeniedException', $metadata: { attempts: 2 } });
      expect(srv.dates).toHaveLength(2);
      // The second was signed an hour later than the first.
      const [first, second] = srv.dates.map((d) => Date.parse(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`));
      expect(Math.abs(second - first - HOUR * 1000)).toBeLessThan(5000);
    } finally {
      restore();
      await srv.close();
    }
  });
});
