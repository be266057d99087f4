/**
 * The function's environment, built from the configuration with the settings' own declarations
 * (lambda/settings.ts: pure, so synthesis does not load the runtime or its SDK clients).
 */
import { environment } from '../lambda/setting-kinds';
import { ALERT_SETTINGS, AUDIT_SETTINGS } from '../lambda/settings';
import { RUN_LOCK_ENV } from '../lambda/env';
import type { TrailcheckConfig } from './config';
import { deployedValues } from './deploy-settings';

/**
 * Variables for the configured settings. Settings deployed `when-set` (lambda/settings.ts) are set
 * only when configured, so the function's own defaults apply otherwise.
 */
export function functionEnvironment(config: TrailcheckConfig, values: { topicArn: string; region: string }): Record<string, string> {
  return environment(AUDIT_SETTINGS, {
    ...deployedValues(AUDIT_SETTINGS, config),
    ...values,
    // Deployed to audit an organization: not being able to list it is an alert.
    requireOrganization: true,
  });
}

/** Where the reports go in the bucket; the bucket's lifecycle rule and the function's S3 permissions are scoped to it. */
export const REPORT_PREFIX = 'trailcheck/';

/** The run lock's key in the report bucket (outside reports/, so the lifecycle rule never expires a held lock). */
export const RUN_LOCK_KEY = `${REPORT_PREFIX}run-lock.json`;

export function alertEnvironment(config: TrailcheckConfig, values: { bucketName: string }): Record<string, string> {
  return environment(ALERT_SETTINGS, {
    ...deployedValues(ALERT_SETTINGS, config),
    reportBucket: values.bucketName,
    reportPrefix: REPORT_PREFIX,
    chatbot: config.chatbotSlackChannelId !== undefined,
  });
}

/** One run at a time (lambda/aws/run-lock.ts), in place of reserved concurrency: the lock's key in the report bucket. */
export function runLockEnvironment(): Record<string, string> {
  return { [RUN_LOCK_ENV.key]: RUN_LOCK_KEY };
}
