/**
 * The deployment's configuration: one typed object, read from CDK context (`cdk.json` or `-c`)
 * and/or a JSON config file, validated at synth time. Every error names the key as the user
 * wrote it and the expected form, e.g. `trailcheck.emails[1]: expected an email address, got "bob@"`.
 *
 * Sources, later ones win key by key:
 *   1. the defaults below;
 *   2. the `trailcheck` object in context (`cdk.json` → `context.trailcheck`);
 *   3. the JSON file named by context `trailcheck.configFile` (path relative to the working directory);
 *   4. flat context keys `trailcheck.<key>` (for `-c trailcheck.emails=a@example.com,b@example.com`):
 *      strings, so lists are comma-separated and booleans/numbers are parsed.
 *
 * The validation patterns match `lambda/config.ts` (the function validates its environment with
 * them again at run time); test/infra/config.test.ts checks that both agree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail, TrailcheckConfigError } from './config-error';
import { parseSchedule } from './schedule';

export type DeploymentMode = 'management' | 'delegatedAdmin';

export interface TrailcheckConfig {
  /** Where the audit stack is deployed: the organization's management account, or a delegated administrator. */
  readonly mode: DeploymentMode;
  /** `o-…`: the member roles trust only principals of this organization (`aws:PrincipalOrgID`). */
  readonly organizationId?: string;
  /** Email addresses subscribed to the alert topic (each must confirm the subscription). */
  readonly emails: string[];
  /** EventBridge Scheduler expression: `rate(…)` or `cron(…)`. */
  readonly schedule: string;
  /** IANA time zone the cron expression is evaluated in. */
  readonly timeZone: string;
  /** The read-only audit role in every audited account (the function assumes it). */
  readonly roleName: string;
  /** The function's own role: fixed, so member roles can trust it by `aws:PrincipalArn`. */
  readonly functionRoleName: string;
  /** Optional `sts:ExternalId` required by the member roles and sent by the function. */
  readonly externalId?: string;
  /** Deploy the member roles with a service-managed StackSet (false: you already have the roles). */
  readonly memberRoles: boolean;
  /** Root id (`r-…`) or OU ids (`ou-…`) the StackSet deploys to (and auto-deploys to new accounts in). */
  readonly memberRoleTargets: string[];
  /** delegatedAdmin mode: synthesize `TrailcheckManagementRole`, the member role for the management account. */
  readonly managementRoleStack: boolean;
  /** The account the audit stack is deployed to (pins the stack's environment; required for the management role stack). */
  readonly auditAccountId?: string;
  /** The management account (pins the management role stack's environment). */
  readonly managementAccountId?: string;
  /** Region of the audit stack (pins its environment); the StackSet deploys its instances there too. */
  readonly region?: string;

  // The audit (passed to the function as TRAILCHECK_* environment variables)
  readonly strict: boolean;
  readonly publishOnPass: boolean;
  readonly concurrency?: number;
  readonly accounts?: string[];
  readonly excludeAccounts?: string[];
  readonly ous?: string[];
  readonly callTimeoutMs?: number;
  readonly maxAttempts?: number;
  readonly assumeRolePerSecond?: number;

  // The function
  readonly memoryMb: number;
  readonly timeoutMinutes: number;
  /** Also reserve one concurrent execution (runs never overlap anyway: the run lock); off by default, as a quota of 10 cannot spare one. */
  readonly reservedConcurrency: boolean;
  readonly logRetentionDays: number;
  /** Lambda asynchronous-invocation retries after a failed run (0-2). */
  readonly retryAttempts: number;
  /** Heartbeat window: alarm when no run succeeded in this many hours (derived from the schedule unless set). */
  readonly heartbeatHours: number;

  // Alerts (docs/alerts.md)
  /** `changes`: only transitions since the previous run, plus a reminder; `every-run`: every failing account each run. */
  readonly alertMode: 'changes' | 'every-run';
  /** `changes` mode: a reminder of everything still failing every this many days (0: never). */
  readonly reminderDays: number;
  /** Reports in the archive bucket expire after this many days. */
  readonly reportRetentionDays: number;
  /** AWS Chatbot (Amazon Q Developer in chat applications): the Slack workspace (team) id, `T…`. */
  readonly chatbotSlackWorkspaceId?: string;
  /** AWS Chatbot: the Slack channel id, `C…`. */
  readonly chatbotSlackChannelId?: string;
  /** Deploy the Slack incoming-webhook forwarder and the secret that holds the webhook URL. */
  readonly slackWebhook: boolean;
}

