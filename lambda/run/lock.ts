/**
 * Lock: one scheduled run at a time. The run lock (lambda/aws/run-lock.ts), or the result of a
 * skipped run when another run holds it. S3 not answering (denied, unreachable) does not stop the
 * audit: it runs without the lock, and says so in the log.
 */
import type { Logger } from '../audit/run-types';
import type { HeldLock, LockHolder, RunLock } from '../aws/run-lock';

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

export async function takeRunLock(lock: RunLock, owner: string, expiresAt: Date, log: Logger): Promise<HeldLock | SkippedRun | undefined> {
  try {
    const taken = await lock.acquire(owner, expiresAt);
    if (!taken.acquired) {
      log.warn('run skipped: another run holds the run lock', { lock: lock.uri, reason: taken.reason, holder: taken.holder });
      return { skipped: true, reason: taken.reason, lock: lock.uri, ...(taken.holder ? { holder: taken.holder } : {}) };
    }
    if (taken.tookOver) log.warn('run lock taken over from a run that ran out of time', { lock: lock.uri, previous: taken.tookOver });
    return taken.lock;
  } catch (err) {
    const e = err as Error;
    log.error('run lock unavailable: auditing without it', { lock: lock.uri, error: `${e.name}: ${e.message}` });
    return undefined;
  }
}
