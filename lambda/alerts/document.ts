/**
 * The alert document: everything one run's alert says, decided once from the report and the
 * plan (./plan.ts), before any channel renders it. Pure data in the alert's own terms, with no
 * channel's format or limit in it: the channels (lambda/channels/) render it, and one that has
 * less room (the SNS message: 256 KiB) shows the first accounts (`firstAccounts`) and says how
 * many it left out.
 */
import type { ReportLocation } from '../aws/archive';
import type { AlertMode } from '../config';
import type { AccountExemption, AccountReport, AuditReport, ExemptionInForce, RunInfo, Summary } from '../report-format';
import type { AccountStatus, Finding, TrailVerdict } from '../rule/types';
import type { AccountChange, ChangeKind } from './changes';
import type { AlertKind, AlertPlan } from './plan';
import { realtimeSubject, type AlertTrigger } from './realtime';

/** Run errors and notes one message shows; the rest are counted (the full report has them all). */
export const MAX_RUN_ITEMS = 20;
/** Trails listed per account: the ones the reasons are about. */
export const MAX_TRAILS_PER_ACCOUNT = 3;

/** Where the full report is, or why it is not there. */
export type ReportPointer = ReportLocation | { unavailable: string };

/** A trail as an alert shows it: the verdict's facts, without the per-trail findings. */
export type AlertTrail = Pick<TrailVerdict, 'arn' | 'name' | 'homeRegion' | 'ownerAccountId' | 'isMultiRegionTrail' | 'isOrganizationTrail' | 'isLogging' | 'managementEvents' | 'result'>;

export interface AlertAccount extends Pick<AccountReport, 'accountId' | 'accountName' | 'status' | 'reasons' | 'warnings' | 'remediation' | 'closestTrailArn' | 'qualifyingTrailArn' | 'ouId' | 'ouName'> {
  change: ChangeKind;
  previousStatus?: AccountStatus;
  /** The trails the verdict is about (the closest or qualifying trail, those the reasons name). */
  trails: AlertTrail[];
  /** The exemption that covered it has expired: why it fails newly. */
  exemptionExpired?: AccountExemption;
  /** It was exempt in the previous report and is not now (expired, removed, or its OU could not be read). */
  previousExemption?: AccountExemption;
}

/** What the alert says about exemptions (docs/alerts.md "Exemptions"); each list at most MAX_RUN_ITEMS long, the rest counted. */
export interface AlertExemptions {
  /** In force and ending within `exemptionWarningDays`, soonest first. */
  expiring: ExemptionInForce[];
  omittedExpiring: number;
  /** Exempt accounts that pass: the exemption is no longer needed. */
  unneeded: Array<Pick<AccountReport, 'accountId' | 'accountName'> & { exemption: AccountExemption }>;
  omittedUnneeded: number;
  /** FAIL and ERROR accounts under an exemption in force, not listed as failing. */
  exemptFailing: number;
}

export interface AlertDocument {
  /** Whether anything is sent (the plan's decision), and why: for the log and the result. */
  send: boolean;
  reason: string;
  kind: AlertKind;
  mode: AlertMode;
  reminderDays: number;
  /** What changed first (changes, reminders), else the totals: words and numbers on one line; each channel fits it to its own limit. */
  subject: string;
  tool: AuditReport['tool'];
  /** The report's schema version. */
  schemaVersion: number;
  run: Pick<RunInfo, 'id' | 'startedAt' | 'finishedAt' | 'callerAccountId' | 'region' | 'strict' | 'organization' | 'errors' | 'notes'>;
  summary: Summary;
  changes: {
    /** Over every failing or resolved account, listed or not. */
    counts: Record<ChangeKind, number>;
    /** The previous run compared with; absent on a first run. */
    comparedWith?: { runId: string; finishedAt: string };
    /** Why there is no previous report, on a first run. */
    previousUnavailable?: string;
    /** `changes` mode with failures remaining: when the next reminder is due. */
    nextReminderAt?: string;
    /** Run errors whose code the previous run did not have. */
    newRunErrors: Finding[];
  };
  /** The full report (archive), or why it could not be archived; absent when there is no archive (the CLI). */
  report?: ReportPointer;
  /** The accounts the alert lists, most urgent first (newly ERROR, newly FAIL, resolved, still failing). */
  accounts: AlertAccount[];
  exemptions: AlertExemptions;
  /** Listed accounts a channel left out for room (`firstAccounts`), and how many of those are resolved. */
  omittedAccounts: number;
  omittedResolved: number;
  /** The alert route this document is the slice for (lambda/channels/routes.ts); absent on the central topic's. */
  route?: string;
  /** What set off a real-time audit (kind `realtime`): the account's CloudTrail or Organizations events. */
  trigger?: AlertTrigger;
}

