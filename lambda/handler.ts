/**
 * The scheduled Lambda: configuration from the environment → take the run lock → audit → archive
 * the report (S3) → compare with the previous report → publish, if the alert mode says so → move
 * the latest-report pointer → release the lock. A run that finds the lock held by another run
 * returns at once, skipped (lambda/aws/run-lock.ts).
 *
 * Failures, and why this order:
 * - a failed publish fails the invocation (retries and the failure destination see it); the
 *   report is archived already, and the pointer is not moved, so the next run (or the retry)
 *   compares against the same previous report and sends the same changes again;
 * - a failed archive write does not lose the alert: the message is still published (it says the
 *   report could not be archived), then the invocation fails;
 * - a missing or unreadable previous report means a first run: every failing account is sent.
 * Delivery is therefore at least once: a retried run may repeat a message, never drop one.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Context } from 'aws-lambda';
import { ReportArchive, type PreviousState } from './aws/archive';
import { RunLock, type HeldLock, type LockHolder } from './aws/run-lock';
import type { ChangeKind } from './alerts/changes';
import { buildAlertDocument, type ReportPointer } from './alerts/document';
import { planAlert, type AlertKind } from './alerts/plan';
import { AwsClients } from './aws/clients';
import { runAudit } from './audit/run-audit';
import { parseAlertConfig, parseConfig, type AlertConfig, type AuditConfig, type RawAlertSettings, type RawSettings } from './config';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { lookUpOus, OU_LOOKUP_DEFAULTS } from './aws/ous';
import { RUN_LOCK_ENV } from './env';
import { ALERT_ENV, ENV } from './settings';
import { publishJsonMessage, topicRegion } from './aws/sns';
import { deliverBySns, type PublishResult } from './channels/sns';
import { snsParts } from './channels/sns-parts';
import type { AuditReport, Summary } from './report-format';
import { withMappedStacks } from './stack-map';

// The variables' names are declared with the settings (./settings.ts), as the stack sets them.
export { ALERT_ENV, ENV } from './settings';
ENV satisfies Record<keyof AuditConfig, string>;
ALERT_ENV satisfies Record<keyof AlertConfig, string>;

export interface HandlerResult {
  runId: string;
  summary: Summary;
  publish: PublishResult;
  deadlineReached: boolean;
  alert: { kind: AlertKind; sent: boolean; reason: string; counts: Record<ChangeKind, number> };
  /** `s3://…` of the archived report, when archived. */
  reportUri?: string;
}

/**
 * Another run held the run lock: this one audited nothing, published nothing and returns cleanly
 * (not an error: retrying it would only queue behind the run that is already reporting).
 */
export interface SkippedRun {
  skipped: true;
  reason: string;
  /** `s3://…` of the lock. */
  lock: string;
  holder?: LockHolder;
}

/** Time kept back from the Lambda's remaining time to build the report and publish it. */
export function reserveMs(remainingMs: number): number {
  // 10% (10 s to 60 s), but never more than half of what is left, so a short timeout still audits.
  return Math.min(60_000, Math.max(10_000, Math.round(remainingMs * 0.1)), Math.floor(remainingMs / 2));
}

export function configFromEnv(env: NodeJS.ProcessEnv): AuditConfig {
  const raw: RawSettings = {};
  for (const [field, name] of Object.entries(ENV) as Array<[keyof AuditConfig, string]>) raw[field] = { key: name, value: env[name] };
  // The function is deployed to audit an organization: not being able to list it is an alert.
  raw.requireOrganization = { key: ENV.requireOrganization, value: env[ENV.requireOrganization] || 'true' };
  const config = parseConfig(raw, env.AWS_REGION);
  if (!config.topicArn) throw new Error(`${ENV.topicArn}: not set; the function needs the SNS topic to publish to`);
  return config;
}

export function alertConfigFromEnv(env: NodeJS.ProcessEnv): AlertConfig {
  const raw: RawAlertSettings = {};
  for (const [field, name] of Object.entries(ALERT_ENV) as Array<[keyof AlertConfig, string]>) raw[field] = { key: name, value: env[name] };
  return parseAlertConfig(raw);
}