export { TrailcheckConfigError } from './config-error';
export { parseSchedule, type ParsedSchedule } from './schedule';

/** Context key of the configuration object, and prefix of the flat keys and of every error message. */
export const CONTEXT_KEY = 'trailcheck';
export const CONFIG_FILE_KEY = 'trailcheck.configFile';

export const DEFAULTS = {
  mode: 'management' as DeploymentMode,
  emails: [] as string[],
  schedule: 'cron(0 6 * * ? *)',
  timeZone: 'UTC',
  roleName: 'TrailcheckAuditRole',
  functionRoleName: 'TrailcheckAuditFunctionRole',
  memberRoles: true,
  strict: false,
  publishOnPass: false,
  memoryMb: 1024,
  timeoutMinutes: 15,
  reservedConcurrency: false,
  logRetentionDays: 365,
  retryAttempts: 1,
  alertMode: 'changes' as 'changes' | 'every-run',
  reminderDays: 7,
  reportRetentionDays: 365,
  slackWebhook: false,
} as const;

/** Every key the configuration accepts (anything else is reported as a typo). */
export const CONFIG_KEYS = [
  'mode',
  'organizationId',
  'emails',
  'schedule',
  'timeZone',
  'roleName',
  'functionRoleName',
  'externalId',
  'memberRoles',
  'memberRoleTargets',
  'managementRoleStack',
  'auditAccountId',
  'managementAccountId',
  'region',
  'strict',
  'publishOnPass',
  'concurrency',
  'accounts',
  'excludeAccounts',
  'ous',
  'callTimeoutMs',
  'maxAttempts',
  'assumeRolePerSecond',
  'memoryMb',
  'timeoutMinutes',
  'reservedConcurrency',
  'logRetentionDays',
  'retryAttempts',
  'heartbeatHours',
  'alertMode',
  'reminderDays',
  'reportRetentionDays',
  'chatbotSlackWorkspaceId',
  'chatbotSlackChannelId',
  'slackWebhook',
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** CloudWatch Logs retention periods (days), as the API accepts them. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** CloudWatch evaluates an alarm over at most 7 days: the heartbeat window's upper bound. */
export const MAX_HEARTBEAT_HOURS = 168;

// Same patterns as lambda/config.ts.
export const PATTERNS = {
  roleName: /^[\w+=,.@-]{1,64}$/,
  externalId: /^[\w+=,.@:/-]{2,1224}$/,
  accountId: /^\d{12}$/,
  ouId: /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/,
  rootId: /^r-[0-9a-z]{4,32}$/,
  region: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/,
  organizationId: /^o-[a-z0-9]{10,32}$/,
  email: /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,}$/,
  timeZone: /^(UTC|[A-Za-z][A-Za-z_]*(\/[A-Za-z0-9_+-]+)+)$/,
  slackWorkspaceId: /^T[0-9A-Z]{2,20}$/,
  slackChannelId: /^[CG][0-9A-Z]{2,20}$/,
} as const;

/** Values with where they came from, for error messages. */
export interface ConfigInput {
  values: Record<string, unknown>;
  /** Source of each key's value (`cdk.json`, a file name, `-c`), when not the context object. */
  sources?: Record<string, string>;
}

/**
 * Reads and validates the configuration from a construct's context (normally the `App`).
 * `tryGetContext`/`getAllContext` are all it needs, so tests can pass a plain object.
 */
