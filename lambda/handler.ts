/**
 * The scheduled Lambda: configuration from the environment → audit → publish → summary.
 * A failed publish fails the invocation, so retries and the failure destination see it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { AwsClients } from './aws/clients';
import { runAudit } from './audit/run-audit';
import { parseConfig, type AuditConfig, type RawSettings } from './config';
import { publishReport, topicRegion, type PublishResult } from './publish';
import type { Summary } from './report/types';

/** Environment variables the function reads (the stack sets them). */
export const ENV = {
  region: 'TRAILCHECK_REGION',
  roleName: 'TRAILCHECK_ROLE_NAME',
  externalId: 'TRAILCHECK_EXTERNAL_ID',
  topicArn: 'TRAILCHECK_TOPIC_ARN',
  strict: 'TRAILCHECK_STRICT',
  concurrency: 'TRAILCHECK_CONCURRENCY',
  accounts: 'TRAILCHECK_ACCOUNTS',
  excludeAccounts: 'TRAILCHECK_EXCLUDE_ACCOUNTS',
  ous: 'TRAILCHECK_OUS',
  publishOnPass: 'TRAILCHECK_PUBLISH_ON_PASS',
  requireOrganization: 'TRAILCHECK_REQUIRE_ORGANIZATION',
  callTimeoutMs: 'TRAILCHECK_CALL_TIMEOUT_MS',
  maxAttempts: 'TRAILCHECK_MAX_ATTEMPTS',
  assumeRolePerSecond: 'TRAILCHECK_ASSUME_ROLE_PER_SECOND',
} as const satisfies Record<keyof AuditConfig, string>;

export interface HandlerResult {
  runId: string;
  summary: Summary;
  publish: PublishResult;
  deadlineReached: boolean;
}

/** Time kept back from the Lambda's remaining time to build the report and publish it. */
export function reserveMs(remainingMs: number): number {
  // 10% (10 s to 60 s), but never more than half of what is left, so a short timeout still audits.
  return Math.min(60_000, Math.max(10_000, Math.round(remainingMs * 0.1)), Math.floor(remainingMs / 2));
}

export function configFromEnv(env: NodeJS.ProcessEnv): AuditConfig {
  const raw: RawSettings = {};
  for (const [field, name] of Object.entries(ENV) as Array<[keyof AuditConfig, string]>) raw[field] = { key: name, value: env[name] };
  // The function is deployed to audit an organization: not being able to list it is an alert.
  raw.requireOrganization = { key: ENV.requireOrganization, value: env[ENV.requireOrganization] || 'true' };
  const config = parseConfig(raw, env.AWS_REGION);
  if (!config.topicArn) throw new Error(`${ENV.topicArn}: not set; the function needs the SNS topic to publish to`);
  return config;
}

export function createHandler(deps: { logger?: Logger; env?: NodeJS.ProcessEnv } = {}) {
  const logger = deps.logger ?? new Logger({ serviceName: 'trailcheck' });
  return async (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<HandlerResult> => {
    const config = configFromEnv(deps.env ?? process.env);
    const topicArn = config.topicArn as string;
    const remaining = context.getRemainingTimeInMillis();
    const deadline = Date.now() + remaining - reserveMs(remaining);
    logger.info('audit starting', { trigger: triggerOf(event), region: config.region, roleName: config.roleName, concurrency: config.concurrency, strict: config.strict });

    const clients = new AwsClients({ maxAttempts: config.maxAttempts, callTimeoutMs: config.callTimeoutMs, maxSockets: Math.max(50, config.concurrency * 4) });
    try {
      const log = {
        debug: (m: string, e: Record<string, unknown> = {}) => logger.debug(m, e),
        info: (m: string, e: Record<string, unknown> = {}) => logger.info(m, e),
        warn: (m: string, e: Record<string, unknown> = {}) => logger.warn(m, e),
        error: (m: string, e: Record<string, unknown> = {}) => logger.error(m, e),
      };
      const report = await runAudit(config, { clients, deadline, log });
      for (const a of report.accounts) {
        if (a.status === 'FAIL' || a.status === 'ERROR') {
          logger.warn('account needs attention', { accountId: a.accountId, accountName: a.accountName, status: a.status, reasons: a.reasons.map((r) => r.code) });
        }
      }
      for (const e of report.run.errors) logger.error('run error', { code: e.code, message: e.message });
      const publish = await publishReport(clients.sns(topicRegion(topicArn)), topicArn, report, { publishOnPass: config.publishOnPass });
      logger.info('audit finished', { runId: report.run.id, summary: report.summary, durationMs: report.run.durationMs, deadlineReached: report.run.deadlineReached, publish });
      return { runId: report.run.id, summary: report.summary, publish, deadlineReached: report.run.deadlineReached };
    } finally {
      clients.close();
    }
  };
}

/** What invoked the function, for the log: an EventBridge scheduled event, a Scheduler payload, or a person. */
function triggerOf(event: unknown): string {
  const e = event as { 'detail-type'?: unknown; source?: unknown } | null;
  return typeof e?.['detail-type'] === 'string' ? e['detail-type'] : typeof e?.source === 'string' ? e.source : 'direct';
}

export const handler = createHandler();
