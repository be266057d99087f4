/**
 * The real-time function's retry backoff (lambda/run/event-batch.ts `backOffRetries`): each record
 * handed back to SQS gets its visibility changed to the backoff of its receive count first; a
 * failed change, a hostile ARN or receipt handle leave it retried at the queue's own timeout.
 */
import { MAX_RECEIVES } from '../../lib/realtime';
import type { Logger } from '../../lambda/audit/run-types';
import { EVENT_QUEUE_MAX_RECEIVES } from '../../lambda/env';
import type { SqsApi } from '../../lambda/aws/sqs';
import { backOffRetries, readRecords, runBatches, type QueueRecord } from '../../lambda/run/event-batch';
import { sqsEvent, trailCall } from './events';

type Call = { region: string; queueUrl: string; receiptHandle: string; seconds: number };

function fakeSqs(fail: (c: Call) => boolean = () => false) {
  const calls: Call[] = [];
  const sqs = (region: string): SqsApi => ({
    async changeMessageVisibility(queueUrl, receiptHandle, seconds) {
      const c = { region, queueUrl, receiptHandle, seconds };
      calls.push(c);
      if (fail(c)) throw Object.assign(new Error('Access to the resource is denied'), { name: 'AccessDenied' });
    },
  });
  return { calls, sqs };
}

function recorder() {
  const lines: Array<{ level: string; message: string; extra: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, extra: Record<string, unknown> = {}) => lines.push({ level, message, extra });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { lines, log };
}

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111111111111/trailcheck-events';
const A = '200000000001';
const B = '200000000002';

it('a record retried by its run (lock held) has its visibility changed to the backoff of its receive count, and is still returned', async () => {
  const event = sqsEvent([trailCall('StopLogging', { account: A }), trailCall('StopLogging', { account: B })]);
  const records: QueueRecord[] = event.Records;
  records[0].attributes = { ApproximateReceiveCount: '3' };
  const { log, lines } = recorder();
  const { batches } = readRecords(records, log);
  const response = await runBatches(batches, async (b) => (b.accountId === A ? { outcome: 'retry', accountId: A, reason: 'run lock held by another run' } : { outcome: 'retry', accountId: B, reason: 'x' }), () => 60_000, log);
  const { calls, sqs } = fakeSqs();
  const out = await backOffRetries(response, records, sqs, log);
  expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([records[0].messageId, records[1].messageId].sort());
  expect(calls).toEqual(
    expect.arrayContaining([
      { region: 'us-east-1', queueUrl: QUEUE_URL, receiptHandle: 'rh-0', seconds: 240 },
      { region: 'us-east-1', queueUrl: QUEUE_URL, receiptHandle: 'rh-1', seconds: 60 },
    ]),
  );
  expect(calls).toHaveLength(2);
  expect(lines.filter((l) => l.message === 'retried event backed off').map((l) => l.extra.visibilityTimeoutSeconds).sort()).toEqual([240, 60]);
});

it('only the records handed back are changed; none when nothing is retried', async () => {
  const records: QueueRecord[] = sqsEvent([trailCall('StopLogging', { account: A }), trailCall('StopLogging', { account: B })]).Records;
  const { log } = recorder();
  const { calls, sqs } = fakeSqs();
  await backOffRetries({ batchItemFailures: [{ itemIdentifier: records[1].messageId }] }, records, sqs, log);
  expect(calls.map((c) => c.receiptHandle)).toEqual(['rh-1']);
  calls.length = 0;
  await expect(backOffRetries({ batchItemFailures: [] }, records, sqs, log)).resolves.toEqual({ batchItemFailures: [] });
  expect(calls).toEqual([]);
});

it('a failed ChangeMessageVisibility is logged and the record is still returned as a failure', async () => {
  const records: QueueRecord[] = sqsEvent([trailCall('StopLogging', { account: A }), trailCall('StopLogging', { account: B })]).Records;
  const response = { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) };
  const { log, lines } = recorder();
  const { calls, sqs } = fakeSqs((c) => c.receiptHandle === 'rh-0');
  await expect(backOffRetries(response, records, sqs, log)).resolves.toEqual(response);
  expect(calls).toHaveLength(2);
  const warned = lines.filter((l) => l.level === 'warn');
  expect(warned).toHaveLength(1);
  expect(warned[0].message).toMatch(/ChangeMessageVisibility failed/);
  expect(warned[0].extra).toEqual({ messageId: records[0].messageId, error: 'AccessDenied: Access to the resource is denied' });
});

it('a hostile queue ARN or receipt handle is not sent; the record is still retried', async () => {
  const records: QueueRecord[] = sqsEvent([trailCall('StopLogging', { account: A }), trailCall('StopLogging', { account: B }), trailCall('StopLogging', { account: A })]).Records;
  records[0].eventSourceARN = 'arn:aws:sqs:us-east-1.evil.example.com:111111111111:q';
  records[1].receiptHandle = 'rh\r\nX-Injected: 1';
  records[2].attributes = { ApproximateReceiveCount: '-7' };
  const response = { batchItemFailures: [...records.map((r) => ({ itemIdentifier: r.messageId })), { itemIdentifier: 'not-in-the-batch' }] };
  const { log, lines } = recorder();
  const { calls, sqs } = fakeSqs();
  await expect(backOffRetries(response, records, sqs, log)).resolves.toEqual(response);
  expect(calls).toEqual([{ region: 'us-east-1', queueUrl: QUEUE_URL, receiptHandle: 'rh-2', seconds: 60 }]);
  expect(lines.filter((l) => l.level === 'warn' && /not valid/.test(l.message)).map((l) => l.extra.messageId)).toEqual([records[0].messageId, records[1].messageId, 'not-in-the-batch']);
});

it(`the retry before the last receive (${EVENT_QUEUE_MAX_RECEIVES - 1}) keeps the queue's visibility timeout: the last attempt is not minutes away`, async () => {
  const records: QueueRecord[] = sqsEvent([1, 2, 3, 4, 5].map(() => trailCall('StopLogging', { account: A }))).Records;
  records.forEach((r, i) => (r.attributes = { ApproximateReceiveCount: String(i + 1) }));
  const { log } = recorder();
  const { calls, sqs } = fakeSqs();
  const response = { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) };
  await expect(backOffRetries(response, records, sqs, log)).resolves.toEqual(response);
  expect(calls.map((c) => [c.receiptHandle, c.seconds])).toEqual([
    ['rh-0', 60],
    ['rh-1', 120],
    ['rh-2', 240],
  ]);
  expect(EVENT_QUEUE_MAX_RECEIVES).toBe(MAX_RECEIVES);
});