export function loadConfig(context: { tryGetContext(key: string): unknown; getAllContext?(): Record<string, unknown> }, cwd = process.cwd()): TrailcheckConfig {
  // Keyed by what the user wrote: null-prototype maps, so "__proto__" or "constructor" is a key like any other.
  const values: Record<string, unknown> = Object.create(null);
  const sources: Record<string, string> = Object.create(null);
  const put = (obj: Record<string, unknown>, source: string) => {
    for (const [k, v] of Object.entries(obj)) {
      values[k] = v;
      sources[k] = source;
    }
  };

  const fromContext = context.tryGetContext(CONTEXT_KEY);
  if (fromContext !== undefined) put(asObject(CONTEXT_KEY, fromContext, 'context'), 'context');

  const file = context.tryGetContext(CONFIG_FILE_KEY);
  if (file !== undefined) {
    if (typeof file !== 'string' || file.trim() === '') fail(CONFIG_FILE_KEY, 'a path to a JSON file (an empty value, as from an unset shell variable, is refused: leave the key out to use no file)', file);
    const resolved = path.resolve(cwd, file);
    let text: string;
    try {
      text = fs.readFileSync(resolved, 'utf8');
    } catch (err) {
      throw new TrailcheckConfigError(`${CONFIG_FILE_KEY}: cannot read ${JSON.stringify(file)} (${(err as Error).message}); expected a path to a JSON file, relative to ${cwd}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new TrailcheckConfigError(`${CONFIG_FILE_KEY}: ${JSON.stringify(file)} is not valid JSON (${(err as Error).message}); expected an object of trailcheck settings`);
    }
    // The file may hold the settings directly or under "trailcheck".
    const obj = asObject(CONFIG_FILE_KEY, parsed, file);
    put(Object.hasOwn(obj, CONTEXT_KEY) && isPlainObject(obj[CONTEXT_KEY]) ? (obj[CONTEXT_KEY] as Record<string, unknown>) : obj, file);
  }

  const all = context.getAllContext?.() ?? {};
  for (const [k, v] of Object.entries(all)) {
    if (!k.startsWith(`${CONTEXT_KEY}.`) || k === CONFIG_FILE_KEY) continue;
    values[k.slice(CONTEXT_KEY.length + 1)] = v;
    sources[k.slice(CONTEXT_KEY.length + 1)] = `-c ${k}`;
  }
  return parseConfig({ values, sources });
}

/** Validates merged settings. Throws TrailcheckConfigError naming the first bad key. */
export function parseConfig(input: ConfigInput | Record<string, unknown>): TrailcheckConfig {
  const given = Object.hasOwn(input, 'values') && isPlainObject(input.values) ? (input as ConfigInput) : { values: input as Record<string, unknown>, sources: {} };
  // Own keys only, in null-prototype maps: nothing is read from Object.prototype (a "constructor" or "toString" setting is unknown, not a function).
  const values = ownEntries(given.values);
  const sources = ownEntries(given.sources ?? {}) as Record<string, string>;
  const key = (k: string) => `${CONTEXT_KEY}.${k}`;
  const where = (k: string) => (sources[k] && sources[k] !== 'context' ? ` (from ${sources[k]})` : '');
  const r = new Reader(values, key, where);

  for (const k of Object.keys(values)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(k)) {
      const near = CONFIG_KEYS.find((c) => c.toLowerCase() === k.toLowerCase());
      throw new TrailcheckConfigError(`${key(k)}${where(k)}: unknown setting${near ? `; did you mean ${key(near)}?` : ''}; expected one of ${CONFIG_KEYS.join(', ')}`);
    }
  }
  // An empty value usually comes from an unset variable or a template: refusing it beats silently
  // running with the default (no ExternalId, every account), as the CLI refuses empty flags.
  for (const k of Object.keys(values)) {
    const v = values[k];
    const empty = v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0 && !EMPTY_LIST_ALLOWED.has(k));
    if (empty) throw new TrailcheckConfigError(`${key(k)}${where(k)}: empty value ${JSON.stringify(v)}; give a value, or leave the key out to use the default`);
  }

  const mode = r.oneOf('mode', ['management', 'delegatedAdmin'] as const) ?? DEFAULTS.mode;
  const emails = dedupe(r.list('emails', PATTERNS.email, 'an email address') ?? [...DEFAULTS.emails]);
  const scheduleText = r.string('schedule') ?? DEFAULTS.schedule;
  const schedule = parseSchedule(key('schedule') + where('schedule'), scheduleText);
  const timeZone = r.string('timeZone') ?? DEFAULTS.timeZone;
  if (!isTimeZone(timeZone)) fail(key('timeZone') + where('timeZone'), 'an IANA time zone such as UTC or Europe/Paris', timeZone);

  const roleName = r.pattern('roleName', PATTERNS.roleName, 'an IAM role name: 1-64 characters of letters, digits and +=,.@_-') ?? DEFAULTS.roleName;
  const functionRoleName = r.pattern('functionRoleName', PATTERNS.roleName, 'an IAM role name: 1-64 characters of letters, digits and +=,.@_-') ?? DEFAULTS.functionRoleName;
  const externalId = r.pattern('externalId', PATTERNS.externalId, 'an ExternalId: 2-1224 characters of letters, digits and +=,.@:/_-');
  const organizationId = r.pattern('organizationId', PATTERNS.organizationId, 'an organization id such as o-a1b2c3d4e5');
  const memberRoles = r.bool('memberRoles') ?? DEFAULTS.memberRoles;
  const memberRoleTargets = r.list('memberRoleTargets', { test: (v) => PATTERNS.rootId.test(v) || PATTERNS.ouId.test(v) }, 'the organization root id (r-ab12) or an OU id (ou-ab12-cd34ef56)');
  const managementRoleStackSetting = r.bool('managementRoleStack');
  const auditAccountId = r.pattern('auditAccountId', PATTERNS.accountId, 'a 12-digit account id');
  const managementAccountId = r.pattern('managementAccountId', PATTERNS.accountId, 'a 12-digit account id');
  const region = r.pattern('region', PATTERNS.region, 'a region name such as us-east-1');

  const strict = r.bool('strict') ?? DEFAULTS.strict;
  const publishOnPass = r.bool('publishOnPass') ?? DEFAULTS.publishOnPass;
  const concurrency = r.int('concurrency', 1, 512);
  const accounts = r.list('accounts', PATTERNS.accountId, 'a 12-digit account id');
  const excludeAccounts = r.list('excludeAccounts', PATTERNS.accountId, 'a 12-digit account id');
  const ous = r.list('ous', { test: (v) => PATTERNS.ouId.test(v) || PATTERNS.rootId.test(v) }, 'an OU id such as ou-ab12-cd34ef56 (or a root id r-ab12)');
  const callTimeoutMs = r.int('callTimeoutMs', 100, 120_000);
  const maxAttempts = r.int('maxAttempts', 1, 20);
  const assumeRolePerSecond = r.int('assumeRolePerSecond', 1, 500);

  const memoryMb = r.int('memoryMb', 128, 10_240) ?? DEFAULTS.memoryMb;
  const timeoutMinutes = r.int('timeoutMinutes', 1, 15) ?? DEFAULTS.timeoutMinutes;
  const reservedConcurrency = readReservedConcurrency(values.reservedConcurrency, key('reservedConcurrency') + where('reservedConcurrency'));
  const logRetentionDays = r.int('logRetentionDays', 1, 3653) ?? DEFAULTS.logRetentionDays;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    fail(key('logRetentionDays') + where('logRetentionDays'), `a CloudWatch Logs retention period in days, one of ${LOG_RETENTION_DAYS.join(', ')}`, values.logRetentionDays);
  }
  const retryAttempts = r.int('retryAttempts', 0, 2) ?? DEFAULTS.retryAttempts;
  const heartbeatSetting = r.int('heartbeatHours', 1, MAX_HEARTBEAT_HOURS);

  const alertMode = r.oneOf('alertMode', ['changes', 'every-run'] as const) ?? DEFAULTS.alertMode;
  const reminderDays = r.int('reminderDays', 0, 365) ?? DEFAULTS.reminderDays;
  const reportRetentionDays = r.int('reportRetentionDays', 1, 3650) ?? DEFAULTS.reportRetentionDays;
  const chatbotSlackWorkspaceId = r.pattern('chatbotSlackWorkspaceId', PATTERNS.slackWorkspaceId, 'a Slack workspace (team) id such as T0123ABCD (AWS Chatbot console → the workspace\'s details)');
  const chatbotSlackChannelId = r.pattern('chatbotSlackChannelId', PATTERNS.slackChannelId, 'a Slack channel id such as C0123ABCD (the channel\'s details in Slack, at the bottom)');
  const slackWebhook = r.bool('slackWebhook') ?? DEFAULTS.slackWebhook;
  if ((chatbotSlackWorkspaceId === undefined) !== (chatbotSlackChannelId === undefined)) {
    const [given, missing] = chatbotSlackWorkspaceId ? ['chatbotSlackWorkspaceId', 'chatbotSlackChannelId'] : ['chatbotSlackChannelId', 'chatbotSlackWorkspaceId'];
    throw new TrailcheckConfigError(`${key(missing)}: required when ${key(given)} is set (AWS Chatbot posts to one channel of one workspace); expected ${missing === 'chatbotSlackChannelId' ? 'a Slack channel id such as C0123ABCD' : 'a Slack workspace id such as T0123ABCD'}`);
  }
  if (alertMode === 'every-run' && values.reminderDays !== undefined && reminderDays > 0) {
    throw new TrailcheckConfigError(`${key('reminderDays')}${where('reminderDays')} is set but ${key('alertMode')} is "every-run", which already repeats every failing account each run; remove ${key('reminderDays')} or set ${key('alertMode')} to "changes"`);
  }

  // Conflicts between settings.
  const both = accounts?.filter((a) => excludeAccounts?.includes(a)) ?? [];
  if (both.length > 0) {
    throw new TrailcheckConfigError(
      `${key('accounts')} and ${key('excludeAccounts')} both name ${both.join(', ')}: an account cannot be both included and excluded; remove it from one of them`,
    );
  }
  if (roleName === functionRoleName) {
    throw new TrailcheckConfigError(
      `${key('roleName')} and ${key('functionRoleName')} are both ${JSON.stringify(roleName)}: the audit role and the function's role must have different names (the StackSet may create the audit role in the account the function runs in)`,
    );
  }
  if (memberRoles) {
    if (!memberRoleTargets || memberRoleTargets.length === 0) {
      throw new TrailcheckConfigError(
        `${key('memberRoleTargets')}: required when ${key('memberRoles')} is true; expected the organization root id (r-ab12, every account) or OU ids (ou-ab12-cd34ef56) for the StackSet to deploy the audit role to`,
      );
    }
    const roots = memberRoleTargets.filter((t) => PATTERNS.rootId.test(t));
    if (roots.length > 0 && memberRoleTargets.length > roots.length) {
      throw new TrailcheckConfigError(
        `${key('memberRoleTargets')}${where('memberRoleTargets')}: the root ${roots.join(', ')} already covers every OU; expected either the root id alone or OU ids only, got ${memberRoleTargets.join(', ')}`,
      );
    }
    if (roots.length > 1) fail(key('memberRoleTargets') + where('memberRoleTargets'), 'a single root id (an organization has one root)', memberRoleTargets.join(','));
  } else if (memberRoleTargets && memberRoleTargets.length > 0) {
    throw new TrailcheckConfigError(
      `${key('memberRoleTargets')} is set but ${key('memberRoles')} is false: the targets are only used by the member-roles StackSet; remove ${key('memberRoleTargets')} or set ${key('memberRoles')} to true`,
    );
  }

  const managementRoleStack = managementRoleStackSetting ?? mode === 'delegatedAdmin';
  if (managementRoleStack && mode === 'management') {
    throw new TrailcheckConfigError(
      `${key('managementRoleStack')} is true but ${key('mode')} is "management": the function runs in the management account and audits it with its own role, so no management role stack is needed; set ${key('managementRoleStack')} to false or ${key('mode')} to "delegatedAdmin"`,
    );
  }
  if (managementRoleStack && !auditAccountId) {
    throw new TrailcheckConfigError(
      `${key('auditAccountId')}: required when ${key('managementRoleStack')} is true (the management account's role must trust the function's role in the delegated administrator account); expected a 12-digit account id`,
    );
  }
  if (mode === 'delegatedAdmin' && auditAccountId && managementAccountId && auditAccountId === managementAccountId) {
    throw new TrailcheckConfigError(
      `${key('auditAccountId')} and ${key('managementAccountId')} are both ${auditAccountId} but ${key('mode')} is "delegatedAdmin": a delegated administrator is a member account; use mode "management" to deploy in the management account`,
    );
  }
  if ((memberRoles || managementRoleStack) && !organizationId) {
    throw new TrailcheckConfigError(
      `${key('organizationId')}: required when the member roles are deployed (their trust policy admits only principals of your organization, aws:PrincipalOrgID); expected an organization id such as o-a1b2c3d4e5 (aws organizations describe-organization)`,
    );
  }

  const timeoutHours = timeoutMinutes / 60;
  if (schedule.intervalMinutes !== undefined && schedule.exact && schedule.intervalMinutes < timeoutMinutes) {
    throw new TrailcheckConfigError(
      `${key('schedule')} runs every ${schedule.intervalMinutes} minutes but ${key('timeoutMinutes')} is ${timeoutMinutes}: a run may last longer than the interval and runs would queue up behind each other; expected a schedule interval of at least the timeout`,
    );
  }
  let heartbeatHours: number;
  if (heartbeatSetting !== undefined) {
    if (schedule.intervalMinutes !== undefined && schedule.exact && heartbeatSetting < Math.ceil(schedule.intervalMinutes / 60 + timeoutHours)) {
      throw new TrailcheckConfigError(
        `${key('heartbeatHours')} is ${heartbeatSetting} but ${key('schedule')} runs only every ${formatMinutes(schedule.intervalMinutes)}: the heartbeat alarm would fire between two healthy runs; expected at least ${Math.ceil(schedule.intervalMinutes / 60 + timeoutHours)}`,
      );
    }
    heartbeatHours = heartbeatSetting;
  } else if (schedule.intervalMinutes === undefined) {
    throw new TrailcheckConfigError(
      `${key('heartbeatHours')}: required when ${key('schedule')} (${scheduleText}) does not run at least daily, since the window cannot be derived from it; expected hours from 1 to ${MAX_HEARTBEAT_HOURS} (CloudWatch alarms look back at most 7 days)`,
    );
  } else {
    heartbeatHours = Math.ceil(schedule.intervalMinutes / 60 + timeoutHours) + 1;
    if (heartbeatHours > MAX_HEARTBEAT_HOURS) {
      throw new TrailcheckConfigError(
        `${key('schedule')} runs every ${formatMinutes(schedule.intervalMinutes)}, longer than the heartbeat alarm can watch (CloudWatch alarms look back at most 7 days); expected a schedule that runs at least every ${MAX_HEARTBEAT_HOURS - 2} hours`,
      );
    }
  }

  return {
    mode,
    organizationId,
    emails,
    schedule: scheduleText,
    timeZone,
    roleName,
    functionRoleName,
    externalId,
    memberRoles,
    memberRoleTargets: memberRoleTargets ?? [],
    managementRoleStack,
    auditAccountId,
    managementAccountId,
    region,
    strict,
    publishOnPass,
    concurrency,
    accounts,
    excludeAccounts,
    ous,
    callTimeoutMs,
    maxAttempts,
    assumeRolePerSecond,
    memoryMb,
    timeoutMinutes,
    reservedConcurrency,
    logRetentionDays,
    retryAttempts,
    heartbeatHours,
    alertMode,
    reminderDays,
    reportRetentionDays,
    chatbotSlackWorkspaceId,
    chatbotSlackChannelId,
    slackWebhook,
  };
}

function isTimeZone(tz: string): boolean {
  if (!PATTERNS.timeZone.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function readReservedConcurrency(v: unknown, key: string): boolean {
  if (v === undefined) return DEFAULTS.reservedConcurrency;
  if (v === 1 || v === '1' || v === true || v === 'true') return true;
  if (v === false || v === 'false' || v === 'none') return false;
  return fail(key, 'false (the default: no reservation; the run lock keeps runs from overlapping) or 1 (also reserve one concurrent execution, where the Lambda concurrency quota can spare it)', v);
}

class Reader {
  constructor(
    private readonly values: Record<string, unknown>,
    private readonly key: (k: string) => string,
    private readonly where: (k: string) => string,
  ) {}

  private k(name: string): string {
    return this.key(name) + this.where(name);
  }

  string(name: string): string | undefined {
    const v = this.values[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') fail(this.k(name), 'a string', v);
    return v;
  }

  pattern(name: string, re: RegExp, expected: string): string | undefined {
    const v = this.values[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !re.test(v)) fail(this.k(name), expected, v);
    return v;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) fail(this.k(name), `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, v);
    return v as T;
  }

  bool(name: string): boolean | undefined {
    const v = this.values[name];
    if (v === undefined) return undefined;
    if (typeof v === 'boolean') return v;
    if (v === 'true') return true;
    if (v === 'false') return false;
    return fail(this.k(name), 'true or false', v);
  }

  int(name: string, min: number, max: number): number | undefined {
    const v = this.values[name];
    if (v === undefined) return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) fail(this.k(name), `a whole number from ${min} to ${max}`, v);
    return n;
  }

  /** An array of strings, or (from `-c`) one string of comma- or space-separated items. */
  list(name: string, re: { test(v: string): boolean }, expected: string): string[] | undefined {
    const v = this.values[name];
    if (v === undefined) return undefined;
    let items: unknown[];
    if (Array.isArray(v)) items = v;
    else if (typeof v === 'string') items = v.split(/[\s,]+/).filter(Boolean);
    else return fail(this.k(name), `a list (each ${expected})`, v);
    if (items.length === 0 && !Array.isArray(v)) fail(this.k(name), `a list (each ${expected}); the string holds only separators`, v);
    items.forEach((item, i) => {
      if (typeof item !== 'string' || !re.test(item)) fail(`${this.key(name)}[${i}]${this.where(name)}`, expected, item);
    });
    return [...new Set(items as string[])];
  }
}

function asObject(key: string, v: unknown, source: string): Record<string, unknown> {
  let value = v;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      fail(`${key} (from ${source})`, 'an object of trailcheck settings (JSON when given with -c)', v);
    }
  }
  if (!isPlainObject(value)) fail(`${key} (from ${source})`, 'an object of trailcheck settings', v);
  return value as Record<string, unknown>;
}

/** Settings that may be an empty list: no email subscriptions is a real choice (alerts through Slack only). */
const EMPTY_LIST_ALLOWED = new Set<string>(['emails']);

function ownEntries(obj: object): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(obj)) out[k] = v;
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function dedupe(emails: string[]): string[] {
  const seen = new Set<string>();
  return emails.filter((e) => {
    const k = e.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function formatMinutes(m: number): string {
  if (m % 1440 === 0) return `${m / 1440} day${m === 1440 ? '' : 's'}`;
  if (m % 60 === 0) return `${m / 60} hour${m === 60 ? '' : 's'}`;
  return `${m} minute${m === 1 ? '' : 's'}`;
}
