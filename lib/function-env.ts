/**
 * The function's environment, built from the configuration. The variable names are those of
 * `ENV` in lambda/handler.ts, copied here so synthesis does not load the runtime and its SDK
 * clients; test/infra/function-env.test.ts fails when the two differ.
 */
import type { TrailcheckConfig } from './config';

export const FUNCTION_ENV = {
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
} as const;

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

/** The alert settings' variables: `ALERT_ENV` in lambda/handler.ts, copied (and tested) like FUNCTION_ENV. */
export const ALERT_FUNCTION_ENV = {
  mode: 'TRAILCHECK_ALERT_MODE',
  reminderDays: 'TRAILCHECK_REMINDER_DAYS',
  reportBucket: 'TRAILCHECK_REPORT_BUCKET',
  reportPrefix: 'TRAILCHECK_REPORT_PREFIX',
  chatbot: 'TRAILCHECK_CHATBOT_FORMAT',
} as const;

/** Where the reports go in the bucket; the bucket's lifecycle rule and the function's S3 permissions are scoped to it. */
export const REPORT_PREFIX = 'trailcheck/';

export function alertEnvironment(config: TrailcheckConfig, values: { bucketName: string }): Record<string, string> {
  return {
    [ALERT_FUNCTION_ENV.mode]: config.alertMode,
    [ALERT_FUNCTION_ENV.reminderDays]: String(config.reminderDays),
    [ALERT_FUNCTION_ENV.reportBucket]: values.bucketName,
    [ALERT_FUNCTION_ENV.reportPrefix]: REPORT_PREFIX,
    [ALERT_FUNCTION_ENV.chatbot]: String(config.chatbotSlackChannelId !== undefined),
  };
}