export function buildAlertDocument(report: AuditReport, plan: AlertPlan, options: { location?: ReportPointer; trigger?: AlertTrigger } = {}): AlertDocument {
  const r = report.run;
  const subject = subjectFor(report, plan);
  return {
    send: plan.send,
    reason: plan.reason,
    kind: plan.kind,
    mode: plan.mode,
    reminderDays: plan.reminderDays,
    subject: options.trigger ? realtimeSubject(subject, options.trigger, SUBJECT_ROOM) : subject,
    tool: report.tool,
    schemaVersion: report.schemaVersion,
    run: { id: r.id, startedAt: r.startedAt, finishedAt: r.finishedAt, callerAccountId: r.callerAccountId, region: r.region, strict: r.strict, organization: r.organization, errors: r.errors, notes: r.notes },
    summary: report.summary,
    changes: {
      counts: plan.counts,
      ...(plan.comparison.baseline ? { comparedWith: plan.comparison.baseline } : {}),
      ...(plan.previousUnavailable ? { previousUnavailable: plan.previousUnavailable } : {}),
      ...(plan.nextReminderAt ? { nextReminderAt: plan.nextReminderAt } : {}),
      newRunErrors: plan.comparison.newRunErrors,
    },
    ...(options.location ? { report: options.location } : {}),
    accounts: plan.accounts.map(alertAccount),
    exemptions: alertExemptions(plan),
    omittedAccounts: 0,
    omittedResolved: 0,
    ...(options.trigger ? { trigger: options.trigger } : {}),
  };
}

/** The document with only its first `n` accounts; the rest are counted, never dropped silently. */
export function firstAccounts(doc: AlertDocument, n: number): AlertDocument {
  if (n >= doc.accounts.length) return doc;
  const rest = doc.accounts.slice(n);
  return {
    ...doc,
    accounts: doc.accounts.slice(0, n),
    omittedAccounts: doc.omittedAccounts + rest.length,
    omittedResolved: doc.omittedResolved + rest.filter((a) => a.change === 'resolved').length,
  };
}

/**
 * SNS's Subject limit (channels/sns.ts MAX_SUBJECT_CHARS; a test holds them equal): a subject
 * that would pass it with the exempt count leaves the count out (the message body has it).
 */
export const SUBJECT_ROOM = 99;

/** What a subject reads: the summary, and the accounts' statuses and exemptions (to count exempt FAIL/ERROR apart). */
export type SubjectInput = Pick<AuditReport, 'summary'> & { accounts: ReadonlyArray<Pick<AccountReport, 'status' | 'exemption'>> };

/**
 * The FAIL and ERROR counts an alert's subject shows: accounts under an exemption in force are
 * left out (they are not alerted as failing) and counted apart, as the email says them.
 */
function subjectCounts(report: SubjectInput): { FAIL: number; ERROR: number; PASS: number; total: number; exempt: number } {
  const s = report.summary;
  let exemptFail = 0;
  let exemptError = 0;
  for (const a of report.accounts) {
    if (!a.exemption) continue;
    if (a.status === 'FAIL') exemptFail++;
    if (a.status === 'ERROR') exemptError++;
  }
  return { FAIL: s.FAIL - exemptFail, ERROR: s.ERROR - exemptError, PASS: s.PASS, total: s.total, exempt: exemptFail + exemptError };
}

