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

/** `realtime`: the alert of a real-time audit (./realtime.ts), the changes of the accounts an event re-audited. */
export type AlertKind = 'first-run' | 'changes' | 'reminder' | 'every-run' | 'realtime';

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

/** A plan before its next reminder is known. */
type PlanBeforeReminder = Omit<AlertPlan, 'nextReminderAt'>;

/** What every plan is decided from: the input and its comparison with the previous run. */
interface PlanContext {
  input: PlanInput;
  comparison: Comparison;
  counts: Record<ChangeKind, number>;
  /** The accounts a reminder is about: still failing, or every failing one when there is no previous report. */
  stillFailing: number;
  /** The fields every plan carries as they are. */
  base: Pick<AlertPlan, 'mode' | 'comparison' | 'counts' | 'reminderDays' | 'previousUnavailable'>;
}

/** This run's alert: by mode, then by whether a previous report was read, then by what changed since it. */
export function planAlert(input: PlanInput): AlertPlan {
  const ctx = planContext(input);
  if (input.mode === 'every-run') return everyRunAlert(ctx);
  if (!input.previous) return withReminder(ctx, firstRunAlert(ctx));
  return withReminder(ctx, changesAlert(ctx, input.previous));
}

/** The comparison with the previous run, counted once for every branch of the plan. */
function planContext(input: PlanInput): PlanContext {
  const { mode, reminderDays, current, previous } = input;
  const comparison = compareReports(previous?.report, current);
  const counts = countChanges(comparison.accounts);
  const stillFailing = counts['still-failing'] + (previous ? 0 : counts['new-fail'] + counts['new-error']);
  const base = { mode, comparison, counts, reminderDays, ...(input.previousUnavailable && !previous ? { previousUnavailable: input.previousUnavailable } : {}) };
  return { input, comparison, counts, stillFailing, base };
}

/** `every-run`: every failing account (and those resolved) each run; no reminder clock, the last one is kept as it was. */
function everyRunAlert({ input, comparison, counts, base }: PlanContext): AlertPlan {
  const send = needsAttention(input.current) || counts.resolved > 0 || comparison.exemptions.expiring.length > 0 || input.publishOnPass;
  return {
    ...base,
    send,
    kind: 'every-run',
    reason: send ? 'every-run mode: every failing account is sent each run' : 'every audited account passed',
    accounts: comparison.accounts,
    lastReminderAt: input.previous?.lastReminderAt,
  };
}

/** `changes` with no readable previous report: every failing account, and the reminder clock starts now. */
function firstRunAlert({ input, comparison, base }: PlanContext): PlanBeforeReminder {
  const send = needsAttention(input.current) || comparison.exemptions.expiring.length > 0 || input.publishOnPass;
  return {
    ...base,
    send,
    kind: 'first-run',
    reason: send ? `first run (${input.previousUnavailable ?? 'no previous report'}): every failing account is sent` : 'every audited account passed',
    accounts: comparison.accounts,
    lastReminderAt: input.now.toISOString(),
  };
}

/** `changes` after a readable previous report: a reminder when one is due, else the transitions, else nothing (unless `publishOnPass`). */
function changesAlert(ctx: PlanContext, previous: NonNullable<PlanInput['previous']>): PlanBeforeReminder {
  const { input, comparison, base, stillFailing } = ctx;
  if (reminderDue(ctx, previous.lastReminderAt)) {
    return {
      ...base,
      send: true,
      kind: 'reminder',
      reason: `reminder: ${stillFailing} account${stillFailing === 1 ? '' : 's'} still failing, last reminder ${previous.lastReminderAt ?? 'never'}`,
      accounts: comparison.accounts,
      lastReminderAt: input.now.toISOString(),
    };
  }
  const changed = comparison.accounts.filter((a) => a.change !== 'still-failing');
  const lastReminderAt = previous.lastReminderAt ?? input.now.toISOString();
  if (changed.length > 0 || comparison.newRunErrors.length > 0 || exemptionNews(comparison)) {
    return { ...base, send: true, kind: 'changes', reason: `changes since run ${previous.report.run.id}`, accounts: changed, lastReminderAt };
  }
  return {
    ...base,
    send: input.publishOnPass,
    kind: 'changes',
    reason: `no change since run ${previous.report.run.id}${stillFailing ? ` (${stillFailing} still failing, reminded ${previous.lastReminderAt ?? 'never'})` : ''}`,
    accounts: [],
    lastReminderAt,
  };
}

/** An exemption newly within its warning days, or newly no longer needed: worth a message in `changes` mode. */
function exemptionNews({ exemptions }: Comparison): boolean {
  return exemptions.newlyExpiring.length > 0 || exemptions.unneeded.some((u) => u.newly);
}

/** A reminder is due `reminderDays` after the last one (less the drift tolerance), or now if none was recorded, while accounts still fail. */
function reminderDue({ input, stillFailing }: PlanContext, lastReminderAt: string | undefined): boolean {
  const { reminderDays, now } = input;
  const last = lastReminderAt ? Date.parse(lastReminderAt) : Number.NaN;
  return reminderDays > 0 && stillFailing > 0 && (!Number.isFinite(last) || now.getTime() - last >= reminderDays * DAY_MS - REMINDER_TOLERANCE_MS);
}

/** `changes` mode with failures remaining: the next reminder falls due `reminderDays` after the plan's last one. */
function withReminder({ input, stillFailing }: PlanContext, plan: PlanBeforeReminder): AlertPlan {
  const { mode, reminderDays } = input;
  const due = plan.lastReminderAt && mode === 'changes' && reminderDays > 0 && stillFailing > 0 ? new Date(Date.parse(plan.lastReminderAt) + reminderDays * DAY_MS).toISOString() : undefined;
  return due ? { ...plan, nextReminderAt: due } : plan;
}

/**
 * Every failing account, nothing to compare with: what the CLI (and a run without an archive)
 * sends. With `publishOnPass` (the default) it is sent even when every account passes.
 */
export function everyRunPlan(report: AuditReport, publishOnPass = true): AlertPlan {
  return planAlert({ mode: 'every-run', reminderDays: 0, publishOnPass, current: report, now: new Date(report.run.finishedAt) });
}
