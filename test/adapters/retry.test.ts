/** The retry strategy and budget shared by the SDK clients and the wire path (lambda/aws/retry.ts). */
import type { RetryErrorInfo } from '@smithy/types';
import { BACKOFF_BASE_MS, DeadlineRetryStrategy, MAX_BACKOFF_MS, RetryBudget, type RetryBounds } from '../../lambda/aws/retry';

/** An error as the SDK shapes it. */
const sdkError = (name: string, $metadata: Record<string, unknown>) => Object.assign(new Error(name), { name, $metadata }) as unknown as RetryErrorInfo['error'];
const throttled: RetryErrorInfo = { errorType: 'THROTTLING', error: sdkError('ThrottlingException', { httpStatusCode: 400 }) };
const transient: RetryErrorInfo = { errorType: 'TRANSIENT', error: sdkError('TimeoutError', {}) };
const clientError = (name: string): RetryErrorInfo => ({ errorType: 'CLIENT_ERROR', error: sdkError(name, { httpStatusCode: 403 }) });

/** A strategy with no backoff (random 0) unless `random` says otherwise. */
function strategy(bounds: Partial<RetryBounds>, random = () => 0, budget = new RetryBudget()) {
  const b: RetryBounds = { maxAttempts: 3, callTimeoutMs: 1000, ...bounds };
  return new DeadlineRetryStrategy(() => b, budget, random);
}

/** Attempts the strategy allows for a call that fails with `info` every time (at most `limit`). */
async function attemptsAllowed(s: DeadlineRetryStrategy, info: RetryErrorInfo, limit = 100): Promise<number> {
  let token = await s.acquireInitialRetryToken();
  let attempts = 1;
  try {
    while (attempts < limit) {
      token = await s.refreshRetryTokenForRetry(token, info);
      attempts += 1;
    }
  } catch {
    // refused
  }
  return attempts;
}

describe('backoff: capped exponential with full jitter', () => {
  const s = strategy({}, () => 0.999999);
  test.each([
    ['throttling, first retry', throttled, 0, BACKOFF_BASE_MS],
    ['throttling, third retry', throttled, 2, BACKOFF_BASE_MS * 4],
    ['transient, first retry', transient, 0, BACKOFF_BASE_MS],
    ['transient, fourth retry', transient, 3, BACKOFF_BASE_MS * 8],
    ['throttling, far along: the cap', throttled, 30, MAX_BACKOFF_MS],
  ])('%s: between 0 and the exponential', (_name, info, retries, ceiling) => {
    expect(s.backoff(retries, info)).toBe(ceiling - 1);
    expect(strategy({}, () => 0).backoff(retries, info)).toBe(0);
  });

  test('Retry-After is honoured, up to the cap', () => {
    const now = Date.now();
    expect(strategy({}).backoff(0, { ...throttled, retryAfterHint: new Date(now + 3000) }, now)).toBe(3000);
    expect(strategy({}, () => 0.999999).backoff(0, { ...throttled, retryAfterHint: new Date(now + 10) }, now)).toBe(BACKOFF_BASE_MS - 1);
    expect(strategy({}).backoff(0, { ...throttled, retryAfterHint: new Date(now + 3_600_000) }, now)).toBe(MAX_BACKOFF_MS);
  });
});

