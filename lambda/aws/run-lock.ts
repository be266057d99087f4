/**
 * One audit at a time, without reserving Lambda concurrency: a lock object in the report bucket,
 * taken with an S3 conditional write and released at the end of the run.
 *
 *   take:     PutObject If-None-Match: *           only one run can create the key
 *   held:     412 → read it; its holder ran out of time (expiresAt passed)? then take it over with
 *             PutObject If-Match: <its ETag>, so two runs taking over the same stale lock cannot
 *             both win; otherwise this run is skipped
 *   release:  DeleteObject If-Match: <our ETag>    never deletes a lock another run has taken over
 *
 * A holder writes its own deadline (the Lambda's remaining time when it started, at most the
 * function timeout): no run can still be going after it, so a lock left behind by a run that was
 * killed (timeout, out of memory) is taken over by the first run after that deadline. Should the
 * body be unreadable, the lock is stale `MAX_RUN_MS` after it was written.
 */
import { type BucketClient, objectsOf, type S3Objects } from './s3-objects';

/** Lambda's maximum timeout: no run can hold the lock longer. */
export const MAX_RUN_MS = 15 * 60_000;
/** Clock differences between Lambda hosts, allowed before a lock counts as stale. */
export const CLOCK_SLACK_MS = 10_000;
/** Create, take over and retry when the lock changes under us: a few rounds settle any race. */
const MAX_ROUNDS = 3;

export interface LockHolder {
  /** Who holds it: the Lambda request id. */
  owner: string;
  takenAt: string;
  /** The holder's own deadline: after it, the lock may be taken over. */
  expiresAt: string;
  /** `event`: a real-time audit of one account (seconds; a scheduled run waits for it); absent: a scheduled run. */
  purpose?: LockPurpose;
}

export type LockPurpose = 'scheduled' | 'event';

interface LockBody extends LockHolder {
  type: 'trailcheck.run-lock';
  schemaVersion: 1;
}

export type LockOutcome =
  | { acquired: true; lock: HeldLock; /** The stale lock this run took over, if any. */ tookOver?: LockHolder | { unreadable: string } }
  | { acquired: false; /** The run holding the lock, when its body could be read. */ holder?: LockHolder; reason: string };

export type ReleaseOutcome = { released: true } | { released: false; reason: string };

export class RunLock {
  private readonly s3: S3Objects;

  constructor(
    s3: BucketClient,
    readonly bucket: string,
    readonly key: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.s3 = objectsOf(s3);
  }

  get uri(): string {
    return `s3://${this.bucket}/${this.key}`;
  }

  /**
   * Takes the lock for a run that must end by `expiresAt`. Resolves whether taken or held by
   * another run; throws only when S3 cannot be asked (denied, unreachable), for the caller to decide.
   */
  async acquire(owner: string, expiresAt: Date, purpose?: LockPurpose): Promise<LockOutcome> {
    for (let round = 1; ; round++) {
      const body = this.body(owner, expiresAt, purpose);
      const created = await this.put(body, { ifNoneMatch: '*' });
      if (created.ok) return { acquired: true, lock: new HeldLock(this.s3, this.bucket, this.key, created.etag) };

      const current = await this.read();
      if (!current) {
        // Released between our write and our read: try again.
        if (round < MAX_ROUNDS) continue;
        return this.contended(owner);
      }
      const staleAt = staleTime(current);
      if (this.now().getTime() < staleAt + CLOCK_SLACK_MS) {
        if ('holder' in current) {
          const h = current.holder;
          return { acquired: false, holder: h, reason: `another run (${h.owner}, started ${h.takenAt}) holds ${this.uri} until ${h.expiresAt}` };
        }
        return { acquired: false, reason: `${this.uri} ${current.unreadable} (written ${current.lastModified.toISOString()}); it counts as held until ${new Date(staleAt).toISOString()}` };
      }
      // The holder ran out of time: take over, but only the lock we just read.
      const taken = await this.put(body, { ifMatch: current.etag });
      if (taken.ok) return { acquired: true, lock: new HeldLock(this.s3, this.bucket, this.key, taken.etag), tookOver: 'holder' in current ? current.holder : { unreadable: current.unreadable } };
      if (round >= MAX_ROUNDS) return this.contended(owner);
    }
  }

