/**
 * The Slack webhook forwarder against a real HTTP server on 127.0.0.1: success, 429 with
 * Retry-After, 5xx, timeouts, refused payloads, bad URLs. The real `fetch` is used; sleep and the
 * clock are injected, so retries are checked without waiting. The URL never appears in an error
 * or a log line.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SNSEvent } from 'aws-lambda';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { slackPayloadFor } from '../../lambda/channels/slack/deliver';
import { parseWebhookUrl, postToWebhook, retryAfterMs, webhookUrlFromSecret, WebhookError } from '../../lambda/channels/slack/webhook';
import { createForwarder } from '../../lambda/forwarder/handler';

type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

interface Hook {
  url: string;
  /** Bodies received, parsed. */
  received: unknown[];
  close(): Promise<void>;
}

/** A webhook endpoint answering each request with the next reply (the last one repeats). */
async function webhookServer(replies: Reply[]): Promise<Hook> {
  const received: unknown[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body));
      const reply = replies[Math.min(received.length - 1, replies.length - 1)];
      if (reply === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? (reply.status === 200 ? 'ok' : ''));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/services/T0001/B0002/s3cr3tT0k3nXYZ`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hanging) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Injected clock and sleep: sleeping advances the clock, nothing waits. */
function fakeTime() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    deps: {
      fetch: (...args: Parameters<typeof fetch>) => fetch(...args),
      now: () => t,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        t += ms;
      },
    },
  };
}

const payload = { text: 'hello', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] };
const SECRET_PART = 's3cr3tT0k3nXYZ';

let hook: Hook | undefined;
afterEach(async () => {
  await hook?.close();
  hook = undefined;
});

describe('postToWebhook', () => {
  test('200: posted once, the JSON payload as sent', async () => {
    hook = await webhookServer([{ status: 200 }]);
    const time = fakeTime();
    await expect(postToWebhook(hook.url, payload, time.deps)).resolves.toEqual({ status: 200, attempts: 1 });
    expect(hook.received).toEqual([payload]);
    expect(time.sleeps).toEqual([]);
  });

  test('429 with Retry-After: waits exactly that long, then succeeds', async () => {
    hook = await webhookServer([{ status: 429, headers: { 'retry-after': '7' }, body: 'rate_limited' }, { status: 200 }]);
    const time = fakeTime();
    await expect(postToWebhook(hook.url, payload, time.deps)).resolves.toEqual({ status: 200, attempts: 2 });
    expect(time.sleeps).toEqual([7000]);
    expect(hook.received).toHaveLength(2);
  });

  test('429 whose Retry-After exceeds the time budget: gives up at once as a transient failure', async () => {
    hook = await webhookServer([{ status: 429, headers: { 'retry-after': '600' } }]);
    const time = fakeTime();
    const err = await postToWebhook(hook.url, payload, time.deps, { budgetMs: 60_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(WebhookError);
    expect(err).toMatchObject({ permanent: false, attempts: 1 });
    expect(err.message).toMatch(/exceed the 60 s budget; last: HTTP 429/);
    expect(time.sleeps).toEqual([]);
  });

  test('5xx: retried with exponential backoff until it succeeds', async () => {
    hook = await webhookServer([{ status: 500 }, { status: 503 }, { status: 502 }, { status: 200 }]);
    const time = fakeTime();
    await expect(postToWebhook(hook.url, payload, time.deps, { baseDelayMs: 100 })).resolves.toEqual({ status: 200, attempts: 4 });
    expect(time.sleeps).toEqual([100, 200, 400]);
  });

  test('5xx every time: gives up after maxAttempts with the last status, not permanent', async () => {
    hook = await webhookServer([{ status: 503, body: 'service_unavailable' }]);
    const time = fakeTime();
    const err = await postToWebhook(hook.url, payload, time.deps, { maxAttempts: 3, baseDelayMs: 100 }).catch((e) => e);
    expect(err).toMatchObject({ name: 'WebhookError', permanent: false, attempts: 3 });
    expect(err.message).toBe('gave up after 3 attempts; last: HTTP 503 "service_unavailable"');
    expect(hook.received).toHaveLength(3);
  });

  test('a 4xx other than 429 (Slack refusing the payload) is permanent: not retried, with Slack\'s error', async () => {
    hook = await webhookServer([{ status: 400, body: 'invalid_blocks' }]);
    const time = fakeTime();
    const err = await postToWebhook(hook.url, payload, time.deps).catch((e) => e);
    expect(err).toMatchObject({ permanent: true, attempts: 1, status: 400 });
    expect(err.message).toBe('Slack refused the message: HTTP 400 "invalid_blocks"; not retried');
    expect(hook.received).toHaveLength(1);
  });

  test('no answer within the timeout: the request is abandoned and retried', async () => {
    hook = await webhookServer(['hang', { status: 200 }]);
    const time = fakeTime();
    const started = Date.now();
    await expect(postToWebhook(hook.url, payload, time.deps, { timeoutMs: 200, baseDelayMs: 10 })).resolves.toEqual({ status: 200, attempts: 2 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(time.sleeps).toEqual([10]);
  });

  test('timeouts every time: the error says so, without the URL', async () => {
    hook = await webhookServer(['hang']);
    const time = fakeTime();
    const err = await postToWebhook(hook.url, payload, time.deps, { timeoutMs: 100, maxAttempts: 2, baseDelayMs: 10 }).catch((e) => e);
    expect(err.message).toBe('gave up after 2 attempts; last: no answer within 100 ms');
    expect(err.message).not.toContain(SECRET_PART);
  });

  test('connection refused: retried, then a transient error naming the cause only', async () => {
    hook = await webhookServer([{ status: 200 }]);
    const url = hook.url;
    await hook.close();
    hook = undefined;
    const time = fakeTime();
    const err = await postToWebhook(url, payload, time.deps, { maxAttempts: 2, baseDelayMs: 10 }).catch((e) => e);
    expect(err).toMatchObject({ permanent: false, attempts: 2 });
    expect(err.message).toBe('gave up after 2 attempts; last: network error ECONNREFUSED');
    expect(err.message).not.toContain('127.0.0.1');
  });

  test.each([
    ['not a URL', `hooks.slack.com/services/${SECRET_PART}`, /not a valid URL/],
    ['plain http to a remote host', `http://hooks.slack.com/services/${SECRET_PART}`, /must use https \(got http\)/],
    ['another scheme', `ftp://hooks.slack.com/${SECRET_PART}`, /must use https \(got ftp\)/],
    ['credentials in the URL', `https://user:${SECRET_PART}@hooks.slack.com/services/x`, /must not carry credentials/],
  ])('bad URL (%s): permanent, nothing sent, and the URL is not in the error', async (_name, url, message) => {
    const time = fakeTime();
    let calls = 0;
    const err = await postToWebhook(url, payload, { ...time.deps, fetch: async () => { calls++; return new Response('ok'); } }).catch((e) => e);
    expect(err).toMatchObject({ name: 'WebhookError', permanent: true });
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(SECRET_PART);
    expect(calls).toBe(0);
  });

  test('a redirect is not followed (the payload would go where the secret did not say)', async () => {
    hook = await webhookServer([{ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } }]);
    const err = await postToWebhook(hook.url, payload, fakeTime().deps).catch((e) => e);
    expect(err).toMatchObject({ permanent: true, status: 302 });
  });
});

