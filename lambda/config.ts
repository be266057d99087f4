/**
 * The audit's configuration, shared by the CLI (flags) and the Lambda (environment variables),
 * validated in one place. Every error names the setting, what was given, and what is expected.
 */

export interface AuditConfig {
  /** Region for DescribeTrails, STS and Organizations calls. */
  region: string;
  roleName: string;
  externalId?: string;
  strict: boolean;
  concurrency: number;
  /** Only these accounts are evaluated (others SKIPPED / EXCLUDED). */
  accounts?: string[];
  excludeAccounts?: string[];
  /** Only accounts under these OUs (recursively) are evaluated. */
  ous?: string[];
  topicArn?: string;
  /** Publish even when every account passes. */
  publishOnPass: boolean;
  /** When the caller cannot list the organization's accounts, count it as a run error (the Lambda does). */
  requireOrganization: boolean;
  callTimeoutMs: number;
  maxAttempts: number;
  assumeRolePerSecond: number;
}

export const DEFAULTS = {
  roleName: 'TrailcheckAuditRole',
  strict: false,
  concurrency: 16,
  publishOnPass: false,
  requireOrganization: false,
  callTimeoutMs: 10_000,
  maxAttempts: 5,
  // 1/6 of STS's AssumeRole quota (600/s per account and region), which the audit account's other
  // STS calls share. At 16 accounts in flight it is not what bounds a run (docs/performance.md).
  assumeRolePerSecond: 100,
} as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Raw settings as strings, keyed by the name the user wrote (a flag or an environment variable). */
export type RawSettings = Partial<Record<keyof AuditConfig, { key: string; value: string | undefined }>>;

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const ACCOUNT_ID = /^\d{12}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const TOPIC_ARN = /^arn:aws(-us-gov|-cn)?:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;

export function parseConfig(raw: RawSettings, fallbackRegion: string | undefined): AuditConfig {
  const region = raw.region?.value || fallbackRegion;
  if (!region) {
    throw new ConfigError(`${raw.region?.key ?? 'region'}: no region given and none configured (AWS_REGION or the profile): set one, e.g. us-east-1`);
  }
  const regionKey = raw.region?.value ? raw.region.key : `${raw.region?.key ?? 'region'} (not given; taken from AWS_REGION or the profile)`;
  check(REGION.test(region), regionKey, region, 'a region name such as us-east-1');

  const config: AuditConfig = {
    region,
    roleName: pick(raw.roleName, DEFAULTS.roleName, (k, v) => check(ROLE_NAME.test(v), k, v, 'an IAM role name: 1-64 characters of letters, digits and +=,.@_-')),
    externalId: optional(raw.externalId, (k, v) => check(EXTERNAL_ID.test(v), k, v, 'an ExternalId: 2-1224 characters of letters, digits and +=,.@:/_-')),
    strict: bool(raw.strict, DEFAULTS.strict),
    concurrency: int(raw.concurrency, DEFAULTS.concurrency, 1, 512),
    accounts: list(raw.accounts, ACCOUNT_ID, 'a 12-digit account id'),
    excludeAccounts: list(raw.excludeAccounts, ACCOUNT_ID, 'a 12-digit account id'),
    ous: list(raw.ous, { test: (v) => OU_ID.test(v) || ROOT_ID.test(v) }, 'an OU id such as ou-ab12-cd34ef56 (or a root id r-ab12)'),
    topicArn: optional(raw.topicArn, (k, v) => check(TOPIC_ARN.test(v), k, v, 'an SNS topic ARN such as arn:aws:sns:us-east-1:111111111111:trailcheck-alerts')),
    publishOnPass: bool(raw.publishOnPass, DEFAULTS.publishOnPass),
    requireOrganization: bool(raw.requireOrganization, DEFAULTS.requireOrganization),
    callTimeoutMs: int(raw.callTimeoutMs, DEFAULTS.callTimeoutMs, 100, 120_000),
    maxAttempts: int(raw.maxAttempts, DEFAULTS.maxAttempts, 1, 20),
    assumeRolePerSecond: int(raw.assumeRolePerSecond, DEFAULTS.assumeRolePerSecond, 1, 500),
  };
  const both = config.accounts?.filter((a) => config.excludeAccounts?.includes(a)) ?? [];
  if (both.length > 0) {
    throw new ConfigError(
      `${raw.accounts?.key} and ${raw.excludeAccounts?.key} both name ${both.join(', ')}: an account cannot be both included and excluded; remove it from one of them`,
    );
  }
  return config;
}

