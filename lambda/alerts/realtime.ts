/**
 * The real-time alert's plan: the change alert of the scheduled run (./plan.ts, `changes` mode),
 * narrowed to the accounts an event re-audited. Their new entries are compared with their
 * previous ones; other accounts are unchanged by construction (the report is the previous one
 * with these entries replaced), and no reminder, exemption warning or first-run listing rides a
 * real-time alert: those are the scheduled run's. An event that changes no status sends nothing;
 * one that fixed a failure sends "resolved". Pure.
 */
import type { AccountEvent } from '../events/trail-event';
import type { AuditReport } from '../report-format';
import { countChanges } from './changes';
import { planAlert, type AlertPlan } from './plan';

/** One event as the alert shows it: the API call, the trail, who made it, from where, when, its id. */
export type TriggerEvent = Pick<AccountEvent, 'eventName' | 'eventId' | 'eventTime' | 'region' | 'trail' | 'callerArn' | 'sourceIp'>;

/** What set the real-time audit off: the account's events, newest first (capped; the rest counted). */
export interface AlertTrigger {
  accountId: string;
  events: TriggerEvent[];
  omittedEvents: number;
}

export interface RealtimePlanInput {
  previous: { report: AuditReport; lastReminderAt?: string };
  /** The previous report with the re-audited accounts' entries replaced (run/merge-report.ts). */
  current: AuditReport;
  accountIds: readonly string[];
  now: Date;
}

export function planRealtimeAlert(input: RealtimePlanInput): AlertPlan {
  const ids = new Set(input.accountIds);
  const base = planAlert({ mode: 'changes', reminderDays: 0, publishOnPass: false, previous: input.previous, current: input.current, now: input.now });
  const c = base.comparison;
  const accounts = c.accounts.filter((a) => ids.has(a.account.accountId) && a.change !== 'still-failing');
  const comparison = {
    ...c,
    exemptions: { expiring: [], newlyExpiring: [], unneeded: c.exemptions.unneeded.filter((u) => ids.has(u.account.accountId)), exemptFailing: c.exemptions.exemptFailing },
  };
  const send = accounts.length > 0 || c.newRunErrors.length > 0;
  const what = [...ids].join(', ');
  const counts = countChanges(c.accounts);
  return {
    send,
    kind: 'realtime',
    mode: 'changes',
    reason: send ? `real-time audit of ${what}: ${accounts.map((a) => `${a.account.accountId} ${a.change}`).join(', ') || 'new run errors'}` : `real-time audit of ${what}: no change since run ${input.previous.report.run.id}`,
    comparison,
    accounts,
    counts,
    reminderDays: 0,
    // The reminder clock is the scheduled run's: kept as it was.
    ...(input.previous.lastReminderAt ? { lastReminderAt: input.previous.lastReminderAt } : {}),
  };
}

/** `trailcheck: StopLogging in 222222222222: 1 newly FAIL (now …)`, when it fits SNS's subject; the plain subject otherwise. */
export function realtimeSubject(subject: string, trigger: AlertTrigger, room: number): string {
  const first = trigger.events[0];
  if (!first || !subject.startsWith('trailcheck: ')) return subject;
  const named = `trailcheck: ${first.eventName} in ${trigger.accountId}: ${subject.slice('trailcheck: '.length)}`;
  return named.length <= room ? named : subject;
}

/** One event in words: `StopLogging of trail main (us-east-1) by arn:… from 203.0.113.5 at 2026-…Z, event 6f0c…`. Plain text: each channel escapes it. */
export function describeTrigger(e: TriggerEvent): string {
  const trail = e.trail ? ` of trail ${e.trail.arn ?? e.trail.name}` : '';
  const who = e.callerArn ? ` by ${e.callerArn}` : '';
  const from = e.sourceIp ? ` from ${e.sourceIp}` : '';
  return `${e.eventName}${trail} (${e.region})${who}${from} at ${e.eventTime}, event ${e.eventId}`;
}

/** The trigger's heading and one line per event (the omitted counted). */
export function triggerLines(t: AlertTrigger): { title: string; lines: string[] } {
  const n = t.events.length + t.omittedEvents;
  return {
    title: `Re-audited account ${t.accountId} after ${n === 1 ? 'this change' : `${n} changes (newest first)`}`,
    lines: [...t.events.map(describeTrigger), ...(t.omittedEvents ? [`… and ${t.omittedEvents} earlier event${t.omittedEvents === 1 ? '' : 's'}`] : [])],
  };
}
