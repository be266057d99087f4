/**
 * The real-time run, for one account an event named: take the run lock (the scheduled run's own,
 * so no update is lost) → audit that account (audit/single-account-audit.ts) → read the latest
 * report, the policy's OUs, enrich (OUs) → merge the account's new entry into the latest report
 * (run/merge-report.ts) → apply exemptions, route notes, Security Hub for that account → archive
 * as a new report → compare the account's entry with its previous one (alerts/realtime.ts) →
 * deliver (central topic, routes) with the trigger → move the pointer → release the lock.
 *
 * Outcomes other than an audit:
 * - `retry`: the lock is held by a scheduled run (it takes minutes; the event comes back after
 *   the queue's visibility timeout and re-audits against that run's report), or a new account's
 *   role cannot be assumed yet within the grace period (the StackSet is still deploying it);
 * - `full-run`: the event changed an organization trail (every member relying on it is re-audited,
 *   as one scheduled run), or there is no readable latest report to merge into (a first run).
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import { buildAlertDocument } from '../alerts/document';
import { planRealtimeAlert, type AlertTrigger } from '../alerts/realtime';
import { newAccountRoleAdvice } from '../audit/advice';
import { applyExemptions } from '../audit/apply-exemptions';
import { enrichOus, ouLookupBudgetMs } from '../audit/enrich-ous';
import { resolveOuMembers, type OuMembers } from '../audit/ou-members';
import { runSingleAccountAudit } from '../audit/single-account-audit';
import { ReportArchive, type PreviousState } from '../aws/archive';
import { RunLock } from '../aws/run-lock';
import { routeNotes } from '../channels/routes';
import type { PublishResult } from '../channels/sns';
import { snsParts } from '../channels/sns-parts';
import type { AlertConfig, AuditConfig } from '../config';
import type { AccountBatch } from '../events/coalesce';
import { policyOus } from '../policy';
import type { AccountReport, AuditReport } from '../report-format';
import { ALERT_ENV } from '../settings';
import { readPreviousReport, writeReport } from './archive-report';
import { deliverAlert, deliverToRoutes } from './deliver';
import { importFindings } from './import-findings';
import { takeRunLock } from './lock';
import { mergeAccount } from './merge-report';
import { reserveMs, scheduledRun, type HandlerResult, type ScheduledRunDeps } from './scheduled-run';

export interface RealtimeSettings {
  /** Minutes a new account may lack its audit role before it is ERROR (TRAILCHECK_NEW_ACCOUNT_GRACE_MINUTES). */
  newAccountGraceMinutes: number;
}

export type RealtimeOutcome =
  | { outcome: 'audited'; accountId: string; runId: string; status?: AccountReport['status']; left: boolean; publish: PublishResult; reportUri?: string }
  | { outcome: 'retry'; accountId: string; reason: string }
  | { outcome: 'full-run'; accountId: string; reason: string; result: HandlerResult };

/** The state a real-time audit works on, once the lock is held and the account audited. */
interface Audited {
  single: AuditReport;
  left: boolean;
  previous: PreviousState;
  ous: OuMembers;
  credentialsFor: (id: string) => Promise<AwsCredentialIdentity | undefined>;
  /** The archive, in the partition the audit found itself in (for the console link). */
  archive: ReportArchive;
}

export async function realtimeRun(config: AuditConfig, alerts: AlertConfig, batch: AccountBatch, deps: ScheduledRunDeps, settings: RealtimeSettings): Promise<RealtimeOutcome> {
  const { accountId } = batch;
  const remaining = deps.remainingMs();
  const deadline = Date.now() + remaining - reserveMs(remaining);
  if (!deps.s3 || !alerts.reportBucket) throw new Error(`The real-time audit needs the report archive (${ALERT_ENV.reportBucket} is not set): it updates the latest report the scheduled run compares with.`);
  const { s3, reportBucket } = { s3: deps.s3, reportBucket: alerts.reportBucket };
  const archiveFor = (partition: string) => new ReportArchive(s3, reportBucket, alerts.reportPrefix, { region: deps.bucketRegion, partition });
  const lock = deps.lockKey ? new RunLock(deps.s3, alerts.reportBucket, deps.lockKey) : undefined;
  const held = lock ? await takeRunLock(lock, deps.owner, new Date(Date.now() + remaining), deps.log, { purpose: 'event' }) : undefined;
  if (held && 'skipped' in held) return { outcome: 'retry', accountId, reason: `the run lock is held: ${held.reason}` };
  let full: string | undefined;
  try {
    const audited = await auditUnderLock(config, batch, deps, archiveFor, deadline, settings);
    if ('retry' in audited) return { outcome: 'retry', accountId, reason: audited.retry };
    full = fullRunReason(batch, audited);
    if (!full) return await mergeAndAlert(config, alerts, batch, deps, audited);
  } finally {
    const released = await held?.release();
    if (released && !released.released) deps.log.warn('run lock not released', { reason: released.reason });
  }
  // Outside the lock: the scheduled run takes it itself.
  deps.log.info('real-time audit widened to a full run', { accountId, reason: full });
  const result = await scheduledRun(config, alerts, deps);
  if ('skipped' in result) return { outcome: 'retry', accountId, reason: `full run skipped: ${result.reason}` };
  return { outcome: 'full-run', accountId, reason: full, result };
}

