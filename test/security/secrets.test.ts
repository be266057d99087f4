/**
 * No secret leaves the process: the caller's secret access key, and the secret keys and session
 * tokens STS issues for each member account, must never appear in a log line (Powertools at
 * DEBUG), the report (JSON and text), the alert published to SNS, or the CLI's output. The runs
 * go through every path that handles credentials or prints errors: assumed roles, a denied role,
 * denied CloudTrail calls, an organization trail read from its owner.
 *
 * The simulator issues random credentials; a spy on its `issueCredentials` collects each one.
 * The Slack forwarder is held to the same standard for the webhook URL it reads from Secrets Manager.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSEvent } from 'aws-lambda';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runNode } from '../child';
import * as path from 'node:path';
import { createForwarder } from '../../lambda/forwarder/handler';
import { createHandler } from '../../lambda/handler';
import { simulatorEnv } from '../../scripts/demo';
import { World } from '../../simulator/world';
import { account, audited, goodTrail, MGMT, scenario, TOPIC, withSimulator } from '../integration/harness';

const ROOT = path.resolve(__dirname, '../..');

/** A caller whose secret is distinctive enough to find anywhere it lands. */
const CALLER = { accountId: MGMT, accessKeyId: 'AKIASECURITYTEST0001', secretAccessKey: 'CallerSecret+k3Yq/9ZxWv7LmN0pR2sT4uV6wX8yA1bC' };

const s = scenario(
  [
    // A stopped organization trail, read once with the management account's own credentials.
    account(MGMT, { name: 'management', trails: [goodTrail('mgmt-trail'), goodTrail('org-trail', { isOrganizationTrail: true, status: { isLogging: false } })] }),
    account('200000000001', { name: 'passes', trails: [goodTrail()] }),
    account('200000000002', { name: 'stopped', trails: [goodTrail('main', { status: { isLogging: false } })] }),
    account('200000000003', { name: 'denied-trails', trails: [goodTrail()] }),
    account('200000000004', { name: 'denied-status', trails: [goodTrail()] }),
    account('200000000005', { name: 'no-role', roles: [] }),
  ],
  {
    caller: CALLER,
    faults: [
      { service: 'cloudtrail', action: 'DescribeTrails', account: '200000000003', kind: 'error', code: 'AccessDeniedException', message: 'explicit deny' },
      { service: 'cloudtrail', action: 'GetTrailStatus', account: '200000000004', kind: 'error', code: 'AccessDeniedException', message: 'no cloudtrail:GetTrailStatus' },
    ],
  },
);

/** Every secret the run could have handled, and short prefixes of each (a truncated leak is a leak). */
function secretsIssued(issued: Array<{ secretAccessKey: string; sessionToken: string }>): string[] {
  const whole = [CALLER.secretAccessKey, ...issued.flatMap((c) => [c.secretAccessKey, c.sessionToken])];
  return [...whole, ...whole.map((x) => x.slice(0, 20))];
}

function leaks(haystack: string, secrets: string[]): string[] {
  // JSON-escaped forms too (a `/` or `+` survives JSON.stringify, but be explicit about it).
  return secrets.filter((x) => haystack.includes(x) || haystack.includes(JSON.stringify(x).slice(1, -1)));
}

let issued: Array<{ secretAccessKey: string; sessionToken: string }> = [];
beforeEach(() => {
  issued = [];
  const original = World.prototype.issueCredentials;
  jest.spyOn(World.prototype, 'issueCredentials').mockImplementation(function (this: World, ...args) {
    const cred = original.apply(this, args);
    issued.push(cred);
    return cred;
  });
});
afterEach(() => jest.restoreAllMocks());

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

test('the Lambda handler: no secret in any log line (DEBUG), the result, or the SNS message', async () => {
  await withSimulator(s, async (sim) => {
    const env = simulatorEnv(sim.url, CALLER);
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    Object.assign(process.env, env);
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture as never);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture as never);
    let result;
    try {
      const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'DEBUG' });
      result = audited(
        await createHandler({ env: { ...process.env, TRAILCHECK_TOPIC_ARN: TOPIC, TRAILCHECK_MAX_ATTEMPTS: '2', TRAILCHECK_PUBLISH_ON_PASS: 'true' }, logger })(
          { source: 'aws.scheduler' },
          { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'req-security' },
        ),
      );
    } finally {
      out.mockRestore();
      err.mockRestore();
    }

    // The run went through the paths that matter: roles assumed, failures logged, an alert sent.
    expect(result.summary).toMatchObject({ total: 6, PASS: 2, FAIL: 1, ERROR: 3 });
    expect(issued.length).toBeGreaterThanOrEqual(4);
    expect(sim.published).toHaveLength(1);
    const logText = lines.join('');
    expect(logText).toContain('"level":"DEBUG"');
    expect(logText).toContain('account needs attention');

    const secrets = secretsIssued(issued);
    expect(leaks(logText, secrets)).toEqual([]);
    expect(leaks(JSON.stringify(result), secrets)).toEqual([]);
    expect(leaks(JSON.stringify(sim.published), secrets)).toEqual([]);
  });
});

