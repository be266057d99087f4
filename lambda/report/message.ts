/**
 * The alert as one SNS message (`MessageStructure: "json"`): a plain-text body for email
 * (`email`), a JSON body for machines and the Slack forwarder (`default`), and, when AWS Chatbot
 * is configured, its custom-notification JSON (`https`: Chatbot subscribes over HTTPS). A subject
 * under 100 ASCII characters, message attributes for subscription filter policies, and never
 * over SNS's 256 KiB limit: large organizations get the first accounts in full and a count of the rest.
 */
import type { ReportLocation } from '../aws/archive';
import { CHANGE_KINDS, type AccountChange, type ChangeKind } from '../alerts/changes';
import { buildChatbotNotification, type ChatbotNotification } from '../alerts/chatbot';
import { planAlert, type AlertKind, type AlertPlan } from '../alerts/plan';
import type { AlertMode } from '../config';
import type { AccountStatus, TrailVerdict } from '../rule/types';
import { MAX_RUN_ITEMS, renderAlertText } from './alert-text';
import { safeJson } from './display';
import type { AccountReport, AuditReport } from '../report-format';

/** SNS allows 262,144 bytes for the message and its attributes; keep room for the attributes. */
export const MAX_MESSAGE_BYTES = 256 * 1024 - 4 * 1024;
export const MAX_SUBJECT_CHARS = 99;
export { MAX_RUN_ITEMS };
/** Trails listed per account: the ones the reasons are about. */
export const MAX_TRAILS_PER_ACCOUNT = 3;

/** Message attribute names: stable, documented in docs/alerts.md, used by subscription filter policies. */
export const ATTRIBUTES = {
  fail: 'trailcheck.fail',
  error: 'trailcheck.error',
  kind: 'trailcheck.kind',
  change: 'trailcheck.change',
  status: 'trailcheck.status',
} as const;

export type MessageAttributes = Record<string, { DataType: 'String' | 'Number' | 'String.Array'; StringValue: string }>;

/** Where the full report is, or why it is not there. */
export type ReportPointer = ReportLocation | { unavailable: string };

export interface AlertOptions {
  /** What to send; default: every failing account, with no previous run to compare with. */
  plan?: AlertPlan;
  report?: ReportPointer;
  /** Add the AWS Chatbot rendering under the SNS `https` key. */
  chatbot?: boolean;
}

export interface AlertMessage {
  subject: string;
  /** The value of SNS `Message` with `MessageStructure: "json"`: `{"default": <json>, "email": <text>[, "https": <chatbot>]}`. */
  message: string;
  /** Accounts to list that did not fit and are only counted. */
  omittedAccounts: number;
  text: string;
  json: AlertJson;
  chatbot?: ChatbotNotification;
  attributes: MessageAttributes;
}

/** A trail as an alert shows it: the verdict's facts, without the per-trail findings. */
export type AlertTrail = Pick<TrailVerdict, 'arn' | 'name' | 'homeRegion' | 'ownerAccountId' | 'isMultiRegionTrail' | 'isOrganizationTrail' | 'isLogging' | 'managementEvents' | 'result'>;

export interface AlertAccount extends Pick<AccountReport, 'accountId' | 'accountName' | 'status' | 'reasons' | 'warnings' | 'remediation' | 'closestTrailArn' | 'qualifyingTrailArn' | 'ouId' | 'ouName'> {
  change: ChangeKind;
  previousStatus?: AccountStatus;
  /** The trails the verdict is about (the closest or qualifying trail, those the reasons name). */
  trails: AlertTrail[];
}

export interface AlertJson {
  type: 'trailcheck.audit';
  schemaVersion: number;
  kind: AlertKind;
  mode: AlertMode;
  run: { id: string; startedAt: string; callerAccountId: string; region: string; strict: boolean; errors: AuditReport['run']['errors']; omittedErrors: number };
  summary: AuditReport['summary'];
  /** Counts over every failing or resolved account (listed or not), and what they are compared with. */
  changes: Record<ChangeKind, number> & { comparedWith?: { runId: string; finishedAt: string }; previousUnavailable?: string; nextReminderAt?: string; reminderDays: number };
  /** The full report (archive), or why it could not be archived; absent when there is no archive (the CLI). */
  report?: ReportPointer;
  accounts: AlertAccount[];
  omittedAccounts: number;
}

