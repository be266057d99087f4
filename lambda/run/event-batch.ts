/**
 * The real-time function's batch: each SQS record's body parsed and validated
 * (events/trail-event.ts), the refused ones logged with their reason and dropped (an event that
 * cannot be right is never retried, and never audited with guessed data), the rest coalesced by
 * account (events/coalesce.ts); then each account's real-time run, one after another, and the
 * records to retry as SQS's partial batch response.
 */
import type { Logger } from '../audit/run-types';
import { coalesceByAccount, type AccountBatch } from '../events/coalesce';
import { parseEventBody, type AccountEvent } from '../events/trail-event';
import type { RealtimeOutcome } from './single-account-run';

/** An SQS record as Lambda hands it over (only what is read). */
export interface QueueRecord {
  messageId: string;
  body: unknown;
}

export interface BatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** Below this, an account's run is not started: its records are retried by the next invocation. */
export const MIN_RUN_MS = 15_000;

export function readRecords(records: readonly QueueRecord[], log: Logger): { batches: AccountBatch[]; dropped: number } {
  const valid: Array<{ messageId: string; event: AccountEvent }> = [];
  let dropped = 0;
  for (const r of records) {
    const parsed = parseEventBody(r.body);
    if (parsed.ok) valid.push({ messageId: r.messageId, event: parsed.event });
    else {
      dropped += 1;
      log.warn('event dropped', { messageId: r.messageId, reason: parsed.reason });
    }
  }
  const batches = coalesceByAccount(valid);
  log.info('events received', { records: records.length, dropped, accounts: batches.map((b) => ({ accountId: b.accountId, events: b.events.map((e) => e.eventName) })) });
  return { batches, dropped };
}

/**
 * Each account's run in turn. Retried: records of an account whose run says so (lock held, role
 * not there yet), whose run failed, or that there was no time left for. After a full run (an
 * organization trail changed) the other accounts are audited already: their records are done.
 */
export async function runBatches(batches: AccountBatch[], run: (b: AccountBatch) => Promise<RealtimeOutcome>, remainingMs: () => number, log: Logger): Promise<BatchResponse> {
  const retry: string[] = [];
  let fullRun = false;
  for (const batch of batches) {
    if (fullRun) {
      log.info('account covered by the full run', { accountId: batch.accountId });
      continue;
    }
    if (remainingMs() < MIN_RUN_MS) {
      log.warn('no time left for this account: its events are retried', { accountId: batch.accountId });
      retry.push(...batch.messageIds);
      continue;
    }
    try {
      const out = await run(batch);
      if (out.outcome === 'retry') {
        log.warn('real-time audit retried later', { accountId: batch.accountId, reason: out.reason });
        retry.push(...batch.messageIds);
      }
      if (out.outcome === 'full-run') fullRun = true;
    } catch (err) {
      const e = err as Error;
      log.error('real-time audit failed: its events are retried', { accountId: batch.accountId, error: `${e.name}: ${e.message}` });
      retry.push(...batch.messageIds);
    }
  }
  return { batchItemFailures: [...new Set(retry)].map((itemIdentifier) => ({ itemIdentifier })) };
}