test('the CLI: no secret in the JSON report, the text report, the alert shown, stderr, or the SNS message', async () => {
  await withSimulator(s, async (sim) => {
    const run = async (args: string[]) => {
      const r = await runNode([path.join(ROOT, 'bin/trailcheck.js'), ...args], { env: simulatorEnv(sim.url, CALLER) });
      return { code: r.code, output: r.stdout + r.stderr };
    };
    const json = await run(['audit', '--format', 'json', '--show-message', '--topic-arn', TOPIC]);
    const text = await run(['audit', '--show-message']);

    expect(json.code).toBe(1);
    expect(text.code).toBe(1);
    expect(JSON.parse(json.output.slice(0, json.output.indexOf('\n--- Alert'))).summary).toMatchObject({ PASS: 2, FAIL: 1, ERROR: 3 });
    expect(text.output).toContain('Summary: 2 PASS, 1 FAIL, 3 ERROR');
    expect(issued.length).toBeGreaterThanOrEqual(8); // two runs, four roles each at least
    expect(sim.published).toHaveLength(1);

    const secrets = secretsIssued(issued);
    expect(leaks(json.output, secrets)).toEqual([]);
    expect(leaks(text.output, secrets)).toEqual([]);
    expect(leaks(JSON.stringify(sim.published), secrets)).toEqual([]);
  });
}, 60_000);

test('the scan finds a secret where one is placed (the checks above can fail)', () => {
  const secrets = secretsIssued([{ secretAccessKey: 'issued/secret+key', sessionToken: 'IQoJb3JpZ2luX2VjE-token-abcdefghijklmnop' }]);
  expect(leaks(`{"message":"failed with ${CALLER.secretAccessKey.slice(0, 24)}..."}`, secrets)).not.toEqual([]);
  expect(leaks(JSON.stringify({ token: 'IQoJb3JpZ2luX2VjE-token-abcdefghijklmnop' }), secrets)).not.toEqual([]);
  expect(leaks('nothing here', secrets)).toEqual([]);
});

describe('the Slack forwarder: the webhook URL (a secret) never leaves Secrets Manager and the POST', () => {
  const TOKEN = 'T0SECRET/B0SECRET/XyZsecretWebhookToken0123456789';

  /** A local webhook endpoint under a secret path, answering `status`. */
  async function webhook(status: number) {
    const received: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(body);
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'invalid_token');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/${TOKEN}`;
    return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
  }

  test.each([
    [200, 'delivered'],
    [403, 'refused (permanent)'],
    [500, 'failing (retried, then given up)'],
  ])('webhook answering %i (%s): no log line, error, result or payload holds the URL or its token', async (status) => {
    const hook = await webhook(status);
    const forwarderScenario = { ...s, secrets: [{ name: 'trailcheck/slack-webhook', value: JSON.stringify({ webhookUrl: hook.url }) }] };
    try {
      await withSimulator(forwarderScenario, async (sim) => {
        // The alert the audit function published, as SNS would hand it to the forwarder.
        Object.assign(process.env, simulatorEnv(sim.url, CALLER));
        const quiet = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
        await createHandler({ env: { ...process.env, TRAILCHECK_TOPIC_ARN: TOPIC }, logger: quiet })({}, { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'r' });
        const published = sim.published[0];
        const event = { Records: [{ Sns: { MessageId: 'm-1', Subject: published.subject, Message: JSON.parse(published.message).default } }] } as unknown as SNSEvent;

        const secretsClient = new SecretsManagerClient({ endpoint: sim.url, region: 'us-east-1', credentials: { accessKeyId: CALLER.accessKeyId, secretAccessKey: CALLER.secretAccessKey } });
        const lines: string[] = [];
        const capture = (chunk: string | Uint8Array) => (lines.push(String(chunk)), true);
        const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture as never);
        const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture as never);
        let outcome: unknown;
        try {
          const forward = createForwarder({
            fetch: (...args) => fetch(...args),
            sleep: async () => undefined,
            now: () => Date.now(),
            getSecret: async (id) => (await secretsClient.send(new GetSecretValueCommand({ SecretId: id }))).SecretString,
            logger: new Logger({ serviceName: 'trailcheck-slack', logLevel: 'DEBUG' }),
            env: { TRAILCHECK_SLACK_SECRET_ID: 'trailcheck/slack-webhook' },
            webhook: { maxAttempts: 2, baseDelayMs: 1 },
          });
          outcome = await forward(event).then(
            (r) => ({ ok: r }),
            (e: Error) => ({ error: `${e.name}: ${e.message}\n${e.stack}` }),
          );
        } finally {
          out.mockRestore();
          err.mockRestore();
        }

        expect(hook.received.length).toBeGreaterThan(0); // the forwarder did reach the webhook
        if (status === 200) expect(outcome).toEqual({ ok: { delivered: 1 } });
        else expect(outcome).toEqual({ error: expect.stringContaining('Slack delivery of SNS message m-1 failed') });
        const secrets = [hook.url, TOKEN, ...TOKEN.split('/'), `/services/${TOKEN}`];
        expect(leaks(lines.join(''), secrets)).toEqual([]);
        expect(leaks(JSON.stringify(outcome), secrets)).toEqual([]);
        expect(leaks(hook.received.join(''), secrets)).toEqual([]);
        expect(lines.join('')).toContain(status === 200 ? 'posted to Slack' : 'Slack delivery failed'); // the logs were captured
      });
    } finally {
      await hook.close();
    }
  }, 60_000);
});
