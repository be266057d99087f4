/**
 * Lock: one run at a time, scheduled or real-time. The run lock (lambda/aws/run-lock.ts), or the
 * result of a skipped run when another run holds it. S3 not answering (denied, unreachable) does not stop the
 * audit: it runs without the lock, and says so in the log.
 */
import type { Logger } from '../audit/run-types';
import type { HeldLock, LockHolder, LockPurpose, RunLock } from '../aws/run-lock';

/**
 * Another run held the run lock: this one audited nothing, published nothing and returns cleanly
 * (not an error: retrying it would only queue behind the run that is already reporting).
 */
export interface SkippedRun {
  skipped: true;
  reason: string;
  /** `s3://…` of the lock. */
  lock: string;
  holder?: LockHolder;
}

/** Longest a run waits for a real-time audit's lock (those take seconds; a stuck one expires at its own deadline). */
export const EVENT_LOCK_WAIT_MS = 60_000;
/** How often a waiting run asks again. */
export const LOCK_POLL_MS = 500;

export interface TakeOptions {
  /** What this run is: written in the lock, so others know how long it may hold it. */
  purpose?: LockPurpose;
  /** Longest this run waits when a real-time audit holds the lock (default: EVENT_LOCK_WAIT_MS, at most a quarter of the run's own time). */
  waitForEventMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Takes the lock. Held by a real-time audit (`purpose: event`, one account, seconds), the run
 * waits for it to finish rather than being skipped: a scheduled run skipped for an event would
 * lose that day's audit. Held by a scheduled run, the run is skipped at once.
 */
export async function takeRunLock(lock: RunLock, owner: string, expiresAt: Date, log: Logger, options: TakeOptions = {}): Promise<HeldLock | SkippedRun | undefined> {
  const waitMs = options.waitForEventMs ?? Math.min(EVENT_LOCK_WAIT_MS, Math.max(0, (expiresAt.getTime() - Date.now()) / 4));
  const until = Date.now() + waitMs;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  try {
    for (;;) {
      const taken = await lock.acquire(owner, expiresAt, options.purpose);
      if (taken.acquired) {
        if (taken.tookOver) log.warn('run lock taken over from a run that ran out of time', { lock: lock.uri, previous: taken.tookOver });
        return taken.lock;
      }
      if (taken.holder?.purpose === 'event' && Date.now() + LOCK_POLL_MS <= until) {
        await sleep(LOCK_POLL_MS);
        continue;
      }
      log.warn('run skipped: another run holds the run lock', { lock: lock.uri, reason: taken.reason, holder: taken.holder });
      return { skipped: true, reason: taken.reason, lock: lock.uri, ...(taken.holder ? { holder: taken.holder } : {}) };
    }
  } catch (err) {
    const e = err as Error;
    log.error('run lock unavailable: auditing without it', { lock: lock.uri, error: `${e.name}: ${e.message}` });
    return undefined;
  }
}