  private contended(owner: string): LockOutcome {
    return {
      acquired: false,
      reason: `${this.uri} kept changing while run ${owner} tried to take it (${MAX_ROUNDS} rounds): other runs are starting at the same time`,
    };
  }

  private body(owner: string, expiresAt: Date, purpose?: LockPurpose): string {
    const body: LockBody = { type: 'trailcheck.run-lock', schemaVersion: 1, owner, takenAt: this.now().toISOString(), expiresAt: expiresAt.toISOString(), ...(purpose ? { purpose } : {}) };
    return JSON.stringify(body);
  }

  /** `ok: false` when the condition did not hold (the lock exists, or changed); other errors throw. */
  private async put(body: string, condition: { ifNoneMatch: '*' } | { ifMatch: string }): Promise<{ ok: true; etag: string } | { ok: false }> {
    try {
      const out = await this.s3.put(this.bucket, this.key, body, { contentType: 'application/json', ...condition });
      if (!out.etag) throw new Error(`PutObject ${this.uri} returned no ETag; the lock could not be released safely`);
      return { ok: true, etag: out.etag };
    } catch (err) {
      if (conditionFailed(err)) return { ok: false };
      throw err;
    }
  }

  private async read(): Promise<
    | { etag: string; lastModified: Date; holder: LockHolder }
    | { etag: string; lastModified: Date; unreadable: string }
    | undefined
  > {
    try {
      const out = await this.s3.get(this.bucket, this.key);
      const etag = out.etag;
      const lastModified = out.lastModified ?? new Date(0);
      const holder = parseHolder(out.body);
      return typeof holder === 'string' ? { etag, lastModified, unreadable: holder } : { etag, lastModified, holder };
    } catch (err) {
      if ((err as Error).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }
}

export class HeldLock {
  private released = false;

  constructor(
    private readonly s3: S3Objects,
    readonly bucket: string,
    readonly key: string,
    readonly etag: string,
  ) {}

  /** Deletes the lock if it is still ours. Never throws: a lock left behind expires by itself. */
  async release(): Promise<ReleaseOutcome> {
    if (this.released) return { released: true };
    try {
      await this.s3.delete(this.bucket, this.key, { ifMatch: this.etag });
      this.released = true;
      return { released: true };
    } catch (err) {
      const e = err as Error;
      if (e.name === 'NoSuchKey') return { released: false, reason: `s3://${this.bucket}/${this.key} was already gone` };
      if (conditionFailed(err)) return { released: false, reason: `s3://${this.bucket}/${this.key} was taken over by another run after this one's deadline; left to it` };
      return { released: false, reason: `s3://${this.bucket}/${this.key} could not be deleted (${e.name}: ${e.message}); it expires at this run's deadline` };
    }
  }
}

/** 412 PreconditionFailed, or 409 ConditionalRequestConflict (a concurrent conditional write). */
function conditionFailed(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'PreconditionFailed' || e.name === 'ConditionalRequestConflict' || e.$metadata?.httpStatusCode === 412 || e.$metadata?.httpStatusCode === 409;
}

/** When the lock may be taken over: its holder's deadline, never later than MAX_RUN_MS after it was written. */
function staleTime(current: { lastModified: Date; holder: LockHolder } | { lastModified: Date; unreadable: string }): number {
  const latest = current.lastModified.getTime() + MAX_RUN_MS;
  if (!('holder' in current)) return latest;
  return Math.min(Date.parse(current.holder.expiresAt), latest);
}

/** The holder, or why the body is not a lock. */
export function parseHolder(text: string): LockHolder | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'is not valid JSON';
  }
  const b = v as Partial<LockBody> | null;
  if (!b || typeof b !== 'object' || b.type !== 'trailcheck.run-lock' || b.schemaVersion !== 1) return 'is not a trailcheck run lock (schemaVersion 1)';
  if (typeof b.owner !== 'string' || typeof b.takenAt !== 'string' || typeof b.expiresAt !== 'string' || !Number.isFinite(Date.parse(b.expiresAt))) return 'has no owner, takenAt or valid expiresAt';
  const purpose = b.purpose === 'event' || b.purpose === 'scheduled' ? { purpose: b.purpose } : {};
  return { owner: b.owner, takenAt: b.takenAt, expiresAt: b.expiresAt, ...purpose };
}
