/**
 * The clients count what they send (`AwsClients.callCounts()`, for the run's metrics): every
 * request, retries included, and every throttled answer, by service, the SDK clients and the wire
 * path alike. Checked against what the simulator received, under 30% throttling.
 */
import type { RetryErrorInfo } from '@smithy/types';
import { DeadlineRetryStrategy } from '../../lambda/aws/retry';
import { runAudit } from '../../lambda/audit/run-audit';
import { throttleEverything } from '../../simulator/generate';
import { account, clientsFor, config, goodTrail, memberIds, scenario, withSimulator } from '../integration/harness';

const err = (name: string) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } }) as unknown as RetryErrorInfo['error'];
const throttled: RetryErrorInfo = { errorType: 'THROTTLING', error: err('ThrottlingException') };
const transient: RetryErrorInfo = { errorType: 'TRANSIENT', error: err('TimeoutError') };
const denied: RetryErrorInfo = { errorType: 'CLIENT_ERROR', error: err('AccessDenied') };

describe('the retry strategy counts requests and throttled answers', () => {
  const strategy = () => new DeadlineRetryStrategy(() => ({ maxAttempts: 3, callTimeoutMs: 1000 }), undefined, () => 0);

  test('a call that succeeds at once: one request, no throttle', async () => {
    const s = strategy();
    s.recordSuccess();
    await s.acquireInitialRetryToken();
    expect(s.counts).toEqual({ calls: 1, throttles: 0 });
  });

  test('throttled twice then given up at maxAttempts: three requests, three throttled answers (the last, not retried, counts too)', async () => {
    const s = strategy();
    let token = await s.acquireInitialRetryToken();
    token = await s.refreshRetryTokenForRetry(token, throttled);
    token = await s.refreshRetryTokenForRetry(token, throttled);
    await expect(s.refreshRetryTokenForRetry(token, throttled)).rejects.toThrow(/attempts made/);
    expect(s.counts).toEqual({ calls: 3, throttles: 3 });
  });

  test('a transient error is a request retried, not a throttle; AccessDenied is neither retried nor a throttle', async () => {
    const s = strategy();
    let token = await s.acquireInitialRetryToken();
    token = await s.refreshRetryTokenForRetry(token, transient);
    await expect(s.refreshRetryTokenForRetry(token, denied)).rejects.toThrow(/not retried/);
    expect(s.counts).toEqual({ calls: 2, throttles: 0 });
  });
});

describe('AwsClients.callCounts() matches what AWS received', () => {
  const ACCOUNTS = memberIds(8).map((id) => account(id, { trails: [goodTrail()] }));

  test.each(['wire', 'sdk'] as const)('transport %s, 30%% throttling on STS, Organizations and CloudTrail', async (transport) => {
    const s = scenario(ACCOUNTS, { faults: throttleEverything(0.3), latency: { seed: 7 } });
    await withSimulator(s, async (sim) => {
      const cfg = config({ maxAttempts: '3' });
      const clients = clientsFor(sim, cfg, undefined, transport);
      try {
        expect(clients.callCounts()).toEqual({});
        await runAudit(cfg, { clients, deadline: Date.now() + 60_000 });
        const counts = clients.callCounts();
        const received: Record<string, { calls: number; throttles: number }> = {};
        for (const c of sim.calls) {
          const r = (received[c.service] ??= { calls: 0, throttles: 0 });
          r.calls += 1;
          if (c.errorCode === 'Throttling' || c.errorCode === 'ThrottlingException') r.throttles += 1;
        }
        expect(counts).toEqual(received);
        expect(Object.keys(counts).sort()).toEqual(['cloudtrail', 'organizations', 'sts']);
        // The faults did throttle: a counter stuck at 0 would not pass.
        expect(counts.cloudtrail.throttles).toBeGreaterThan(0);
        expect(counts.sts.throttles + counts.organizations.throttles).toBeGreaterThan(0);
      } finally {
        clients.close();
      }
    });
  });
});