function check(ok: boolean, key: string, value: string, expected: string): void {
  if (!ok) throw new ConfigError(`${key}: expected ${expected}, got ${JSON.stringify(value)}`);
}

function pick(s: { key: string; value: string | undefined } | undefined, fallback: string, validate: (k: string, v: string) => void): string {
  if (s?.value === undefined || s.value === '') return fallback;
  validate(s.key, s.value);
  return s.value;
}

function optional(s: { key: string; value: string | undefined } | undefined, validate: (k: string, v: string) => void): string | undefined {
  if (s?.value === undefined || s.value === '') return undefined;
  validate(s.key, s.value);
  return s.value;
}

function bool(s: { key: string; value: string | undefined } | undefined, fallback: boolean): boolean {
  if (s?.value === undefined || s.value === '') return fallback;
  const v = s.value.toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw new ConfigError(`${s.key}: expected true or false, got ${JSON.stringify(s.value)}`);
}

function int(s: { key: string; value: string | undefined } | undefined, fallback: number, min: number, max: number): number {
  if (s?.value === undefined || s.value === '') return fallback;
  const n = Number(s.value);
  if (!/^\d+$/.test(s.value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${s.key}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(s.value)}`);
  }
  return n;
}

function list(s: { key: string; value: string | undefined } | undefined, pattern: { test(v: string): boolean }, expected: string): string[] | undefined {
  if (s?.value === undefined || s.value.trim() === '') return undefined;
  const items = s.value.split(/[\s,]+/).filter(Boolean);
  // "," is not "unset": it would silently audit every account (or none), so it is refused.
  if (items.length === 0) throw new ConfigError(`${s.key}: expected ${expected} or a comma-separated list of them, got ${JSON.stringify(s.value)} (no value in it); give at least one, or leave it unset`);
  for (const item of items) check(pattern.test(item), s.key, item, expected);
  return [...new Set(items)];
}

/** What the alerts say and when (the Lambda; the CLI publishes every run unless told otherwise). */
export type AlertMode = 'changes' | 'every-run';

export interface AlertConfig {
  /** `changes`: only transitions since the previous run (plus the reminder); `every-run`: every failing account, every run. */
  mode: AlertMode;
  /** `changes` mode: every this many days, a reminder lists everything still failing. 0: never. */
  reminderDays: number;
  /** Bucket of the report archive; without it there is no previous report, and every run is a first run. */
  reportBucket?: string;
  /** Key prefix of the archive, ending with `/` (empty or unset: the default). */
  reportPrefix: string;
  /** Add the AWS Chatbot custom-notification rendering (SNS `https` key) to the message. */
  chatbot: boolean;
}

export const ALERT_DEFAULTS = {
  mode: 'changes' as AlertMode,
  reminderDays: 7,
  reportPrefix: 'trailcheck/',
  chatbot: false,
} as const;

export type RawAlertSettings = Partial<Record<keyof AlertConfig, { key: string; value: string | undefined }>>;

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Path segments of safe S3 key characters, each followed by `/`. */
const KEY_PREFIX = /^([A-Za-z0-9!_.*'()-]+\/)+$/;

export function parseAlertConfig(raw: RawAlertSettings, defaults: { mode: AlertMode } = ALERT_DEFAULTS): AlertConfig {
  const modeSetting = raw.mode?.value;
  if (modeSetting !== undefined && modeSetting !== '' && modeSetting !== 'changes' && modeSetting !== 'every-run') {
    throw new ConfigError(`${raw.mode?.key}: expected changes or every-run, got ${JSON.stringify(modeSetting)}`);
  }
  const prefix = raw.reportPrefix?.value;
  if (prefix !== undefined && prefix !== '') check(KEY_PREFIX.test(prefix), raw.reportPrefix?.key as string, prefix, 'an S3 key prefix ending with "/" such as trailcheck/ (letters, digits and !_.*\'()-)');
  return {
    mode: (modeSetting || defaults.mode) as AlertMode,
    reminderDays: int(raw.reminderDays, ALERT_DEFAULTS.reminderDays, 0, 365),
    reportBucket: optional(raw.reportBucket, (k, v) => check(BUCKET_NAME.test(v), k, v, 'an S3 bucket name (3-63 characters of a-z, 0-9, "." and "-")')),
    reportPrefix: prefix === undefined || prefix === '' ? ALERT_DEFAULTS.reportPrefix : prefix,
    chatbot: bool(raw.chatbot, ALERT_DEFAULTS.chatbot),
  };
}
