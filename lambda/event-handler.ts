/**
 * The real-time function, wiring only: an SQS batch of EventBridge events (CloudTrail changes to
 * trails, Organizations' new and moved accounts) → validated and coalesced by account
 * (run/event-batch.ts) → each account's real-time run (run/single-account-run.ts) → the records
 * to retry (SQS partial batch response: ReportBatchItemFailures), each backed off first
 * (ChangeMessageVisibility, run/event-batch.ts `backOffRetries`). It reads the scheduled
 * function's environment (./handler.ts) and TRAILCHECK_NEW_ACCOUNT_GRACE_MINUTES.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { Logger } from './audit/run-types';
import { clientsFor } from './aws/clients';
import { RUN_LOCK_ENV } from './env';
import { alertConfigFromEnv, configFromEnv } from './handler';
import { loadPolicy } from './policy';
import { backOffRetries, readRecords, runBatches, type BatchResponse, type QueueRecord } from './run/event-batch';
import { realtimeRun } from './run/single-account-run';
import { readText } from './setting-kinds';
import { REALTIME_ENV, REALTIME_SETTINGS } from './settings';
import { withMappedStacks } from './stack-map';

export type { BatchResponse } from './run/event-batch';

export function realtimeConfigFromEnv(env: NodeJS.ProcessEnv) {
  return readText(REALTIME_SETTINGS, { newAccountGraceMinutes: { key: REALTIME_ENV.newAccountGraceMinutes, value: env[REALTIME_ENV.newAccountGraceMinutes] } });
}

export function createEventHandler(deps: { logger?: PowertoolsLogger; env?: NodeJS.ProcessEnv; now?: () => Date } = {}) {
  const logger = deps.logger ?? new PowertoolsLogger({ serviceName: 'trailcheck-realtime' });
  const log: Logger = { debug: (m, e = {}) => logger.debug(m, e), info: (m, e = {}) => logger.info(m, e), warn: (m, e = {}) => logger.warn(m, e), error: (m, e = {}) => logger.error(m, e) };
  return async (event: { Records?: QueueRecord[] }, context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<BatchResponse> => {
    const env = deps.env ?? process.env;
    const config = configFromEnv(env);
    const alerts = alertConfigFromEnv(env);
    const realtime = realtimeConfigFromEnv(env);
    const { batches } = readRecords(event.Records ?? [], log);
    if (batches.length === 0) return { batchItemFailures: [] };
    const clients = clientsFor(config);
    const bucketRegion = env.AWS_REGION || config.region;
    // The bucket's calls as the scheduled function makes them (./handler.ts: signed HTTP over the run's pool).
    const s3 = alerts.reportBucket ? clients.s3(bucketRegion) : undefined;
    const now = deps.now ?? (() => new Date());
    const remainingMs = () => context.getRemainingTimeInMillis();
    try {
      const run = { clients, s3, lockKey: env[RUN_LOCK_ENV.key], owner: context.awsRequestId, bucketRegion, log, now, remainingMs, ...loadPolicy(__dirname, env, { now: now(), exemptionMaxDays: config.exemptionMaxDays }) };
      const response = await runBatches(batches, (batch) => realtimeRun(config, alerts, batch, run, realtime), remainingMs, log);
      return await backOffRetries(response, event.Records ?? [], (region) => clients.sqs(region), log);
    } finally {
      clients.close();
    }
  };
}

export const handler = withMappedStacks(createEventHandler(), __filename);