/** The account's audit, the latest report, the policy's OUs; or why to retry (a new account's role not there yet). */
async function auditUnderLock(
  config: AuditConfig,
  batch: AccountBatch,
  deps: ScheduledRunDeps,
  archiveFor: (partition: string) => ReportArchive,
  deadline: number,
  settings: RealtimeSettings,
): Promise<Audited | { retry: string }> {
  const { clients, log } = deps;
  const session = await runSingleAccountAudit(config, batch.accountId, { clients, deadline, log });
  const archive = archiveFor(session.report.run.partition);
  const entry = session.report.accounts[0];
  const roleMissing = entry?.status === 'ERROR' && entry.reasons.some((r) => r.code === 'ASSUME_ROLE_FAILED');
  let single = session.report;
  if (roleMissing && batch.newAccountSince) {
    const ageMs = deps.now().getTime() - Date.parse(batch.newAccountSince);
    if (ageMs < settings.newAccountGraceMinutes * 60_000) {
      return { retry: `account ${batch.accountId} joined at ${batch.newAccountSince} and its role cannot be assumed yet (the StackSet may still be deploying it; grace ${settings.newAccountGraceMinutes} min)` };
    }
    single = withAdvice(single, newAccountRoleAdvice({ accountId: batch.accountId, roleName: config.roleName }, batch.newAccountSince, settings.newAccountGraceMinutes));
  }
  const org = clients.organizations(config.region);
  const [enriched, previous, ous] = await Promise.all([
    enrichOus(single, { organizations: org, budgetMs: ouLookupBudgetMs(Math.max(0, deadline - Date.now())), log }),
    readPreviousReport(archive, log, 'no report archive'),
    resolveOuMembers(org, policyOus(deps.policy), config.region),
  ]);
  return { single: enriched, left: session.left, previous, ous, credentialsFor: (id) => session.credentials.forAccount(id), archive };
}

/** The advice first: what to do about a new account whose role never appeared. */
function withAdvice(report: AuditReport, advice: string): AuditReport {
  return { ...report, accounts: report.accounts.map((a) => ({ ...a, remediation: [advice, ...a.remediation] })) };
}

/** Why this event needs the full run instead: no latest report to merge into, or a change to an organization trail. */
export function fullRunReason(batch: AccountBatch, audited: Pick<Audited, 'previous' | 'single'>): string | undefined {
  if (!audited.previous.ok) return `no latest report to update (${audited.previous.reason}): a full run makes one`;
  const trails = [...audited.previous.report.accounts, ...audited.single.accounts].flatMap((a) => a.trails);
  for (const e of batch.events) {
    if (e.kind !== 'trail-change' || !e.trail) continue;
    const t = e.trail;
    const orgTrail = e.isOrganizationTrail === true || trails.some((x) => x.isOrganizationTrail && x.ownerAccountId === e.accountId && (t.arn ? x.arn === t.arn : x.name === t.name && x.homeRegion === e.region));
    if (orgTrail) return `${e.eventName} changed the organization trail ${t.arn ?? t.name} of account ${e.accountId}: every member relying on it is re-audited`;
  }
  return undefined;
}

