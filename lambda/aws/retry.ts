/**
 * Retries for every AWS call of a run, the SDK clients' and the wire path's alike.
 *
 * A throttled or transient failure is retried while the run's deadline allows, not a fixed number
 * of times: a call given up with minutes of the run left costs an account its verdict for nothing.
 * Each retry waits a capped exponential backoff with full jitter (the SDK's formula,
 * `random × min(cap, base × 2^retries)`; `Retry-After` honoured, up to the cap), and no retry
 * starts that could not end before the deadline, so the call then fails with AWS's own error code,
 * not a timeout.
 * Errors that no retry can fix (AccessDenied, validation, malformed) fail at once, as in the SDK.
 * A run with no deadline (the CLI without `--timeout`) keeps the SDK's bound: `maxAttempts`.
 *
 * Retries also take a token from a budget shared by one service in one region (`RetryBudget`):
 * successes earn tokens, so ordinary throttling never waits on it, but in a storm where calls stop
 * succeeding the whole run slows to the budget's trickle, new calls queued behind the retries,
 * instead of every account in flight hammering the service at once. This is the SDK's retry quota
 * (standard mode), except that an empty budget makes a call wait rather than fail. The SDK's
 * adaptive mode (`DefaultRateLimiter`) was not taken: it cuts the sending rate on every throttled
 * answer, so under steady partial throttling it converges to a few calls per second (100 accounts
 * at 30%: 134 s against 3.7 s with this strategy; docs/performance.md).
 */
import { isClockSkewError } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';

/**
 * Backoff base and cap, throttling and transient errors alike. The base is the SDK's (2026) for
 * transient errors; the SDK waits longer after throttling (500 ms to 1 s base) because it retries
 * only a few times, but here the shared budget, not each call's backoff, holds the load down in a
 * storm, and a service that wants a longer wait says so (`Retry-After`). Measured at 30% random
 * throttling of every call, 1,000 accounts (docs/performance.md): a 250 ms base took 4.7× the
 * clean run's wall time, 100 ms 2.2–3.0×, 50 ms 1.8–2.3× (with this cap). The cap is a quarter of
 * the SDK's 20 s for the same reason: a call throttled many times over gets back as soon as the
 * storm passes.
 */
export const BACKOFF_BASE_MS = 50;
export const MAX_BACKOFF_MS = 5_000;
/**
 * Time kept for one more attempt before the deadline: twice the call's longest attempt so far, at
 * least 1 s, at most the per-call timeout (and a margin, for connecting and reading the answer).
 */
const MIN_ATTEMPT_RESERVE_MS = 1_000;
const ATTEMPT_MARGIN_MS = 250;

/** What one service's calls came to: requests sent (retries included) and how many AWS answered with throttling. */
export interface CallCount {
  calls: number;
  throttles: number;
}

/** What bounds a call's retries. */
export interface RetryBounds {
  /** Attempts per call, first included, when the run has no deadline. */
  maxAttempts: number;
  /** How long one attempt may take (the per-call timeout). */
  callTimeoutMs: number;
  /** The run's deadline (epoch ms), if it has one. */
  deadline?: number;
  /** The run's signal: a wait ends at once when it fires. */
  signal?: AbortSignal;
}

/** A token bucket of retries for one service in one region: refilled by successes, and slowly by time. */
export class RetryBudget {
  private tokens: number;
  private last: number;
  private waiting = 0;
  private wake?: () => void;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    /** A burst of retries before successes must pay for them (the SDK's quota allows 100 throttled ones). */
    private readonly capacity = 50,
    /** Tokens per second with no success at all: how fast a storm is probed. */
    private readonly perSecond = 5,
    /** One retry per success: up to half the calls may be throttled before anything waits. */
    private readonly perSuccess = 1,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  /** True while calls wait for a token: new calls then queue behind them. */
  get rationing(): boolean {
    return this.waiting > 0;
  }

  earn(): void {
    this.tokens = Math.min(this.capacity, this.tokens + this.perSuccess);
    this.wake?.();
  }

  /** Takes a token, waiting in turn until `until` (epoch ms) at the latest; false if none came by then. */
  take(until: number, signal?: AbortSignal): Promise<boolean> {
    this.refill();
    if (this.waiting === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve(true);
    }
    this.waiting += 1;
    const turn = this.queue.then(() => this.waitForToken(until, signal));
    this.queue = turn.catch(() => undefined);
    return turn.finally(() => (this.waiting -= 1));
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
  }

  private async waitForToken(until: number, signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return true;
      }
      const left = until - this.now();
      if (left <= 0) return false;
      const nextByTime = Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
      // A success wakes the wait early.
      await sleep(Math.min(nextByTime, left), signal, (wake) => (this.wake = wake));
      this.wake = undefined;
    }
  }
}