describe('what bounds the retries', () => {
  test('with a deadline, throttling and transient errors are retried far beyond maxAttempts', async () => {
    const deadline = Date.now() + 60_000;
    expect(await attemptsAllowed(strategy({ maxAttempts: 2, deadline }), throttled, 40)).toBe(40);
    expect(await attemptsAllowed(strategy({ maxAttempts: 2, deadline }), transient, 40)).toBe(40);
  });

  test('without a deadline, maxAttempts bounds them (the SDK standard mode bound)', async () => {
    expect(await attemptsAllowed(strategy({ maxAttempts: 4 }), throttled)).toBe(4);
    expect(await attemptsAllowed(strategy({ maxAttempts: 1 }), transient)).toBe(1);
  });

  test('no retry starts that the deadline leaves no room for: the call fails with its own error first', async () => {
    // 1 s kept for the attempt (at least 1 s, at most the call timeout plus a margin): 500 ms left is too little.
    expect(await attemptsAllowed(strategy({ deadline: Date.now() + 500 }), throttled)).toBe(1);
    // A backoff that would end past the point of no return is not waited out either.
    const started = Date.now();
    expect(await attemptsAllowed(strategy({ deadline: Date.now() + 3000 }, () => 0.999999), throttled)).toBeLessThan(100);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test.each([
    ['AccessDenied', clientError('AccessDenied')],
    ['ValidationError', clientError('ValidationError')],
    ['MalformedResponse', clientError('MalformedResponse')],
    ['a server error the SDK does not retry (501)', { errorType: 'SERVER_ERROR', error: sdkError('NotImplemented', { httpStatusCode: 501 }) } as RetryErrorInfo],
  ])('%s fails at once, deadline or not', async (_name, info) => {
    expect(await attemptsAllowed(strategy({ deadline: Date.now() + 60_000 }), info)).toBe(1);
    expect(await attemptsAllowed(strategy({ maxAttempts: 5 }), info)).toBe(1);
  });

  test('a clock-skew error is retried once (signed at the corrected time), not again', async () => {
    const skew: RetryErrorInfo = { errorType: 'TRANSIENT', error: sdkError('InvalidSignatureException', { httpStatusCode: 400, clockSkewCorrected: true }) };
    expect(await attemptsAllowed(strategy({ deadline: Date.now() + 60_000 }), skew)).toBe(2);
  });

  test('the run signal ends a backoff at once', async () => {
    const controller = new AbortController();
    const s = strategy({ deadline: Date.now() + 60_000, signal: controller.signal }, () => 0.999999);
    const token = await s.acquireInitialRetryToken();
    const started = Date.now();
    const refreshing = s.refreshRetryTokenForRetry(token, { ...throttled, retryAfterHint: new Date(Date.now() + 10_000) });
    setTimeout(() => controller.abort(), 50);
    await expect(refreshing).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('RetryBudget: retries shared by one service in one region', () => {
  test('successes pay for retries: ordinary throttling never waits on the budget', async () => {
    const budget = new RetryBudget(5, 1, 1);
    for (let i = 0; i < 50; i++) {
      budget.earn();
      expect(await budget.take(Date.now())).toBe(true);
    }
  });

  test('in a storm (no success), a burst, then a trickle: the run slows down instead of hammering the service', async () => {
    let now = 1_000_000;
    const budget = new RetryBudget(3, 10, 1, () => now);
    for (let i = 0; i < 3; i++) expect(await budget.take(now)).toBe(true);
    expect(await budget.take(now)).toBe(false); // empty, and no time to wait
    now += 100; // 10 per second: one more
    expect(await budget.take(now)).toBe(true);
    expect(await budget.take(now)).toBe(false);
  });

  test('a waiting retry is woken by a success, and new calls queue behind it while it waits', async () => {
    const budget = new RetryBudget(1, 0.001, 1);
    expect(await budget.take(Date.now())).toBe(true);
    const waiting = budget.take(Date.now() + 5000);
    expect(budget.rationing).toBe(true);
    const s = new DeadlineRetryStrategy(() => ({ maxAttempts: 3, callTimeoutMs: 1000, deadline: Date.now() + 5000 }), budget);
    const newCall = s.acquireInitialRetryToken();
    let newCallStarted = false;
    void newCall.then(() => (newCallStarted = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(newCallStarted).toBe(false);
    const started = Date.now();
    budget.earn();
    expect(await waiting).toBe(true);
    expect(Date.now() - started).toBeLessThan(500);
    budget.earn();
    await newCall;
    expect(budget.rationing).toBe(false);
  });
});
