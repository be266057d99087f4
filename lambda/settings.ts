/**
 * Every setting of the audit function and the CLI, declared once: its kind (type, range or
 * pattern), default, the environment variable it travels in, the CLI flag, whether the
 * deployment configuration sets it, and what it does. From these, lambda/config.ts reads the
 * environment and the flags, and lib/ validates `trailcheck.<key>` at synth and writes the
 * variables (lib/function-env.ts). Settings only the deployment has are in lib/deploy-settings.ts.
 *
 * Adding a setting: one entry here, and its test; the deployment key, the variable, the flag and
 * the usage line follow. One the deployment sets is also a row and a key of docs/deploy.md's
 * configuration (test/infra/config.test.ts checks). The code that uses it reads AuditConfig.
 */
import { ConfigError, bool, envNames, list, oneOf, pattern, setting, whole } from './setting-kinds';

/** What AWS accepts, checked wherever a value comes from. */
export const PATTERNS = {
  roleName: /^[\w+=,.@-]{1,64}$/,
  externalId: /^[\w+=,.@:/-]{2,1224}$/,
  accountId: /^\d{12}$/,
  ouId: /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/,
  rootId: /^r-[0-9a-z]{4,32}$/,
  region: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/,
  topicArn: /^arn:aws(-us-gov|-cn)?:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/,
  bucketName: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  /** Path segments of safe S3 key characters, each followed by `/`. */
  keyPrefix: /^([A-Za-z0-9!_.*'()-]+\/)+$/,
} as const;

/** An IAM role name (the audit role here, the function's own role in the deployment). */
export const ROLE_NAME = pattern(PATTERNS.roleName, 'an IAM role name: 1-64 characters of letters, digits and +=,.@_-');
const OU_OR_ROOT = { test: (v: string) => PATTERNS.ouId.test(v) || PATTERNS.rootId.test(v) };

/** The audit: which accounts, how, and how hard to push AWS. */
export const AUDIT_SETTINGS = {
  roleName: setting(ROLE_NAME, {
    default: 'TrailcheckAuditRole',
    env: 'TRAILCHECK_ROLE_NAME',
    flag: '--role-name NAME',
    deploy: 'always',
    help: 'role assumed in each member account',
  }),
  externalId: setting(pattern(PATTERNS.externalId, 'an ExternalId: 2-1224 characters of letters, digits and +=,.@:/_-'), {
    env: 'TRAILCHECK_EXTERNAL_ID',
    flag: '--external-id ID',
    deploy: 'when-set',
    help: 'ExternalId to present when assuming the role',
  }),
  region: setting(pattern(PATTERNS.region, 'a region name such as us-east-1'), {
    env: 'TRAILCHECK_REGION',
    flag: '--region REGION',
    deploy: 'when-set',
    help: "region to call from (default: AWS_REGION or the profile's region)",
  }),
  accounts: setting(list(PATTERNS.accountId, 'a 12-digit account id'), {
    env: 'TRAILCHECK_ACCOUNTS',
    flag: '--accounts IDS',
    deploy: 'when-set',
    help: 'only these account ids (comma-separated)',
  }),
  excludeAccounts: setting(list(PATTERNS.accountId, 'a 12-digit account id'), {
    env: 'TRAILCHECK_EXCLUDE_ACCOUNTS',
    flag: '--exclude-accounts IDS',
    deploy: 'when-set',
    help: 'skip these account ids (comma-separated)',
  }),
  ous: setting(list(OU_OR_ROOT, 'an OU id such as ou-ab12-cd34ef56 (or a root id r-ab12)'), {
    env: 'TRAILCHECK_OUS',
    flag: '--ous IDS',
    deploy: 'when-set',
    help: 'only accounts under these OUs, recursively (comma-separated)',
  }),
  concurrency: setting(whole(1, 512), {
    default: 16,
    env: 'TRAILCHECK_CONCURRENCY',
    flag: '--concurrency N',
    deploy: 'when-set',
    help: 'accounts audited at once',
  }),
  strict: setting(bool, {
    default: false,
    env: 'TRAILCHECK_STRICT',
    flag: '--strict',
    deploy: 'always',
    help: 'fail excluded management event sources and delivery errors (Security Hub parity)',
  }),
  topicArn: setting(pattern(PATTERNS.topicArn, 'an SNS topic ARN such as arn:aws:sns:us-east-1:111111111111:trailcheck-alerts'), {
    env: 'TRAILCHECK_TOPIC_ARN',
    flag: '--topic-arn ARN',
    help: 'publish FAIL/ERROR results to this SNS topic, as the Lambda does',
  }),
  publishOnPass: setting(bool, {
    default: false,
    env: 'TRAILCHECK_PUBLISH_ON_PASS',
    flag: '--publish-on-pass',
    deploy: 'always',
    help: 'publish even when every account passes (with --topic-arn)',
  }),
  transport: setting(oneOf(['wire', 'sdk']), {
    default: 'wire',
    env: 'TRAILCHECK_TRANSPORT',
    flag: '--transport wire|sdk',
    deploy: 'when-set',
    help: "how the per-account calls are sent: wire (the SDK's signer and retries without its middleware: half the CPU) or sdk (every call through the SDK clients)",
  }),
  requireOrganization: setting(bool, {
    default: false,
    env: 'TRAILCHECK_REQUIRE_ORGANIZATION',
    help: "count a caller that cannot list the organization's accounts as a run error (the function does)",
  }),
  callTimeoutMs: setting(whole(100, 120_000), {
    default: 10_000,
    env: 'TRAILCHECK_CALL_TIMEOUT_MS',
    deploy: 'when-set',
    help: 'milliseconds one AWS call may take before it fails and is retried',
  }),
  maxAttempts: setting(whole(1, 20), {
    default: 5,
    env: 'TRAILCHECK_MAX_ATTEMPTS',
    deploy: 'when-set',
    help: 'attempts per AWS call, the first included (with a run deadline, throttled calls are retried while it allows)',
  }),
  assumeRolePerSecond: setting(whole(1, 500), {
    // 1/6 of STS's AssumeRole quota (600/s per account and region), which the audit account's other
    // STS calls share. At 16 accounts in flight it is not what bounds a run (docs/performance.md).
    default: 100,
    env: 'TRAILCHECK_ASSUME_ROLE_PER_SECOND',
    deploy: 'when-set',
    help: 'cap on AssumeRole calls per second',
  }),
  securityHubRegion: setting(pattern(PATTERNS.region, 'a region name such as us-east-1 (where Security Hub is enabled: the aggregation region, docs/security-hub.md)'), {
    env: 'TRAILCHECK_SECURITY_HUB_REGION',
    flag: '--security-hub REGION',
    deploy: 'when-set',
    deployKey: 'securityHub',
    help: "import one Security Hub finding per audited account into this region, from that account (the member role's securityhub:BatchImportFindings)",
  }),
  exemptionWarningDays: setting(whole(0, 365), {
    default: 14,
    env: 'TRAILCHECK_EXEMPTION_WARNING_DAYS',
    flag: '--exemption-warning-days N',
    deploy: 'when-set',
    help: 'an exemption ending within this many days is named in the alert (docs/deploy.md "Exemptions")',
  }),
  exemptionMaxDays: setting(whole(1, 3650), {
    default: 365,
    env: 'TRAILCHECK_EXEMPTION_MAX_DAYS',
    flag: '--exemption-max-days N',
    deploy: 'when-set',
    help: 'the furthest expiry an exemption may have, in days from now',
  }),
};

/** What the alerts say and when (the function; the CLI publishes every run unless told otherwise). */
export const ALERT_SETTINGS = {
  mode: setting(oneOf(['changes', 'every-run']), {
    default: 'changes',
    env: 'TRAILCHECK_ALERT_MODE',
    deploy: 'always',
    deployKey: 'alertMode',
    help: 'changes: only transitions since the previous run (plus the reminder); every-run: every failing account, every run',
  }),
  reminderDays: setting(whole(0, 365), {
    default: 7,
    env: 'TRAILCHECK_REMINDER_DAYS',
    deploy: 'always',
    help: 'changes mode: every this many days, a reminder lists everything still failing (0: never)',
  }),
  reportBucket: setting(pattern(PATTERNS.bucketName, 'an S3 bucket name (3-63 characters of a-z, 0-9, "." and "-")'), {
    env: 'TRAILCHECK_REPORT_BUCKET',
    help: 'bucket of the report archive; without it there is no previous report, and every run is a first run',
  }),
  reportPrefix: setting(pattern(PATTERNS.keyPrefix, 'an S3 key prefix ending with "/" such as trailcheck/ (letters, digits and !_.*\'()-)'), {
    default: 'trailcheck/',
    env: 'TRAILCHECK_REPORT_PREFIX',
    help: 'key prefix of the archive, ending with /',
  }),
  chatbot: setting(bool, {
    default: false,
    env: 'TRAILCHECK_CHATBOT_FORMAT',
    help: 'add the AWS Chatbot custom-notification rendering (SNS https key) to the message',
  }),
};

/** The real-time audit's own (lambda/event-handler.ts; it reads the audit's and the alerts' too). */
export const REALTIME_SETTINGS = {
  newAccountGraceMinutes: setting(whole(0, 1440), {
    default: 30,
    env: 'TRAILCHECK_NEW_ACCOUNT_GRACE_MINUTES',
    help: "minutes a new account's audit role may be missing (the StackSet deploying it) before the account is ERROR; until then its event is retried",
  }),
};

/** The variables the function reads, by setting (the stack sets them from the same names). */
export const ENV = envNames(AUDIT_SETTINGS);
export const ALERT_ENV = envNames(ALERT_SETTINGS);
export const REALTIME_ENV = envNames(REALTIME_SETTINGS);

/** Rules between audit settings, wherever they are given; `key` names a setting as the user wrote it. */
export function checkAuditSettings(c: { accounts?: string[]; excludeAccounts?: string[] }, key: (field: 'accounts' | 'excludeAccounts') => string): void {
  const both = c.accounts?.filter((a) => c.excludeAccounts?.includes(a)) ?? [];
  if (both.length > 0) {
    throw new ConfigError(`${key('accounts')} and ${key('excludeAccounts')} both name ${both.join(', ')}: an account cannot be both included and excluded; remove it from one of them`);
  }
}