class CallToken implements RetryToken {
  $retryLog = { acquisitionDelay: 0 };
  constructor(
    readonly count: number,
    /** When this attempt was allowed to start. */
    readonly startedAt: number,
    /** The longest attempt of the call so far. */
    readonly longestAttemptMs: number,
    /** A clock-skew error was retried once already. */
    readonly skewRetried = false,
  ) {}
  getRetryCount(): number {
    return this.count;
  }
  getRetryDelay(): number {
    return 0; // waited inside refreshRetryTokenForRetry (see $retryLog)
  }
}

/** Refused: the SDK then throws the call's last error, and so does the wire path. */
const refused = (why: string) => Object.assign(new Error(`no retry: ${why}`), { name: 'RetryRefused' });

/**
 * The retry strategy of one service in one region, for the SDK clients (`retryStrategy`) and the
 * wire path. `bounds` is read at each decision, so the run can set its deadline after the clients
 * are built.
 */
export class DeadlineRetryStrategy implements RetryStrategyV2 {
  /** Requests sent (first attempts and retries) and throttled answers, for the run's metrics (run/metrics.ts). */
  readonly counts: CallCount = { calls: 0, throttles: 0 };

  constructor(
    private readonly bounds: () => RetryBounds,
    readonly budget: RetryBudget = new RetryBudget(),
    private readonly random: () => number = Math.random,
  ) {}

  async acquireInitialRetryToken(): Promise<RetryToken> {
    const { deadline, signal } = this.bounds();
    // In a storm, a new call waits its turn behind the retries (it is sent anyway by the deadline).
    if (this.budget.rationing) await this.budget.take(deadline ?? Date.now() + MAX_BACKOFF_MS, signal);
    this.counts.calls += 1;
    return new CallToken(0, Date.now(), 0);
  }

  async refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    // Every failed attempt comes here, retried or not: a throttled answer is counted once, here.
    if (info.errorType === 'THROTTLING') this.counts.throttles += 1;
    if (info.errorType !== 'THROTTLING' && info.errorType !== 'TRANSIENT') throw refused(`${info.errorType} is not retried`);
    const { maxAttempts, callTimeoutMs, deadline, signal } = this.bounds();
    const previous = token instanceof CallToken ? token : new CallToken(token.getRetryCount(), Date.now(), 0);
    const now = Date.now();
    const longest = Math.max(previous.longestAttemptMs, now - previous.startedAt);
    const retries = previous.count + 1;
    if (deadline === undefined && retries >= maxAttempts) throw refused(`${maxAttempts} attempts made`);
    // A clock-skew error is transient once: signed anew at the corrected time it succeeds, or it was
    // not the clock (the SDK marks any such error "corrected" while the offset moves by milliseconds).
    const skew = info.error !== undefined && isClockSkewError(info.error);
    if (skew && previous.skewRetried) throw refused('the clock was corrected already');

    const delay = this.backoff(previous.count, info, now);
    // Keep room for the attempt itself: one that the deadline cuts short tells the user less.
    const latestStart = deadline === undefined ? Infinity : deadline - Math.min(callTimeoutMs + ATTEMPT_MARGIN_MS, Math.max(MIN_ATTEMPT_RESERVE_MS, 2 * longest));
    if (now + delay > latestStart) throw refused('the run deadline leaves no time for another attempt');
    if (delay > 0) await sleep(delay, signal);
    const budgetUntil = Number.isFinite(latestStart) ? latestStart : Date.now() + MAX_BACKOFF_MS;
    if (!(await this.budget.take(budgetUntil, signal))) throw refused(`no retry budget left for this service and region`);

    const next = new CallToken(retries, Date.now(), longest, previous.skewRetried || skew);
    next.$retryLog.acquisitionDelay = next.startedAt - now;
    this.counts.calls += 1;
    return next;
  }

  recordSuccess(): void {
    this.budget.earn();
  }

  /** Full jitter over a capped exponential, at least what `Retry-After` asked for (within the cap). */
  backoff(retriesSoFar: number, info: RetryErrorInfo, now = Date.now()): number {
    const jittered = Math.floor(this.random() * Math.min(MAX_BACKOFF_MS, BACKOFF_BASE_MS * 2 ** retriesSoFar));
    const asked = info.retryAfterHint instanceof Date ? Math.min(MAX_BACKOFF_MS, info.retryAfterHint.getTime() - now) : 0;
    return Math.max(jittered, asked);
  }
}

/** Waits `ms`; `signal` ends the wait at once (rejecting); `onWake` receives a function that ends it early. */
function sleep(ms: number, signal?: AbortSignal, onWake?: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    // Not unref'd: a CLI whose only pending work is a backoff must not exit in the middle of it.
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    onWake?.(done);
  });
}

const abortError = () => Object.assign(new Error('Request aborted'), { name: 'AbortError' });
