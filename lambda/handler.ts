/**
 * The scheduled Lambda, wiring only: configuration from the environment, the clients, the
 * logger, and the scheduled run (lambda/run/scheduled-run.ts: lock → audit → enrich → archive →
 * compare → deliver → pointer). A run that finds the lock held by another run returns at once,
 * skipped. A failed publish or archive write fails the invocation, after everything that could
 * still be done was done (the order, and why, is in scheduled-run.ts).
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { Logger } from './audit/run-types';
import { clientsFor } from './aws/clients';
import { parseAlertConfig, parseConfig, type AlertConfig, type AuditConfig, type RawAlertSettings, type RawSettings } from './config';
import { RUN_LOCK_ENV } from './env';
import { loadPolicy } from './policy';
import type { SkippedRun } from './run/lock';
import { scheduledRun, type HandlerResult } from './run/scheduled-run';
import { ALERT_ENV, ENV } from './settings';
import { withMappedStacks } from './stack-map';

// The variables' names are declared with the settings (./settings.ts), as the stack sets them.
export { ALERT_ENV, ENV } from './settings';
export { ouLookupBudgetMs } from './audit/enrich-ous';
export { reserveMs, type HandlerResult } from './run/scheduled-run';
export type { SkippedRun } from './run/lock';
ENV satisfies Record<keyof AuditConfig, string>;
ALERT_ENV satisfies Record<keyof AlertConfig, string>;

export function configFromEnv(env: NodeJS.ProcessEnv): AuditConfig {
  const raw: RawSettings = {};
  for (const [field, name] of Object.entries(ENV) as Array<[keyof AuditConfig, string]>) raw[field] = { key: name, value: env[name] };
  // The function is deployed to audit an organization: not being able to list it is an alert.
  raw.requireOrganization = { key: ENV.requireOrganization, value: env[ENV.requireOrganization] || 'true' };
  const config = parseConfig(raw, env.AWS_REGION);
  if (!config.topicArn) throw new Error(`${ENV.topicArn}: not set; the function needs the SNS topic to publish to`);
  return config;
}

export function alertConfigFromEnv(env: NodeJS.ProcessEnv): AlertConfig {
  const raw: RawAlertSettings = {};
  for (const [field, name] of Object.entries(ALERT_ENV) as Array<[keyof AlertConfig, string]>) raw[field] = { key: name, value: env[name] };
  return parseAlertConfig(raw);
}

export function createHandler(deps: { logger?: PowertoolsLogger; env?: NodeJS.ProcessEnv; now?: () => Date } = {}) {
  const logger = deps.logger ?? new PowertoolsLogger({ serviceName: 'trailcheck' });
  const log: Logger = { debug: (m, e = {}) => logger.debug(m, e), info: (m, e = {}) => logger.info(m, e), warn: (m, e = {}) => logger.warn(m, e), error: (m, e = {}) => logger.error(m, e) };
  return async (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<HandlerResult | SkippedRun> => {
    const env = deps.env ?? process.env;
    const config = configFromEnv(env);
    const alerts = alertConfigFromEnv(env);
    log.info('audit starting', { trigger: triggerOf(event), region: config.region, roleName: config.roleName, concurrency: config.concurrency, strict: config.strict });
    const clients = clientsFor(config);
    // The bucket is the stack's, in the function's own region.
    const bucketRegion = env.AWS_REGION || config.region;
    // Signed HTTP over the run's pool (aws/s3-wire.ts), not the SDK client; typed as run/scheduled-run.ts still names it until it takes S3Objects.
    const s3 = alerts.reportBucket ? clients.s3(bucketRegion) : undefined;
    const now = deps.now ?? (() => new Date());
    try {
      const run = { clients, s3, lockKey: env[RUN_LOCK_ENV.key], owner: context.awsRequestId, bucketRegion, log, now, ...loadPolicy(__dirname, env, { now: now(), exemptionMaxDays: config.exemptionMaxDays }) };
      return await scheduledRun(config, alerts, { ...run, remainingMs: () => context.getRemainingTimeInMillis() });
    } finally {
      clients.close();
      s3?.destroy();
    }
  };
}

/** What invoked the function, for the log: an EventBridge scheduled event, a Scheduler payload, or a person. */
function triggerOf(event: unknown): string {
  const e = event as { 'detail-type'?: unknown; source?: unknown } | null;
  return typeof e?.['detail-type'] === 'string' ? e['detail-type'] : typeof e?.source === 'string' ? e.source : 'direct';
}

// Stacks of escaping errors point at the TypeScript sources (lambda/stack-map.ts).
export const handler = withMappedStacks(createHandler(), __filename);
