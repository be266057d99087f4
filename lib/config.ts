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
 * Each key is declared once, with its kind, default and meaning: the function's settings in
 * lambda/settings.ts (the function reads its environment with the same declarations), the
 * stack's own in lib/deploy-settings.ts. This file reads the sources and checks the rules
 * between settings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError as TrailcheckConfigError, defaultOf, defaultsOf, fail, type Values } from '../lambda/setting-kinds';
import { AUDIT_SETTINGS, checkAuditSettings, PATTERNS } from '../lambda/settings';
import { exemptionsForRuntime, parseExemptions, type Exemption, type ParseExemptionsOptions } from '../lambda/exemptions';
import { DEPLOY_SETTINGS, MAX_HEARTBEAT_HOURS } from './deploy-settings';
import { REALTIME_NAMES } from './realtime-events';
import { parseSchedule } from './schedule';

/** The validated configuration (lib/deploy-settings.ts and lambda/settings.ts say what each key is). */
export type TrailcheckConfig = Omit<Values<typeof DEPLOY_SETTINGS>, 'managementRoleStack' | 'heartbeatHours'> & {
  /** Defaults to true in delegatedAdmin mode. */
  managementRoleStack: boolean;
  /** Derived from the schedule unless set. */
  heartbeatHours: number;
};
export type DeploymentMode = TrailcheckConfig['mode'];

export { TrailcheckConfigError };
export { parseSchedule, type ParsedSchedule } from './schedule';

/** Context key of the configuration object, and prefix of the flat keys and of every error message. */
export const CONTEXT_KEY = 'trailcheck';
export const CONFIG_FILE_KEY = 'trailcheck.configFile';

/** Every key the configuration accepts (anything else is reported as a typo). */
export const CONFIG_KEYS = Object.keys(DEPLOY_SETTINGS) as Array<keyof typeof DEPLOY_SETTINGS>;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

export const DEFAULTS = defaultsOf(DEPLOY_SETTINGS);

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