/** `subject` with `(… exempt[; extra])` when there are exempt failing accounts and it fits SNS's subject. */
function withExempt(make: (note: string) => string, exempt: number, extra = ''): string {
  const plain = make(extra ? ` (${extra})` : '');
  if (!exempt) return plain;
  const noted = make(` (${exempt} exempt${extra ? `; ${extra}` : ''})`);
  return noted.length <= SUBJECT_ROOM ? noted : plain;
}

export function buildSubject(report: SubjectInput): string {
  const s = report.summary;
  const c = subjectCounts(report);
  const bad = [c.FAIL ? `${c.FAIL} FAIL` : '', c.ERROR ? `${c.ERROR} ERROR` : ''].filter(Boolean).join(', ');
  const run = s.runErrors ? `${bad ? ', ' : ''}run incomplete` : '';
  if (bad || run) return withExempt((note) => `trailcheck: ${bad}${run} of ${s.total} accounts${note}`, c.exempt);
  // Nothing failing outside exemptions: not "all PASS" when some are exempt.
  return c.exempt ? withExempt((note) => `trailcheck: ${s.PASS} PASS of ${s.total} accounts${note}`, c.exempt) : `trailcheck: all ${s.PASS} audited accounts PASS`;
}

/** The subject for a plan: the counts that changed first (changes and reminders), else the totals. Exempt FAIL/ERROR accounts are counted apart. */
export function subjectFor(report: SubjectInput, plan: Pick<AlertPlan, 'kind' | 'counts'> & { comparison: Pick<AlertPlan['comparison'], 'newRunErrors'> }): string {
  if (plan.kind === 'every-run' || plan.kind === 'first-run') return buildSubject(report);
  const c = plan.counts;
  const n = subjectCounts(report);
  const changed = [c['new-fail'] ? `${c['new-fail']} newly FAIL` : '', c['new-error'] ? `${c['new-error']} newly ERROR` : '', c.resolved ? `${c.resolved} resolved` : '']
    .filter(Boolean)
    .join(', ');
  const now = [n.FAIL ? `${n.FAIL} FAIL` : '', n.ERROR ? `${n.ERROR} ERROR` : ''].filter(Boolean).join(', ') || (n.exempt ? `${n.PASS} PASS` : `all ${n.PASS} PASS`);
  const runNote = plan.comparison.newRunErrors.length ? 'run incomplete' : '';
  if (plan.kind === 'reminder') {
    return withExempt((note) => `trailcheck reminder: ${now} of ${n.total} accounts${note}${runNote ? `, ${runNote}` : ''}`, n.exempt, changed);
  }
  const head = [changed, runNote].filter(Boolean).join(', ') || 'no change';
  const plain = `trailcheck: ${head} (now ${now} of ${n.total})`;
  const noted = `trailcheck: ${head} (now ${now} of ${n.total}, ${n.exempt} exempt)`;
  return n.exempt && noted.length <= SUBJECT_ROOM ? noted : plain;
}

function alertExemptions(plan: AlertPlan): AlertExemptions {
  const e = plan.comparison.exemptions;
  const expiring = [...e.expiring].sort((a, b) => a.expires.localeCompare(b.expires));
  const unneeded = e.unneeded.map(({ account: a }) => ({ accountId: a.accountId, accountName: a.accountName, exemption: a.exemption as AccountExemption }));
  return {
    expiring: expiring.slice(0, MAX_RUN_ITEMS),
    omittedExpiring: Math.max(0, expiring.length - MAX_RUN_ITEMS),
    unneeded: unneeded.slice(0, MAX_RUN_ITEMS),
    omittedUnneeded: Math.max(0, unneeded.length - MAX_RUN_ITEMS),
    exemptFailing: e.exemptFailing,
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
    ...(a.exemptionExpired ? { exemptionExpired: a.exemptionExpired } : {}),
    ...(c.previousExemption ? { previousExemption: c.previousExemption } : {}),
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
