/**
 * The environment variables the functions read, in one dependency-free module: the handlers
 * read them, and the stack (lib/function-env.ts) sets them, from these same names.
 */

/** The audit function's settings (lambda/config.ts validates them). */
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
} as const;

/** The audit function's alert settings (lambda/alerts/plan.ts validates them). */
export const ALERT_ENV = {
  mode: 'TRAILCHECK_ALERT_MODE',
  reminderDays: 'TRAILCHECK_REMINDER_DAYS',
  reportBucket: 'TRAILCHECK_REPORT_BUCKET',
  reportPrefix: 'TRAILCHECK_REPORT_PREFIX',
  chatbot: 'TRAILCHECK_CHATBOT_FORMAT',
} as const;

/** The run lock (lambda/aws/run-lock.ts): its key in the report bucket; unset, runs take no lock. */
export const RUN_LOCK_ENV = {
  key: 'TRAILCHECK_RUN_LOCK_KEY',
} as const;

/** The Slack webhook forwarder's settings. */
export const FORWARDER_ENV = {
  /** Name or ARN of the secret holding the webhook URL. */
  secretId: 'TRAILCHECK_SLACK_SECRET_ID',
} as const;
