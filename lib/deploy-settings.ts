/**
 * The deployment's settings (`trailcheck.<key>`), declared as the function's are
 * (lambda/settings.ts): the settings only the stack uses, here, and every function setting marked
 * `deploy`, under its deployment key. lib/config.ts reads and validates them all at synth;
 * lib/function-env.ts turns the function's back into its environment variables.
 */
import { bool, ConfigError, fail, list, oneOf, pattern, setting, whole, type Kind, type Settings } from '../lambda/setting-kinds';
import { ALERT_SETTINGS, AUDIT_SETTINGS, PATTERNS, ROLE_NAME } from '../lambda/settings';
import { parseRoutes, type Route } from '../lambda/routes';
import { parseExemptions, type Exemption } from '../lambda/exemptions';
import { DEFAULT_REALTIME_REGIONS } from './realtime-events';
import { parseSchedule } from './schedule';

/** CloudWatch Logs retention periods (days), as the API accepts them. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** CloudWatch evaluates an alarm over at most 7 days: the heartbeat window's upper bound. */
export const MAX_HEARTBEAT_HOURS = 168;

const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,}$/;
const ACCOUNT_ID = 'a 12-digit account id';

const timeZone = {
  test(tz: string): boolean {
    if (!/^(UTC|[A-Za-z][A-Za-z_]*(\/[A-Za-z0-9_+-]+)+)$/.test(tz)) return false;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
};

/** An EventBridge Scheduler recurring expression, checked field by field (./schedule.ts). */
const schedule: Kind<string> = {
  read(v, _from, key) {
    if (typeof v !== 'string') fail(key(), 'a string', v);
    parseSchedule(key(), v);
    return v;
  },
  text: (v) => v,
};

const logRetentionDays: Kind<number> = {
  read(v, from, key) {
    const days = whole(1, 3653).read(v, from, key);
    if ((LOG_RETENTION_DAYS as readonly number[]).includes(days)) return days;
    return fail(key(), `a CloudWatch Logs retention period in days, one of ${LOG_RETENTION_DAYS.join(', ')}`, v);
  },
  text: String,
};

const reservedConcurrency: Kind<boolean> = {
  read(v, _from, key) {
    if (v === 1 || v === '1' || v === true || v === 'true') return true;
    if (v === false || v === 'false' || v === 'none') return false;
    return fail(key(), 'false (the default: no reservation; the run lock keeps runs from overlapping) or 1 (also reserve one concurrent execution, where the Lambda concurrency quota can spare it)', v);
  },
  text: String,
};

/** Alert routes (lambda/routes.ts): errors name `trailcheck.routes[i].field`, with the source after them. */
const routes: Kind<Route[]> = {
  read(v, _from, key) {
    const base = key();
    const name = base.replace(/ \(from .*\)$/, '');
    try {
      return parseRoutes(v, name);
    } catch (err) {
      if (name === base || !(err instanceof Error)) throw err;
      throw new ConfigError(`${err.message}${base.slice(name.length)}`);
    }
  },
  text: (v) => JSON.stringify(v),
};

/**
 * Exemptions (lambda/exemptions.ts), read here for their form; lib/config.ts checks their expiry
 * against the clock and `exemptionMaxDays` (a past expiry is an error at synth). Errors name
 * `trailcheck.exemptions[i].field`, with the source after them.
 */
const exemptions: Kind<Exemption[]> = {
  read(v, _from, key) {
    const base = key();
    const name = base.replace(/ \(from .*\)$/, '');
    const value = typeof v === 'string' ? jsonOf(v, base) : v;
    try {
      return parseExemptions(value, name, { now: new Date(0), maxDays: 3_000_000, atSynth: false });
    } catch (err) {
      if (name === base || !(err instanceof Error)) throw err;
      throw new ConfigError(`${err.message}${base.slice(name.length)}`);
    }
  },
  text: (v) => JSON.stringify(v),
};

function jsonOf(v: string, key: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return fail(key, 'a JSON list of exemptions (with -c), or a list in cdk.json or the config file', v);
  }
}