/** Validates merged settings. Throws TrailcheckConfigError naming the first bad key. `now`: the clock exemptions' expiries are checked against. */
export function parseConfig(input: ConfigInput | Record<string, unknown>, options: { now?: Date } = {}): TrailcheckConfig {
  const given = Object.hasOwn(input, 'values') && isPlainObject(input.values) ? (input as ConfigInput) : { values: input as Record<string, unknown>, sources: {} };
  // Own keys only, in null-prototype maps: nothing is read from Object.prototype (a "constructor" or "toString" setting is unknown, not a function).
  const values = ownEntries(given.values);
  const sources = ownEntries(given.sources ?? {}) as Record<string, string>;
  const key = (k: string) => `${CONTEXT_KEY}.${k}`;
  const where = (k: string) => (sources[k] && sources[k] !== 'context' ? ` (from ${sources[k]})` : '');

  for (const k of Object.keys(values)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(k)) {
      const near = CONFIG_KEYS.find((c) => c.toLowerCase() === k.toLowerCase());
      throw new TrailcheckConfigError(`${key(k)}${where(k)}: unknown setting${near ? `; did you mean ${key(near)}?` : ''}; expected one of ${CONFIG_KEYS.join(', ')}`);
    }
  }
  // An empty value usually comes from an unset variable or a template: refusing it beats silently
  // running with the default (no ExternalId, every account), as the CLI refuses empty flags.
  for (const k of Object.keys(values) as ConfigKey[]) {
    const v = values[k];
    const empty = v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0 && !('emptyAllowed' in DEPLOY_SETTINGS[k]));
    if (empty) throw new TrailcheckConfigError(`${key(k)}${where(k)}: empty value ${JSON.stringify(v)}; give a value, or leave the key out to use the default`);
  }

  const read: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(DEPLOY_SETTINGS)) {
    read[k] = values[k] === undefined ? defaultOf(s) : s.kind.read(values[k], 'config', (i) => `${key(k)}${i === undefined ? '' : `[${i}]`}${where(k)}`);
  }
  const c = read as Values<typeof DEPLOY_SETTINGS>;
  const { mode, roleName, functionRoleName, memberRoles, memberRoleTargets, auditAccountId, managementAccountId, alertMode, reminderDays, timeoutMinutes } = c;
  const schedule = parseSchedule(key('schedule') + where('schedule'), c.schedule);

  if ((c.chatbotSlackWorkspaceId === undefined) !== (c.chatbotSlackChannelId === undefined)) {
    const [given, missing] = c.chatbotSlackWorkspaceId ? ['chatbotSlackWorkspaceId', 'chatbotSlackChannelId'] : ['chatbotSlackChannelId', 'chatbotSlackWorkspaceId'];
    throw new TrailcheckConfigError(`${key(missing)}: required when ${key(given)} is set (AWS Chatbot posts to one channel of one workspace); expected ${missing === 'chatbotSlackChannelId' ? 'a Slack channel id such as C0123ABCD' : 'a Slack workspace id such as T0123ABCD'}`);
  }
  c.routes.forEach((r, i) => {
    if (r.chatbotSlackChannelId && !c.chatbotSlackWorkspaceId) {
      throw new TrailcheckConfigError(`${key('routes')}[${i}].chatbotSlackChannelId${where('routes')}: needs ${key('chatbotSlackWorkspaceId')} (the route's channel is in the workspace AWS Chatbot is authorized for); set it, or remove the route's chatbotSlackChannelId`);
    }
  });
  // Exemptions' expiries, against the clock and the configured maximum: a past expiry is an error here.
  const exemptions = checkExemptions(c.exemptions, key('exemptions'), where('exemptions'), { now: options.now ?? new Date(), maxDays: c.exemptionMaxDays ?? AUDIT_SETTINGS.exemptionMaxDays.default, atSynth: true });
  if (alertMode === 'every-run' && values.reminderDays !== undefined && reminderDays > 0) {
    throw new TrailcheckConfigError(`${key('reminderDays')}${where('reminderDays')} is set but ${key('alertMode')} is "every-run", which already repeats every failing account each run; remove ${key('reminderDays')} or set ${key('alertMode')} to "changes"`);
  }

  // Conflicts between settings.
  checkAuditSettings(c, key);
  if (roleName === functionRoleName) {
    throw new TrailcheckConfigError(
      `${key('roleName')} and ${key('functionRoleName')} are both ${JSON.stringify(roleName)}: the audit role and the function's role must have different names (the StackSet may create the audit role in the account the function runs in)`,
    );
  }
  checkRealtime(c, values, key, where);
  if (memberRoles) {
    if (memberRoleTargets.length === 0) {
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
  } else if (memberRoleTargets.length > 0) {
    throw new TrailcheckConfigError(
      `${key('memberRoleTargets')} is set but ${key('memberRoles')} is false: the targets are only used by the member-roles StackSet; remove ${key('memberRoleTargets')} or set ${key('memberRoles')} to true`,
    );
  }

  const managementRoleStack = c.managementRoleStack ?? mode === 'delegatedAdmin';
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
  if ((memberRoles || managementRoleStack) && !c.organizationId) {
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
  const heartbeatSetting = c.heartbeatHours;
  if (heartbeatSetting !== undefined) {
    if (schedule.intervalMinutes !== undefined && schedule.exact && heartbeatSetting < Math.ceil(schedule.intervalMinutes / 60 + timeoutHours)) {
      throw new TrailcheckConfigError(
        `${key('heartbeatHours')} is ${heartbeatSetting} but ${key('schedule')} runs only every ${formatMinutes(schedule.intervalMinutes)}: the heartbeat alarm would fire between two healthy runs; expected at least ${Math.ceil(schedule.intervalMinutes / 60 + timeoutHours)}`,
      );
    }
    heartbeatHours = heartbeatSetting;
  } else if (schedule.intervalMinutes === undefined) {
    throw new TrailcheckConfigError(
      `${key('heartbeatHours')}: required when ${key('schedule')} (${c.schedule}) does not run at least daily, since the window cannot be derived from it; expected hours from 1 to ${MAX_HEARTBEAT_HOURS} (CloudWatch alarms look back at most 7 days)`,
    );
  } else {
    heartbeatHours = Math.ceil(schedule.intervalMinutes / 60 + timeoutHours) + 1;
    if (heartbeatHours > MAX_HEARTBEAT_HOURS) {
      throw new TrailcheckConfigError(
        `${key('schedule')} runs every ${formatMinutes(schedule.intervalMinutes)}, longer than the heartbeat alarm can watch (CloudWatch alarms look back at most 7 days); expected a schedule that runs at least every ${MAX_HEARTBEAT_HOURS - 2} hours`,
      );
    }
  }

  return { ...c, exemptions, managementRoleStack, heartbeatHours };
}

/** Real-time re-audit (lib/realtime.ts): its settings only when it is on, and the event function's fixed role name taken by no other role. */
function checkRealtime(c: Values<typeof DEPLOY_SETTINGS>, given: Record<string, unknown>, key: (k: string) => string, where: (k: string) => string): void {
  if (!c.realtime) {
    for (const k of ['realtimeRegions', 'realtimeDelaySeconds'] as const) {
      if (given[k] !== undefined) throw new TrailcheckConfigError(`${key(k)}${where(k)} is set but ${key('realtime')} is false: it only configures the real-time re-audit; remove ${key(k)} or set ${key('realtime')} to true`);
    }
    return;
  }
  for (const k of ['roleName', 'functionRoleName'] as const) {
    if (c[k] === REALTIME_NAMES.functionRole) {
      throw new TrailcheckConfigError(`${key(k)}${where(k)} is ${JSON.stringify(REALTIME_NAMES.functionRole)}, the name of the event function's role (${key('realtime')} is true); choose another name, or set ${key('realtime')} to false`);
    }
  }
}

function checkExemptions(list: Exemption[], name: string, source: string, opts: ParseExemptionsOptions): Exemption[] {
  try {
    return parseExemptions(exemptionsForRuntime(list), name, opts);
  } catch (err) {
    if (!source || !(err instanceof Error)) throw err;
    throw new TrailcheckConfigError(`${err.message}${source}`);
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

function ownEntries(obj: object): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(obj)) out[k] = v;
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function formatMinutes(m: number): string {
  if (m % 1440 === 0) return `${m / 1440} day${m === 1440 ? '' : 's'}`;
  if (m % 60 === 0) return `${m / 60} hour${m === 60 ? '' : 's'}`;
  return `${m} minute${m === 1 ? '' : 's'}`;
}
