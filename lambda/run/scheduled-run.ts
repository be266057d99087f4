/**
 * The scheduled run, as the Lambda makes it: take the run lock → audit → complete the report
 * (enrich with OUs, read the previous report and the policy's OUs, apply exemptions, import the
 * Security Hub findings: run/complete-report.ts) → write it to the archive → compare → build the
 * alert document → deliver to the central topic, then to each alert route → move the
 * latest-report pointer → emit the run's metrics → release the lock. Each arrow is a step with its own file; this file only
 * orders them and carries their data.
 *
 * Failures, and why this order:
 * - a failed publish fails the run (retries and the failure destination see it); the report is
 *   archived already, and the pointer is not moved, so the next run (or the retry) compares
 *   against the same previous report and sends the same changes again;
 * - a failed archive write does not lose the alert: the message is still published (it says the
 *   report could not be archived), then the run fails;
 * - a route whose publish fails stops no other route and not the central topic; the pointer is
 *   not moved and the run fails, so the next run sends those changes again (the central topic's
 *   subscribers may see them twice: at least once, never dropped);
 * - a missing or unreadable previous report means a first run: every failing account is sent.
 * Delivery is therefore at least once: a retried run may repeat a message, never drop one.
 */
import type { ChangeKind } from '../alerts/changes';
import { buildAlertDocument, type ReportPointer } from '../alerts/document';
import type { AlertKind, AlertPlan } from '../alerts/plan';
import { runAuditSession } from '../audit/run-audit';
import type { Logger } from '../audit/run-types';
import { ReportArchive } from '../aws/archive';
import type { AwsClients } from '../aws/clients';
import { RunLock } from '../aws/run-lock';
import type { S3Objects } from '../aws/s3-objects';
import type { RoutesOutcome } from '../channels/routes';
import type { PublishResult } from '../channels/sns';
import { snsParts } from '../channels/sns-parts';
import type { AlertConfig, AuditConfig } from '../config';
import type { Policy } from '../policy';
import type { AuditReport, Summary } from '../report-format';
import { ALERT_ENV } from '../settings';
import { archiveFailure, writeReport } from './archive-report';
import { completeReport } from './complete-report';
import { compareWithPrevious } from './compare';
import { deliverAlert, deliverToRoutes } from './deliver';
import { alertsSent, emitRunMetrics } from './metrics';
import { takeRunLock, type SkippedRun } from './lock';

export interface HandlerResult {
  runId: string;
  summary: Summary;
  publish: PublishResult;
  deadlineReached: boolean;
  alert: { kind: AlertKind; sent: boolean; reason: string; counts: Record<ChangeKind, number> };
  /** `s3://…` of the archived report, when archived. */
  reportUri?: string;
  /** The alert routes that had accounts in this alert, and whether each got its slice. */
  routes?: Array<{ route: string; accounts: number; published: boolean }>;
}

export interface ScheduledRunDeps {
  clients: AwsClients;
  /** The stack's bucket client (reports, pointer, run lock), when there is a bucket. */
  s3?: S3Objects;
  /** The run lock's object key; without it the run takes no lock. */
  lockKey?: string;
  /** Who holds the lock (the invocation's request id). */
  owner: string;
  /** What the invocation has left, in milliseconds, read when asked. */
  remainingMs: () => number;
  /** The bucket's region (the function's own). */
  bucketRegion: string;
  log: Logger;
  now: () => Date;
  /** Exemptions and alert routes (lambda/policy.ts), and why the policy could not be read, if it could not. */
  policy: Policy;
  policyError?: string;
}

/** Time kept back from the Lambda's remaining time to build the report and publish it. */
export function reserveMs(remainingMs: number): number {
  // 10% (10 s to 60 s), but never more than half of what is left, so a short timeout still audits.
  return Math.min(60_000, Math.max(10_000, Math.round(remainingMs * 0.1)), Math.floor(remainingMs / 2));
}

export async function scheduledRun(config: AuditConfig, alerts: AlertConfig, deps: ScheduledRunDeps): Promise<HandlerResult | SkippedRun> {
  const remaining = deps.remainingMs();
  const deadline = Date.now() + remaining - reserveMs(remaining);
  const lock = deps.s3 && alerts.reportBucket && deps.lockKey ? new RunLock(deps.s3, alerts.reportBucket, deps.lockKey) : undefined;
  // Held until this invocation's own end at the latest: a run killed at its timeout leaves a lock the next run may take over.
  const held = lock ? await takeRunLock(lock, deps.owner, new Date(Date.now() + remaining), deps.log) : undefined;
  if (held && 'skipped' in held) return held;
  try {
    return await auditAndAlert(config, alerts, deps, deadline);
  } finally {
    const released = await held?.release();
    if (released && !released.released) deps.log.warn('run lock not released', { reason: released.reason });
  }
}

