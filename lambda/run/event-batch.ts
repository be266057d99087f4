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
import { backoffSeconds, queueFromArn, receiveCountOf, validReceiptHandle, type SqsApi } from '../aws/sqs';
import { EVENT_QUEUE_MAX_RECEIVES } from '../env';
import type { RealtimeOutcome } from './single-account-run';

/** An SQS record as Lambda hands it over (only what is read). */
export interface QueueRecord {
  messageId: string;
  body: unknown;
  /** Read by the retry backoff (`backOffRetries`), validated there. */
  receiptHandle?: unknown;
  eventSourceARN?: unknown;
  attributes?: { ApproximateReceiveCount?: unknown };
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

/**
 * Before the records to retry are handed back, each one's visibility is changed to a backoff from
 * its receive count (aws/sqs.ts `backoffSeconds`: 1 min, 2, 4, … at most 15), so it comes back in
 * minutes rather than after the queue's visibility timeout (about 90 minutes). Except the retry
 * before the last receive (count `EVENT_QUEUE_MAX_RECEIVES` − 1): it keeps the queue's timeout, so
 * the last attempt comes after a scheduled run holding the lock and (by default) after the new
 * account grace, rather than the event reaching the dead-letter queue within minutes. A record
 * whose queue ARN or receipt handle is not valid, or whose change failed, is logged and still
 * retried: the queue's own timeout then applies. The response is returned unchanged.
 */
export async function backOffRetries(response: BatchResponse, records: readonly QueueRecord[], sqs: (region: string) => SqsApi, log: Logger): Promise<BatchResponse> {
  const byId = new Map(records.map((r) => [r.messageId, r]));
  await Promise.all(
    response.batchItemFailures.map(async ({ itemIdentifier: messageId }) => {
      const r = byId.get(messageId);
      const queue = queueFromArn(r?.eventSourceARN);
      if (!r || !queue || !validReceiptHandle(r.receiptHandle)) {
        log.warn('retried event not backed off: its queue ARN or receipt handle is not valid (the queue\'s visibility timeout applies)', { messageId });
        return;
      }
      const received = r.attributes?.ApproximateReceiveCount;
      if (receiveCountOf(received) >= EVENT_QUEUE_MAX_RECEIVES - 1) {
        log.info('retried event left at the queue\'s visibility timeout: its next receive is its last', { messageId });
        return;
      }
      const seconds = backoffSeconds(received);
      try {
        await sqs(queue.region).changeMessageVisibility(queue.url, r.receiptHandle, seconds);
        log.info('retried event backed off', { messageId, visibilityTimeoutSeconds: seconds });
      } catch (err) {
        const e = err as Error;
        log.warn('retried event not backed off: ChangeMessageVisibility failed (the queue\'s visibility timeout applies)', { messageId, error: `${e?.name}: ${e?.message}` });
      }
    }),
  );
  return response;
}