/** Every failing account, nothing to compare with: what the CLI (and a run without an archive) sends. */
export function everyRunPlan(report: AuditReport): AlertPlan {
  return planAlert({ mode: 'every-run', reminderDays: 0, publishOnPass: true, current: report, now: new Date(report.run.finishedAt) });
}

export function buildSubject(report: AuditReport): string {
  const s = report.summary;
  const bad = [s.FAIL ? `${s.FAIL} FAIL` : '', s.ERROR ? `${s.ERROR} ERROR` : ''].filter(Boolean).join(', ');
  const run = s.runErrors ? `${bad ? ', ' : ''}run incomplete` : '';
  const subject = bad || run ? `trailcheck: ${bad}${run} of ${s.total} accounts` : `trailcheck: all ${s.PASS} audited accounts PASS`;
  return toSubject(subject);
}

/** The subject for a plan: the counts that changed first (changes and reminders), else the totals. */
export function subjectFor(report: AuditReport, plan: AlertPlan): string {
  if (plan.kind === 'every-run' || plan.kind === 'first-run') return buildSubject(report);
  const c = plan.counts;
  const s = report.summary;
  const changed = [c['new-fail'] ? `${c['new-fail']} newly FAIL` : '', c['new-error'] ? `${c['new-error']} newly ERROR` : '', c.resolved ? `${c.resolved} resolved` : '']
    .filter(Boolean)
    .join(', ');
  const now = [s.FAIL ? `${s.FAIL} FAIL` : '', s.ERROR ? `${s.ERROR} ERROR` : ''].filter(Boolean).join(', ') || `all ${s.PASS} PASS`;
  const runNote = plan.comparison.newRunErrors.length ? 'run incomplete' : '';
  if (plan.kind === 'reminder') {
    return toSubject(`trailcheck reminder: ${now} of ${s.total} accounts${changed ? ` (${changed})` : ''}${runNote ? `, ${runNote}` : ''}`);
  }
  const head = [changed, runNote].filter(Boolean).join(', ') || 'no change';
  return toSubject(`trailcheck: ${head} (now ${now} of ${s.total})`);
}

/** SNS subjects: ASCII, no line breaks, under 100 characters. */
export function toSubject(s: string): string {
  const ascii = s.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= MAX_SUBJECT_CHARS ? ascii : `${ascii.slice(0, MAX_SUBJECT_CHARS - 3)}...`;
}

export function buildAlert(report: AuditReport, maxBytes = MAX_MESSAGE_BYTES, options: AlertOptions = {}): AlertMessage {
  const plan = options.plan ?? everyRunPlan(report);
  const listed = plan.accounts;
  const subject = subjectFor(report, plan);
  const build = (n: number): AlertMessage => {
    const shown = listed.slice(0, n);
    const omitted = listed.length - shown.length;
    const json = renderJson(report, plan, shown, omitted, options.report);
    const text = renderAlertText(report, plan, json);
    const chatbot = options.chatbot ? buildChatbotNotification(json, subject) : undefined;
    // safeJson: the same data, with bidirectional and C1 controls spelled as escapes for anyone reading the raw JSON.
    const body: Record<string, string> = { default: safeJson(JSON.stringify(json)), email: text };
    if (chatbot) body.https = safeJson(JSON.stringify(chatbot));
    return { subject, message: JSON.stringify(body), omittedAccounts: omitted, text, json, ...(chatbot ? { chatbot } : {}), attributes: messageAttributes(report, plan) };
  };
  const size = (m: AlertMessage) => Buffer.byteLength(m.message) + attributesBytes(m.attributes);
  let best = build(listed.length);
  if (size(best) <= maxBytes) return best;
  // Largest number of accounts that fits (message size grows with n).
  let lo = 0;
  let hi = listed.length - 1;
  best = build(0);
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = build(mid);
    if (size(candidate) <= maxBytes) {
      best = candidate;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/**
 * Attributes for filter policies: the FAIL and ERROR (+ run error) totals (numbers), the kind of
 * message, and the change kinds and statuses of the accounts it lists (string arrays, so a policy
 * such as `{"trailcheck.change": ["new-fail", "new-error"]}` matches a message listing any of them).
 */
export function messageAttributes(report: AuditReport, plan: AlertPlan): MessageAttributes {
  const attrs: MessageAttributes = {
    [ATTRIBUTES.fail]: { DataType: 'Number', StringValue: String(report.summary.FAIL) },
    [ATTRIBUTES.error]: { DataType: 'Number', StringValue: String(report.summary.ERROR + report.summary.runErrors) },
    [ATTRIBUTES.kind]: { DataType: 'String', StringValue: plan.kind },
  };
  // Over every account the plan lists, shown or only counted: a filter must not depend on the size limit.
  const listed = plan.accounts;
  const changes: string[] = CHANGE_KINDS.filter((k) => listed.some((a) => a.change === k));
  if (plan.comparison.newRunErrors.length > 0) changes.push('run-error');
  const statuses = (['ERROR', 'FAIL', 'PASS'] as const).filter((s) => listed.some((a) => a.account.status === s));
  if (changes.length) attrs[ATTRIBUTES.change] = { DataType: 'String.Array', StringValue: JSON.stringify(changes) };
  if (statuses.length) attrs[ATTRIBUTES.status] = { DataType: 'String.Array', StringValue: JSON.stringify(statuses) };
  return attrs;
}

/** What SNS counts of the attributes toward the 256 KiB limit: names, types and values. */
function attributesBytes(attrs: MessageAttributes): number {
  return Object.entries(attrs).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v.DataType) + Buffer.byteLength(v.StringValue), 0);
}