/** Settings only the stack uses; the first keys are those the unknown-key message lists first. */
const STACK_SETTINGS = {
  mode: setting(oneOf(['management', 'delegatedAdmin']), { default: 'management', help: 'where the audit stack is deployed: the management account, or a delegated administrator' }),
  organizationId: setting(pattern(/^o-[a-z0-9]{10,32}$/, 'an organization id such as o-a1b2c3d4e5'), {
    help: '`o-…`: the member roles trust only principals of this organization (aws:PrincipalOrgID)',
  }),
  emails: setting(list(EMAIL, 'an email address', (e) => e.toLowerCase()), {
    default: [],
    // No email subscriptions is a real choice (alerts through Slack only).
    emptyAllowed: true,
    help: 'addresses subscribed to the alert topic (each must confirm the subscription)',
  }),
  schedule: setting(schedule, { default: 'cron(0 6 * * ? *)', help: 'EventBridge Scheduler expression: rate(…) or cron(…)' }),
  timeZone: setting(pattern(timeZone, 'an IANA time zone such as UTC or Europe/Paris'), { default: 'UTC', help: 'IANA time zone the cron expression is evaluated in' }),
  functionRoleName: setting(ROLE_NAME, {
    default: 'TrailcheckAuditFunctionRole',
    help: "the function's own role: fixed, so member roles can trust it by aws:PrincipalArn",
  }),
  memberRoles: setting(bool, { default: true, help: 'deploy the member roles with a service-managed StackSet (false: you already have the roles)' }),
  memberRoleTargets: setting(
    list({ test: (v) => PATTERNS.rootId.test(v) || PATTERNS.ouId.test(v) }, 'the organization root id (r-ab12) or an OU id (ou-ab12-cd34ef56)'),
    { default: [], help: 'root id (r-…) or OU ids (ou-…) the StackSet deploys to (and auto-deploys to new accounts in)' },
  ),
  managementRoleStack: setting(bool, { help: 'delegatedAdmin mode: synthesize TrailcheckManagementRole, the member role for the management account (default: in delegatedAdmin mode)' }),
  auditAccountId: setting(pattern(PATTERNS.accountId, ACCOUNT_ID), { help: "the audit stack's account (pins its environment; required for the management role stack)" }),
  managementAccountId: setting(pattern(PATTERNS.accountId, ACCOUNT_ID), { help: "the management account (pins the management role stack's environment)" }),
  memoryMb: setting(whole(128, 10_240), { default: 1024, help: 'function memory' }),
  timeoutMinutes: setting(whole(1, 15), { default: 15, help: 'function timeout' }),
  reservedConcurrency: setting(reservedConcurrency, {
    default: false,
    help: 'also reserve one concurrent execution (runs never overlap anyway: the run lock); off by default, as a quota of 10 cannot spare one',
  }),
  logRetentionDays: setting(logRetentionDays, { default: 365, help: "the function's log retention" }),
  retryAttempts: setting(whole(0, 2), { default: 1, help: 'Lambda asynchronous-invocation retries after a failed run' }),
  heartbeatHours: setting(whole(1, MAX_HEARTBEAT_HOURS), { help: 'alarm when no run succeeded in this many hours (default: derived from the schedule)' }),
  errorShareAlarmPercent: setting(whole(1, 100), {
    default: 20,
    help: 'alarm (trailcheck-error-accounts) when more than this percentage of the audited accounts (PASS, FAIL, ERROR) are ERROR in a run (lib/dashboard.ts)',
  }),
  reportRetentionDays: setting(whole(1, 3650), { default: 365, help: 'reports in the archive bucket expire after this many days' }),
  chatbotSlackWorkspaceId: setting(pattern(/^T[0-9A-Z]{2,20}$/, "a Slack workspace (team) id such as T0123ABCD (AWS Chatbot console → the workspace's details)"), {
    help: 'AWS Chatbot: the Slack workspace (team) id, T…',
  }),
  chatbotSlackChannelId: setting(pattern(/^[CG][0-9A-Z]{2,20}$/, "a Slack channel id such as C0123ABCD (the channel's details in Slack, at the bottom)"), {
    help: 'AWS Chatbot: the Slack channel id, C…',
  }),
  slackWebhook: setting(bool, { default: false, help: 'deploy the Slack incoming-webhook forwarder and the secret that holds the webhook URL' }),
  exemptions: setting(exemptions, {
    default: [],
    emptyAllowed: true,
    help: 'accounts or OUs whose failing verdict is accepted until an expiry, with a reason and an owner (docs/deploy.md "Exemptions")',
  }),
  routes: setting(routes, {
    default: [],
    emptyAllowed: true,
    help: "alert routes: each team's OUs (recursive) and/or accounts, and its own destinations (emails, a Slack webhook secret, a Chatbot channel); a topic per route",
  }),
  realtime: setting(bool, {
    default: true,
    help: 're-audit an account within a minute of a change to its trails, and a new account when it joins: forwarding rules in every account, a central event bus, a queue and the event function (docs/deploy.md "Real-time re-audit")',
  }),
  realtimeRegions: setting(list(PATTERNS.region, 'a region name such as eu-west-1'), {
    default: [...DEFAULT_REALTIME_REGIONS],
    help: "the regions whose trail changes are forwarded (one forwarding rule per account and region); default: the 17 regions every account has enabled by default",
  }),
  realtimeDelaySeconds: setting(whole(0, 300), {
    default: 20,
    help: "how long the event function's queue gathers a burst of changes before one audit (the SQS batching window, at most 300 seconds)",
  }),
};

/** The function's settings the deployment sets, under their deployment keys; `when-set` ones without a default (the function's applies). */
type Deployable<M> = {
  [K in keyof M as M[K] extends { deploy: string } ? (M[K] extends { deployKey: infer D extends string } ? D : K) : never]: M[K] extends { deploy: 'always' } ? M[K] : Omit<M[K], 'default'>;
};

function deployable<M extends Settings>(settings: M): Deployable<M> {
  const out: Settings = {};
  for (const [field, s] of Object.entries(settings)) {
    if (!s.deploy) continue;
    const { default: _default, ...withoutDefault } = s;
    out[s.deployKey ?? field] = s.deploy === 'always' ? s : withoutDefault;
  }
  return out as Deployable<M>;
}

/** Every deployment setting. */
export const DEPLOY_SETTINGS = { ...STACK_SETTINGS, ...deployable(AUDIT_SETTINGS), ...deployable(ALERT_SETTINGS) };

/** A function setting's configured value (under its deployment key), by the function's own name. */
export function deployedValues<M extends Settings>(settings: M, config: object): Partial<Record<keyof M, unknown>> {
  const values: Record<string, unknown> = {};
  for (const [field, s] of Object.entries(settings)) if (s.deploy) values[field] = (config as Record<string, unknown>)[s.deployKey ?? field];
  return values as Partial<Record<keyof M, unknown>>;
}