async function auditAndAlert(config: AuditConfig, alerts: AlertConfig, deps: ScheduledRunDeps, deadline: number): Promise<HandlerResult> {
  const { clients, log } = deps;
  const session = await runAuditSession(config, { clients, deadline, log });
  logAttention(session.report, log);
  const archive = deps.s3 && alerts.reportBucket ? new ReportArchive(deps.s3, alerts.reportBucket, alerts.reportPrefix, { region: deps.bucketRegion, partition: session.report.run.partition }) : undefined;
  const { report, previous, ous } = await completeReport(session.report, {
    ...deps,
    config,
    archive,
    noArchive: `no report archive configured (${ALERT_ENV.reportBucket} is not set)`,
    credentialsFor: (id) => session.credentials.forAccount(id),
  });
  const { location, failure, failedKey } = await writeReport(archive, report, log);
  const plan = compareWithPrevious(report, previous, { mode: alerts.mode, reminderDays: alerts.reminderDays, publishOnPass: config.publishOnPass }, deps.now(), log);
  // What the alert says, decided once; the channels that ride SNS render it into one publish.
  const doc = buildAlertDocument(report, plan, { location });
  const delivery = { clients, topicArn: config.topicArn as string, parts: snsParts({ chatbot: alerts.chatbot }) };
  // A failed publish throws here: the pointer stays on the previous report, so nothing is lost.
  const publish = await deliverAlert(doc, delivery);
  const routed = await deliverToRoutes(doc, { ...delivery, report, routes: deps.policy.routes, ous });
  // CloudWatch metrics of the run (EMF in the log; never throws): the dashboard and the ERROR-share alarm read them.
  const metrics = emitRunMetrics({ report, published: alertsSent(publish, routed), callCounts: clients.callCounts(), routeOus: deps.policy.routes.flatMap((r) => r.ous), ous });
  if (metrics.error) log.warn('run metrics not emitted', { error: metrics.error });
  if (archive && !failure && routed.failed.length === 0) {
    await archive.writeLatest({ runId: report.run.id, reportKey: archive.reportKey(report), finishedAt: report.run.finishedAt, lastReminderAt: plan.lastReminderAt });
  }
  log.info('audit finished', { runId: report.run.id, summary: report.summary, durationMs: report.run.durationMs, deadlineReached: report.run.deadlineReached, publish, routes: routed.deliveries.map((d) => ({ route: d.route, published: d.result?.published ?? false, error: d.error })) });
  if (archive && failure) throw archiveFailure(archive, report, failure, publish.published, failedKey);
  if (routed.failed.length) throw routesFailure(routed);
  return resultOf(report, plan, publish, location, routed);
}

/** The error a run ends with when a route's publish failed (after the central topic and every other route got theirs). */
function routesFailure(routed: RoutesOutcome): Error {
  const why = routed.deliveries.filter((d) => d.error).map((d) => `${d.route}: ${d.error}`);
  return new Error(`The alert could not be published to ${routed.failed.length} route(s) (${why.join('; ')}); the central topic and the other routes got theirs, the latest-report pointer was not moved, so the next run sends these changes again.`);
}

/** Every account needing attention, and every run error, in the log (where alarms and searches look). */
function logAttention(report: AuditReport, log: Logger): void {
  for (const a of report.accounts) {
    if (a.status === 'FAIL' || a.status === 'ERROR') {
      log.warn('account needs attention', { accountId: a.accountId, accountName: a.accountName, status: a.status, reasons: a.reasons.map((r) => r.code) });
    }
  }
  for (const e of report.run.errors) log.error('run error', { code: e.code, message: e.message });
}

function resultOf(report: AuditReport, plan: AlertPlan, publish: PublishResult, location: ReportPointer | undefined, routed: RoutesOutcome): HandlerResult {
  return {
    runId: report.run.id,
    summary: report.summary,
    publish,
    ...(routed.deliveries.length ? { routes: routed.deliveries.map((d) => ({ route: d.route, accounts: d.accounts, published: d.result?.published ?? false })) } : {}),
    deadlineReached: report.run.deadlineReached,
    alert: { kind: plan.kind, sent: publish.published, reason: plan.reason, counts: plan.counts },
    ...(location && 'uri' in location ? { reportUri: location.uri } : {}),
  };
}