function renderJson(report: AuditReport, plan: AlertPlan, shown: AccountChange[], omitted: number, location: ReportPointer | undefined): AlertJson {
  return {
    type: 'trailcheck.audit',
    schemaVersion: report.schemaVersion,
    kind: plan.kind,
    mode: plan.mode,
    run: {
      id: report.run.id,
      startedAt: report.run.startedAt,
      callerAccountId: report.run.callerAccountId,
      region: report.run.region,
      strict: report.run.strict,
      errors: report.run.errors.slice(0, MAX_RUN_ITEMS),
      omittedErrors: Math.max(0, report.run.errors.length - MAX_RUN_ITEMS),
    },
    summary: report.summary,
    changes: {
      ...plan.counts,
      reminderDays: plan.reminderDays,
      ...(plan.comparison.baseline ? { comparedWith: plan.comparison.baseline } : {}),
      ...(plan.previousUnavailable ? { previousUnavailable: plan.previousUnavailable } : {}),
      ...(plan.nextReminderAt ? { nextReminderAt: plan.nextReminderAt } : {}),
    },
    ...(location ? { report: location } : {}),
    accounts: shown.map(alertAccount),
    omittedAccounts: omitted,
  };
}

function alertAccount(c: AccountChange): AlertAccount {
  const a = c.account;
  return {
    accountId: a.accountId,
    accountName: a.accountName,
    ...(a.ouId ? { ouId: a.ouId } : {}),
    ...(a.ouName ? { ouName: a.ouName } : {}),
    status: a.status,
    change: c.change,
    ...(c.previousStatus ? { previousStatus: c.previousStatus } : {}),
    reasons: a.reasons,
    warnings: a.warnings,
    remediation: a.remediation,
    ...(a.closestTrailArn ? { closestTrailArn: a.closestTrailArn } : {}),
    ...(a.qualifyingTrailArn ? { qualifyingTrailArn: a.qualifyingTrailArn } : {}),
    trails: trailsInvolved(a),
  };
}

/** The qualifying or closest trail, then the trails the reasons name, then (ERROR) those that could not be read. */
function trailsInvolved(a: AccountReport): AlertTrail[] {
  const arns = [a.qualifyingTrailArn, a.closestTrailArn, ...a.reasons.map((r) => r.trailArn), ...a.trails.filter((t) => t.result === 'UNKNOWN').map((t) => t.arn)];
  const wanted = [...new Set(arns.filter((x): x is string => Boolean(x)))];
  const out: AlertTrail[] = [];
  for (const arn of wanted) {
    const t = a.trails.find((x) => x.arn === arn);
    if (!t) continue;
    out.push({
      arn: t.arn,
      name: t.name,
      homeRegion: t.homeRegion,
      ownerAccountId: t.ownerAccountId,
      isMultiRegionTrail: t.isMultiRegionTrail,
      isOrganizationTrail: t.isOrganizationTrail,
      ...(t.isLogging !== undefined ? { isLogging: t.isLogging } : {}),
      ...(t.managementEvents ? { managementEvents: t.managementEvents } : {}),
      result: t.result,
    });
    if (out.length >= MAX_TRAILS_PER_ACCOUNT) break;
  }
  return out;
}