/** Merge, apply the policy, import the finding, archive, alert, move the pointer. */
async function mergeAndAlert(config: AuditConfig, alerts: AlertConfig, batch: AccountBatch, deps: ScheduledRunDeps, audited: Audited): Promise<RealtimeOutcome> {
  const { archive } = audited;
  const previous = audited.previous as Extract<PreviousState, { ok: true }>;
  const { accountId } = batch;
  const info = { basedOn: previous.report.run.id, accountIds: [accountId], eventIds: batch.events.map((e) => e.eventId) };
  let report = mergeAccount(previous.report, audited.single, accountId, info);
  report = applyExemptions(report, deps.policy.exemptions, audited.ous, deps.now(), config.exemptionWarningDays);
  const notes = routeNotes(deps.policy.routes, audited.ous).filter((n) => !report.run.notes.includes(n));
  if (notes.length) report = { ...report, run: { ...report.run, notes: [...report.run.notes, ...notes] } };
  if (config.securityHubRegion) report = await importOne(report, previous.report, accountId, audited, deps, config.securityHubRegion);
  const { location, failure } = await writeReport(archive, report, deps.log);
  const plan = planRealtimeAlert({ previous: { report: previous.report, lastReminderAt: previous.pointer.lastReminderAt }, current: report, accountIds: [accountId], now: deps.now() });
  deps.log.info('alert plan', { kind: plan.kind, send: plan.send, reason: plan.reason, counts: plan.counts, comparedWith: previous.report.run.id });
  const doc = buildAlertDocument(report, plan, { location, trigger: triggerOf(batch) });
  const delivery = { clients: deps.clients, topicArn: config.topicArn as string, parts: snsParts({ chatbot: alerts.chatbot }) };
  const publish = await deliverAlert(doc, delivery);
  const routed = await deliverToRoutes(doc, { ...delivery, report, routes: deps.policy.routes, ous: audited.ous });
  if (failure) throw new Error(`The real-time report of ${accountId} could not be archived (${failure.name}: ${failure.message}); the alert was ${publish.published ? 'published' : 'not needed'}, and the latest-report pointer was not moved.`);
  if (routed.failed.length) throw new Error(`The real-time alert of ${accountId} could not be published to route(s) ${routed.failed.join(', ')}; the pointer was not moved, so the event's retry sends it again.`);
  await archive.writeLatest({ runId: report.run.id, reportKey: archive.reportKey(report), finishedAt: report.run.finishedAt, lastReminderAt: previous.pointer.lastReminderAt });
  const status = report.accounts.find((a) => a.accountId === accountId)?.status;
  deps.log.info('real-time audit finished', { accountId, status, left: audited.left, runId: report.run.id, publish });
  return { outcome: 'audited', accountId, runId: report.run.id, ...(status ? { status } : {}), left: audited.left, publish, ...(location && 'uri' in location ? { reportUri: location.uri } : {}) };
}

/** Security Hub for the one account: its finding imported (or archived, if it left), put back in the merged report. */
async function importOne(report: AuditReport, previous: AuditReport, accountId: string, audited: Audited, deps: ScheduledRunDeps, region: string): Promise<AuditReport> {
  const only = (r: AuditReport): AuditReport => ({ ...r, accounts: r.accounts.filter((a) => a.accountId === accountId) });
  const sliced = await importFindings(only(report), { previous: only(previous), credentialsFor: audited.credentialsFor, clients: deps.clients, region, log: deps.log, now: deps.now, signal: AbortSignal.timeout(Math.max(1, Math.floor(deps.remainingMs() / 2))) });
  const finding = sliced.accounts[0]?.securityHubFinding;
  const newNotes = sliced.run.notes.filter((n) => !report.run.notes.includes(n));
  return {
    ...report,
    run: { ...report.run, notes: [...report.run.notes, ...newNotes], ...(sliced.run.securityHub ? { securityHub: sliced.run.securityHub } : {}) },
    accounts: report.accounts.map((a) => (a.accountId === accountId && finding ? { ...a, securityHubFinding: finding } : a)),
  };
}

/** The trigger the alert shows: the account's events, newest first, as validated. */
function triggerOf(batch: AccountBatch): AlertTrigger {
  return {
    accountId: batch.accountId,
    events: batch.events.map((e) => ({ eventName: e.eventName, eventId: e.eventId, eventTime: e.eventTime, region: e.region, ...(e.trail ? { trail: e.trail } : {}), ...(e.callerArn ? { callerArn: e.callerArn } : {}), ...(e.sourceIp ? { sourceIp: e.sourceIp } : {}) })),
    omittedEvents: batch.omittedEvents,
  };
}