export function createHandler(deps: { logger?: Logger; env?: NodeJS.ProcessEnv; now?: () => Date } = {}) {
  const logger = deps.logger ?? new Logger({ serviceName: 'trailcheck' });
  const now = deps.now ?? (() => new Date());
  return async (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<HandlerResult | SkippedRun> => {
    const env = deps.env ?? process.env;
    const config = configFromEnv(env);
    const alerts = alertConfigFromEnv(env);
    const topicArn = config.topicArn as string;
    const remaining = context.getRemainingTimeInMillis();
    const deadline = Date.now() + remaining - reserveMs(remaining);
    logger.info('audit starting', { trigger: triggerOf(event), region: config.region, roleName: config.roleName, concurrency: config.concurrency, strict: config.strict });

    const clients = new AwsClients({ transport: config.transport, maxAttempts: config.maxAttempts, callTimeoutMs: config.callTimeoutMs, maxSockets: Math.max(50, config.concurrency * 4) });
    // The bucket is the stack's, in the function's own region.
    const s3 = alerts.reportBucket
      ? new S3Client({ region: env.AWS_REGION || config.region, maxAttempts: config.maxAttempts, requestHandler: new NodeHttpHandler({ requestTimeout: config.callTimeoutMs, throwOnRequestTimeout: true }) })
      : undefined;
    const lockKey = env[RUN_LOCK_ENV.key];
    let held: HeldLock | undefined;
    try {
      if (s3 && alerts.reportBucket && lockKey) {
        // Held until this invocation's own end at the latest: a run killed at its timeout leaves a lock the next run may take over.
        const taken = await takeRunLock(new RunLock(s3, alerts.reportBucket, lockKey), context.awsRequestId, new Date(Date.now() + remaining), logger);
        if (taken && 'skipped' in taken) return taken;
        held = taken;
      }
      const log = {
        debug: (m: string, e: Record<string, unknown> = {}) => logger.debug(m, e),
        info: (m: string, e: Record<string, unknown> = {}) => logger.info(m, e),
        warn: (m: string, e: Record<string, unknown> = {}) => logger.warn(m, e),
        error: (m: string, e: Record<string, unknown> = {}) => logger.error(m, e),
      };
      const report = await runAudit(config, { clients, deadline, log });
      for (const a of report.accounts) {
        if (a.status === 'FAIL' || a.status === 'ERROR') {
          logger.warn('account needs attention', { accountId: a.accountId, accountName: a.accountName, status: a.status, reasons: a.reasons.map((r) => r.code) });
        }
      }
      for (const e of report.run.errors) logger.error('run error', { code: e.code, message: e.message });
      if (report.run.organization.available) await addOus(clients.organizations(config.region), report, logger, ouLookupBudgetMs(context.getRemainingTimeInMillis()));

      // Archive this run's report and read the previous one (independent objects: in parallel).
      const archive = s3 && alerts.reportBucket ? new ReportArchive(s3, alerts.reportBucket, alerts.reportPrefix, { region: env.AWS_REGION || config.region, partition: report.run.partition }) : undefined;
      let archiveError: Error | undefined;
      let location: ReportPointer | undefined;
      let previous: PreviousState = { ok: false, missing: true, reason: `no report archive configured (${ALERT_ENV.reportBucket} is not set)` };
      if (archive) {
        const key = archive.reportKey(report);
        [location, previous] = await Promise.all([
          archive.putReport(report).catch((err: Error): ReportPointer => {
            archiveError = err;
            logger.error('report not archived', { bucket: archive.bucket, key, error: `${err.name}: ${err.message}` });
            return { unavailable: `s3://${archive.bucket}/${key} could not be written: ${err.name}` };
          }),
          archive.readPrevious(),
        ]);
      }
      if (!previous.ok && previous.missing) logger.info('no previous report: this run is a first run', { reason: previous.reason });
      else if (!previous.ok) logger.warn('previous report unreadable: this run is a first run', { reason: previous.reason });

      const plan = planAlert({
        mode: alerts.mode,
        reminderDays: alerts.reminderDays,
        publishOnPass: config.publishOnPass,
        previous: previous.ok ? { report: previous.report, lastReminderAt: previous.pointer.lastReminderAt } : undefined,
        previousUnavailable: previous.ok ? undefined : previous.reason,
        current: report,
        now: now(),
      });
      logger.info('alert plan', { kind: plan.kind, send: plan.send, reason: plan.reason, counts: plan.counts, comparedWith: plan.comparison.baseline?.runId });

      // What the alert says, decided once; the channels that ride SNS render it into one publish.
      const doc = buildAlertDocument(report, plan, { location });
      const sns = clients.sns(topicRegion(topicArn));
      // A failed publish throws here: the pointer stays on the previous report, so nothing is lost.
      const publish = await deliverBySns(doc, { publish: (m) => publishJsonMessage(sns, topicArn, m), parts: snsParts({ chatbot: alerts.chatbot }) });

      if (archive && !archiveError) {
        await archive.writeLatest({ runId: report.run.id, reportKey: archive.reportKey(report), finishedAt: report.run.finishedAt, lastReminderAt: plan.lastReminderAt });
      }
      logger.info('audit finished', { runId: report.run.id, summary: report.summary, durationMs: report.run.durationMs, deadlineReached: report.run.deadlineReached, publish });
      if (archiveError) {
        const e = archiveError as Error;
        throw new Error(
          `The report of run ${report.run.id} could not be archived to s3://${alerts.reportBucket}/${archive?.reportKey(report)} (${e.name}: ${e.message}); the alert was ${publish.published ? 'published' : 'not needed'}, and the next run compares against the last archived report.`,
        );
      }
      return {
        runId: report.run.id,
        summary: report.summary,
        publish,
        deadlineReached: report.run.deadlineReached,
        alert: { kind: plan.kind, sent: publish.published, reason: plan.reason, counts: plan.counts },
        ...(location && 'uri' in location ? { reportUri: location.uri } : {}),
      };
    } finally {
      const released = await held?.release();
      if (released && !released.released) logger.warn('run lock not released', { reason: released.reason });
      clients.close();
      s3?.destroy();
    }
  };
}

/** The OU look-ups never take longer than this: they only help route the alert. */
const OU_LOOKUP_MAX_MS = 5_000;
/** With less than this for them, the look-ups are not started. */
const OU_LOOKUP_MIN_MS = 250;

/**
 * The time the OU look-ups may take, out of what the Lambda has left once the audit is done.
 * Three steps follow them one after another (the archive's write and read in parallel, the
 * publish, the pointer), so the look-ups get a quarter of what is left, at most 5 s, and each
 * later step as much again: everything after the audit fits in the time the Lambda has left.
 */
export function ouLookupBudgetMs(remainingMs: number): number {
  return Math.max(0, Math.min(OU_LOOKUP_MAX_MS, Math.floor(remainingMs / 4)));
}

/**
 * The OU of each account needing attention, so the alert can be routed by people who think in
 * OUs. Best effort, within `budgetMs`: an account whose OU could not be read is shown without
 * it, and a note says so.
 */
async function addOus(organizations: Pick<OrganizationsClient, 'send'>, report: AuditReport, logger: Logger, budgetMs: number): Promise<void> {
  const needing = report.accounts.filter((a) => (a.status === 'FAIL' || a.status === 'ERROR') && !a.ouId).map((a) => a.accountId);
  if (needing.length === 0) return;
  if (budgetMs < OU_LOOKUP_MIN_MS) {
    report.run.notes.push(`The OU is not shown for the ${needing.length} accounts needing attention: the function had too little time left to look it up (${budgetMs} ms).`);
    logger.warn('OU look-ups skipped: too little time left', { wanted: needing.length, budgetMs });
    return;
  }
  const budget = AbortSignal.timeout(budgetMs);
  const found = await lookUpOus(organizations, needing, OU_LOOKUP_DEFAULTS, budget);
  for (const a of report.accounts) {
    const ou = found.ous.get(a.accountId);
    if (ou) Object.assign(a, { ouId: ou.id }, ou.name ? { ouName: ou.name } : {});
  }
  if (found.failed > 0 || found.skipped > 0) {
    const failed = budget.aborted ? `the time left for looking it up (${budgetMs} ms) ran out` : found.firstError ? `look-ups failed (${found.firstError})` : '';
    const why = [found.skipped ? `${found.skipped} beyond the cap of ${OU_LOOKUP_DEFAULTS.maxAccounts}` : '', failed].filter(Boolean).join('; ');
    report.run.notes.push(`The OU is shown for ${found.ous.size} of the ${needing.length} accounts needing attention: ${why}.`);
    logger.warn('OU look-ups incomplete', { resolved: found.ous.size, wanted: needing.length, skipped: found.skipped, failed: found.failed, firstError: found.firstError });
  }
}

/**
 * The run lock, or the result of a skipped run when another run holds it. S3 not answering (denied,
 * unreachable) does not stop the audit: it runs without the lock, and says so in the log.
 */
async function takeRunLock(lock: RunLock, owner: string, expiresAt: Date, logger: Logger): Promise<HeldLock | SkippedRun | undefined> {
  try {
    const taken = await lock.acquire(owner, expiresAt);
    if (!taken.acquired) {
      logger.warn('run skipped: another run holds the run lock', { lock: lock.uri, reason: taken.reason, holder: taken.holder });
      return { skipped: true, reason: taken.reason, lock: lock.uri, ...(taken.holder ? { holder: taken.holder } : {}) };
    }
    if (taken.tookOver) logger.warn('run lock taken over from a run that ran out of time', { lock: lock.uri, previous: taken.tookOver });
    return taken.lock;
  } catch (err) {
    const e = err as Error;
    logger.error('run lock unavailable: auditing without it', { lock: lock.uri, error: `${e.name}: ${e.message}` });
    return undefined;
  }
}

/** What invoked the function, for the log: an EventBridge scheduled event, a Scheduler payload, or a person. */
function triggerOf(event: unknown): string {
  const e = event as { 'detail-type'?: unknown; source?: unknown } | null;
  return typeof e?.['detail-type'] === 'string' ? e['detail-type'] : typeof e?.source === 'string' ? e.source : 'direct';
}

// Stacks of escaping errors point at the TypeScript sources (lambda/stack-map.ts).
export const handler = withMappedStacks(createHandler(), __filename);
