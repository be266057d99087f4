/**
 * The function's environment, built from the configuration, with the names the handlers read
 * (lambda/env.ts has no imports, so synthesis does not load the runtime or its SDK clients).
 */
import { ALERT_ENV, ENV, RUN_LOCK_ENV } from '../lambda/env';
import type { TrailcheckConfig } from './config';

export const FUNCTION_ENV = ENV;

/**
 * Variables for the configured settings. Optional tuning values are set only when configured, so
 * the engine's own defaults (lambda/config.ts) apply otherwise.
 */
export function functionEnvironment(config: TrailcheckConfig, values: { topicArn: string; region: string }): Record<string, string> {
  const env: Record<string, string> = {
    [FUNCTION_ENV.region]: values.region,
    [FUNCTION_ENV.roleName]: config.roleName,
    [FUNCTION_ENV.topicArn]: values.topicArn,
    [FUNCTION_ENV.strict]: String(config.strict),
    [FUNCTION_ENV.publishOnPass]: String(config.publishOnPass),
    // Deployed to audit an organization: not being able to list it is an alert.
    [FUNCTION_ENV.requireOrganization]: 'true',
  };
  const optional: Array<[keyof typeof FUNCTION_ENV, string | number | string[] | undefined]> = [
    ['externalId', config.externalId],
    ['concurrency', config.concurrency],
    ['accounts', config.accounts],
    ['excludeAccounts', config.excludeAccounts],
    ['ous', config.ous],
    ['callTimeoutMs', config.callTimeoutMs],
    ['maxAttempts', config.maxAttempts],
    ['assumeRolePerSecond', config.assumeRolePerSecond],
  ];
  for (const [field, value] of optional) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    env[FUNCTION_ENV[field]] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return env;
}

/** The alert settings' variables. */
export const ALERT_FUNCTION_ENV = ALERT_ENV;

/** Where the reports go in the bucket; the bucket's lifecycle rule and the function's S3 permissions are scoped to it. */
export const REPORT_PREFIX = 'trailcheck/';

/** The run lock's key in the report bucket (outside reports/, so the lifecycle rule never expires a held lock). */
export const RUN_LOCK_KEY = `${REPORT_PREFIX}run-lock.json`;

export function alertEnvironment(config: TrailcheckConfig, values: { bucketName: string }): Record<string, string> {
  return {
    [ALERT_FUNCTION_ENV.mode]: config.alertMode,
    [ALERT_FUNCTION_ENV.reminderDays]: String(config.reminderDays),
    [ALERT_FUNCTION_ENV.reportBucket]: values.bucketName,
    [ALERT_FUNCTION_ENV.reportPrefix]: REPORT_PREFIX,
    [ALERT_FUNCTION_ENV.chatbot]: String(config.chatbotSlackChannelId !== undefined),
  };
}

/** One run at a time (lambda/aws/run-lock.ts), in place of reserved concurrency: the lock's key in the report bucket. */
export function runLockEnvironment(): Record<string, string> {
  return { [RUN_LOCK_ENV.key]: RUN_LOCK_KEY };
}
