/**
 * Compare: this run's report against the previous run's, into the plan of the alert (what changed,
 * whether to send). The plan itself is pure (lambda/alerts/plan.ts); this step maps the archive's
 * answer onto it and logs the decision.
 */
import type { Logger } from '../audit/run-types';
import type { PreviousState } from '../aws/archive';
import { planAlert, type AlertPlan, type PlanInput } from '../alerts/plan';
import type { AuditReport } from '../report-format';

export type CompareSettings = Pick<PlanInput, 'mode' | 'reminderDays' | 'publishOnPass'>;

export function compareWithPrevious(report: AuditReport, previous: PreviousState, settings: CompareSettings, now: Date, log: Logger): AlertPlan {
  const plan = planAlert({
    ...settings,
    previous: previous.ok ? { report: previous.report, lastReminderAt: previous.pointer.lastReminderAt } : undefined,
    previousUnavailable: previous.ok ? undefined : previous.reason,
    current: report,
    now,
  });
  log.info('alert plan', { kind: plan.kind, send: plan.send, reason: plan.reason, counts: plan.counts, comparedWith: plan.comparison.baseline?.runId });
  return plan;
}
