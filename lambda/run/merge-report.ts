/**
 * Merge: the state the scheduled run compares against, with one account's entry replaced by its
 * real-time audit (added when it is new, removed when it left the organization), the summary
 * recomputed. The other accounts are left as the previous run found them, so the merged report
 * is what the next run (scheduled or real-time) compares with. Pure: a new report.
 */
import type { AuditReport } from '../report-format';
import { summarize } from '../report-format';

/** How the merged report says it came about (`run.realtime`, docs/report-format.md). */
export interface MergeInfo {
  /** The run whose report this one continues. */
  basedOn: string;
  accountIds: string[];
  /** The CloudTrail eventIDs that set it off. */
  eventIds: string[];
}

export function mergeAccount(previous: AuditReport, single: AuditReport, accountId: string, info: MergeInfo): AuditReport {
  const entry = single.accounts.find((a) => a.accountId === accountId);
  const at = previous.accounts.findIndex((a) => a.accountId === accountId);
  const accounts = previous.accounts.filter((a) => a.accountId !== accountId);
  if (entry) accounts.splice(at === -1 ? accounts.length : at, 0, entry);
  // The previous run's errors still hold (a listing cut short is still cut short); this run's own are added.
  const seen = new Set(previous.run.errors.map((e) => `${e.code} ${e.message}`));
  const errors = [...previous.run.errors, ...single.run.errors.filter((e) => !seen.has(`${e.code} ${e.message}`))];
  const s = single.run;
  return {
    ...previous,
    tool: single.tool,
    run: {
      ...previous.run,
      id: s.id,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      durationMs: s.durationMs,
      callerAccountId: s.callerAccountId,
      callerArn: s.callerArn,
      partition: s.partition,
      deadlineReached: s.deadlineReached,
      errors,
      notes: [...new Set([...previous.run.notes, ...s.notes])],
      realtime: info,
    },
    summary: { ...summarize(accounts, errors.length), ...(previous.summary.exempt === undefined ? {} : { exempt: previous.summary.exempt }) },
    accounts,
  };
}
