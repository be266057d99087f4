/**
 * Whether to send, and what: the alert mode applied to the comparison with the previous run.
 * Pure: the clock comes in as `now`.
 *
 * - `every-run`: every failing account each run (and the accounts resolved since the last run).
 * - `changes`: only transitions (newly FAIL, newly ERROR, resolved, new run errors); every
 *   `reminderDays` a reminder lists everything still failing, so old failures are not forgotten.
 *   A first run (no readable previous report) lists every failing account.
 */
import type { AlertMode } from '../config';
import { needsAttention, type AuditReport } from '../report-format';
import { compareReports, countChanges, type AccountChange, type ChangeKind, type Comparison } from './changes';

export type AlertKind = 'first-run' | 'changes' | 'reminder' | 'every-run';

const DAY_MS = 86_400_000;
/** Scheduled runs drift by minutes: a reminder due "in 7 days" is sent by the run an hour short of it. */
const REMINDER_TOLERANCE_MS = 3_600_000;

export interface PlanInput {
  mode: AlertMode;
  reminderDays: number;
  /** Send a message even when there is nothing to report. */
  publishOnPass: boolean;
  previous?: { report: AuditReport; lastReminderAt?: string };
  /** Why there is no previous report (shown in the first-run message), when there is none. */
  previousUnavailable?: string;
  current: AuditReport;
  now: Date;
}

export interface AlertPlan {
  send: boolean;
  kind: AlertKind;
  mode: AlertMode;
  /** Why this was (not) sent: for the log. */
  reason: string;
  comparison: Comparison;
  /** Accounts the message lists, most urgent first. */
  accounts: AccountChange[];
  /** Counts over every failing or resolved account, listed or not. */
  counts: Record<ChangeKind, number>;
  previousUnavailable?: string;
  reminderDays: number;
  /** `changes` mode with failures remaining: when the next reminder is due. */
  nextReminderAt?: string;
  /** State kept with the latest-report pointer for the next run. */
  lastReminderAt?: string;
}

export function planAlert(input: PlanInput): AlertPlan {
  const { mode, reminderDays, current, now, previous } = input;
  const comparison = compareReports(previous?.report, current);
  const counts = countChanges(comparison.accounts);
  const stillFailing = counts['still-failing'] + (previous ? 0 : counts['new-fail'] + counts['new-error']);
  const base = { mode, comparison, counts, reminderDays, ...(input.previousUnavailable && !previous ? { previousUnavailable: input.previousUnavailable } : {}) };
  const withReminder = (plan: Omit<AlertPlan, 'nextReminderAt'>): AlertPlan => {
    const due = plan.lastReminderAt && mode === 'changes' && reminderDays > 0 && stillFailing > 0 ? new Date(Date.parse(plan.lastReminderAt) + reminderDays * DAY_MS).toISOString() : undefined;
    return due ? { ...plan, nextReminderAt: due } : plan;
  };

  if (mode === 'every-run') {
    const send = needsAttention(current) || counts.resolved > 0 || input.publishOnPass;
    return {
      ...base,
      send,
      kind: 'every-run',
      reason: send ? 'every-run mode: every failing account is sent each run' : 'every audited account passed',
      accounts: comparison.accounts,
      lastReminderAt: previous?.lastReminderAt,
    };
  }

  if (!previous) {
    const send = needsAttention(current) || input.publishOnPass;
    return withReminder({
      ...base,
      send,
      kind: 'first-run',
      reason: send ? `first run (${input.previousUnavailable ?? 'no previous report'}): every failing account is sent` : 'every audited account passed',
      accounts: comparison.accounts,
      lastReminderAt: now.toISOString(),
    });
  }

  const changed = comparison.accounts.filter((a) => a.change !== 'still-failing');
  const last = previous.lastReminderAt ? Date.parse(previous.lastReminderAt) : Number.NaN;
  const reminderDue = reminderDays > 0 && stillFailing > 0 && (!Number.isFinite(last) || now.getTime() - last >= reminderDays * DAY_MS - REMINDER_TOLERANCE_MS);
  if (reminderDue) {
    return withReminder({
      ...base,
      send: true,
      kind: 'reminder',
      reason: `reminder: ${stillFailing} account${stillFailing === 1 ? '' : 's'} still failing, last reminder ${previous.lastReminderAt ?? 'never'}`,
      accounts: comparison.accounts,
      lastReminderAt: now.toISOString(),
    });
  }
  const lastReminderAt = previous.lastReminderAt ?? now.toISOString();
  if (changed.length > 0 || comparison.newRunErrors.length > 0) {
    return withReminder({ ...base, send: true, kind: 'changes', reason: `changes since run ${previous.report.run.id}`, accounts: changed, lastReminderAt });
  }
  return withReminder({
    ...base,
    send: input.publishOnPass,
    kind: 'changes',
    reason: `no change since run ${previous.report.run.id}${stillFailing ? ` (${stillFailing} still failing, reminded ${previous.lastReminderAt ?? 'never'})` : ''}`,
    accounts: [],
    lastReminderAt,
  });
}

/**
 * Every failing account, nothing to compare with: what the CLI (and a run without an archive)
 * sends. With `publishOnPass` (the default) it is sent even when every account passes.
 */
export function everyRunPlan(report: AuditReport, publishOnPass = true): AlertPlan {
  return planAlert({ mode: 'every-run', reminderDays: 0, publishOnPass, current: report, now: new Date(report.run.finishedAt) });
}