describe('retryAfterMs', () => {
  test.each([
    ['30', 30_000],
    ['0', 0],
    [' 5 ', 5000],
    [null, undefined],
    ['', undefined],
    ['soon', undefined],
  ])('%j → %j', (value, ms) => {
    expect(retryAfterMs(value)).toBe(ms);
  });
});

describe('webhookUrlFromSecret', () => {
  const URL = `https://hooks.slack.com/services/T1/B2/${SECRET_PART}`;
  test.each([
    ['the URL itself', URL],
    ['JSON webhookUrl', JSON.stringify({ webhookUrl: URL })],
    ['JSON url', JSON.stringify({ url: URL })],
    ['surrounding white space', `  ${URL}\n`],
  ])('%s', (_name, value) => {
    expect(webhookUrlFromSecret('trailcheck/slack', value)).toBe(URL);
  });

  test.each([
    ['empty', '', /it is empty/],
    ['bad JSON', '{"webhookUrl": ', /not valid JSON/],
    ['JSON without the key', JSON.stringify({ hook: URL }), /no "webhookUrl" key/],
    ['http', URL.replace('https', 'http'), /must use https/],
  ])('%s → an error naming the secret, never its value', (_name, value, message) => {
    let err: Error | undefined;
    try {
      webhookUrlFromSecret('trailcheck/slack', value);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toMatch(/^Secret trailcheck\/slack does not hold a Slack webhook URL/);
    expect(err?.message).toMatch(message);
    expect(err?.message).not.toContain(SECRET_PART);
  });
});

describe('parseWebhookUrl', () => {
  test('accepts https and loopback http (local tests)', () => {
    expect(parseWebhookUrl('https://hooks.slack.com/services/a').hostname).toBe('hooks.slack.com');
    expect(parseWebhookUrl('http://127.0.0.1:8080/x').port).toBe('8080');
  });
});

describe('the forwarder handler', () => {
  const snsEvent = (message: string, subject = 'trailcheck: 1 FAIL of 3 accounts'): SNSEvent =>
    ({ Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'm-1', Subject: subject, Message: message, MessageAttributes: {} } }] }) as unknown as SNSEvent;
  const alertJson = JSON.stringify({
    type: 'trailcheck.audit',
    schemaVersion: 1,
    kind: 'changes',
    mode: 'changes',
    run: { id: 'run-1', startedAt: '2026-01-01T00:00:00Z', callerAccountId: '111111111111', region: 'us-east-1', strict: false, errors: [], omittedErrors: 0 },
    summary: { total: 3, PASS: 2, FAIL: 1, ERROR: 0, SKIPPED: 0, runErrors: 0 },
    changes: { 'new-fail': 1, 'new-error': 0, resolved: 0, 'still-failing': 0, reminderDays: 7, comparedWith: { runId: 'run-0', finishedAt: '2025-12-31T00:00:00Z' } },
    accounts: [
      {
        accountId: '222222222222',
        accountName: 'dev <tools>',
        status: 'FAIL',
        change: 'new-fail',
        previousStatus: 'PASS',
        reasons: [{ code: 'NOT_LOGGING', message: 'Trail t is not logging.' }],
        warnings: [],
        remediation: ['aws cloudtrail start-logging --name t --region us-east-1'],
        trails: [],
      },
    ],
    omittedAccounts: 0,
  });

  function logs() {
    const lines: string[] = [];
    const logger = new Logger({ serviceName: 'trailcheck-slack', logLevel: 'DEBUG' });
    // Powertools writes through console methods in tests; capture the JSON lines.
    const spy = (['info', 'error', 'warn', 'debug', 'log'] as const).map((m) => jest.spyOn(console, m).mockImplementation((...a: unknown[]) => lines.push(a.map(String).join(' '))));
    const out = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (lines.push(String(c)), true));
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (lines.push(String(c)), true));
    return { logger, lines, restore: () => [...spy, out, err].forEach((s) => s.mockRestore()) };
  }

  test('a trailcheck alert becomes Block Kit, posted to the URL read from the secret (once, then cached)', async () => {
    hook = await webhookServer([{ status: 200 }]);
    const time = fakeTime();
    const secretReads: string[] = [];
    const forward = createForwarder({
      ...time.deps,
      getSecret: async (id) => (secretReads.push(id), JSON.stringify({ webhookUrl: hook!.url })),
      logger: new Logger({ serviceName: 't', logLevel: 'SILENT' }),
      env: { TRAILCHECK_SLACK_SECRET_ID: 'trailcheck/slack' },
    });
    await expect(forward(snsEvent(alertJson))).resolves.toEqual({ delivered: 1 });
    await forward(snsEvent(alertJson));
    expect(secretReads).toEqual(['trailcheck/slack']);
    const posted = hook.received[0] as { text: string; blocks: Array<{ type: string; text?: { text: string } }> };
    expect(posted.text).toBe('trailcheck: 1 FAIL of 3 accounts');
    const all = posted.blocks.map((b) => b.text?.text ?? '').join('\n');
    expect(all).toContain('dev &lt;tools&gt;');
    expect(all).toContain('```aws cloudtrail start-logging --name t --region us-east-1```');
  });

  test('a CloudWatch alarm on the same topic is posted as a short message', async () => {
    const alarm = JSON.stringify({ AlarmName: 'trailcheck-function-errors', NewStateValue: 'ALARM', NewStateReason: 'Threshold Crossed: 1 > 0', AlarmDescription: 'The audit failed' });
    const m = slackPayloadFor('ALARM: "trailcheck-function-errors" in US East', alarm);
    expect(m.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'ALARM: "trailcheck-function-errors" in US East', emoji: false } });
    expect(JSON.stringify(m.blocks[1])).toContain('Threshold Crossed: 1 &gt; 0');
  });

  test('a delivery that keeps failing fails the invocation (→ Lambda retries, then the failure queue); no log line or error holds the URL', async () => {
    hook = await webhookServer([{ status: 500 }]);
    const time = fakeTime();
    const captured = logs();
    let err: Error | undefined;
    try {
      const forward = createForwarder({ ...time.deps, getSecret: async () => hook!.url, logger: captured.logger, env: { TRAILCHECK_SLACK_SECRET_ID: 'trailcheck/slack' }, webhook: { maxAttempts: 2, baseDelayMs: 1 } });
      err = await forward(snsEvent(alertJson)).then(() => undefined, (e: Error) => e);
    } finally {
      captured.restore();
    }
    expect(err?.message).toBe('Slack delivery of SNS message m-1 failed: gave up after 2 attempts; last: HTTP 500');
    expect(captured.lines.join('\n')).toContain('Slack delivery failed');
    expect(captured.lines.join('\n')).not.toContain(SECRET_PART);
    expect(err?.message).not.toContain(SECRET_PART);
  });

  test('a secret without a usable URL fails the invocation, naming the secret only', async () => {
    const forward = createForwarder({
      ...fakeTime().deps,
      getSecret: async () => `http://hooks.slack.com/services/${SECRET_PART}`,
      logger: new Logger({ serviceName: 't', logLevel: 'SILENT' }),
      env: { TRAILCHECK_SLACK_SECRET_ID: 'trailcheck/slack' },
    });
    const err = await forward(snsEvent(alertJson)).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/^Secret trailcheck\/slack does not hold a Slack webhook URL \(the webhook URL must use https/);
    expect(err?.message).not.toContain(SECRET_PART);
  });

  test('no secret configured: an error naming the variable', async () => {
    const forward = createForwarder({ ...fakeTime().deps, getSecret: async () => 'x', logger: new Logger({ serviceName: 't', logLevel: 'SILENT' }), env: {} });
    await expect(forward(snsEvent(alertJson))).rejects.toThrow(/^TRAILCHECK_SLACK_SECRET_ID: not set/);
  });
});
