/**
 * The alert as JSON for machines (`type: "trailcheck.audit"`, docs/report-format.md#the-sns-message):
 * the SNS message's `default` body, which SQS, Lambda and plain HTTPS subscribers receive. The
 * chat channels render it too: the Slack forwarder receives exactly this body, and AWS Chatbot's
 * notification (./chatbot.ts) is built from it.
 */
import { MAX_RUN_ITEMS, type AlertAccount, type AlertDocument, type AlertExemptions, type ReportPointer } from '../alerts/document';
import type { AlertKind } from '../alerts/plan';
import type { AlertTrigger } from '../alerts/realtime';
import type { ChangeKind } from '../alerts/changes';
import type { AlertMode } from '../config';
import type { AuditReport } from '../report-format';
import { safeJson } from '../report/display';
import type { SnsPart } from './sns';

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
  /** Exemptions expiring, no longer needed, and the exempt failing accounts (not in `accounts`); absent in alerts sent before exemptions existed. */
  exemptions?: AlertExemptions;
  /** What set off a real-time audit (kind `realtime`): the events, newest first; absent otherwise. */
  trigger?: AlertTrigger;
}

export function renderAlertJson(doc: AlertDocument): AlertJson {
  const c = doc.changes;
  return {
    type: 'trailcheck.audit',
    schemaVersion: doc.schemaVersion,
    kind: doc.kind,
    mode: doc.mode,
    run: {
      id: doc.run.id,
      startedAt: doc.run.startedAt,
      callerAccountId: doc.run.callerAccountId,
      region: doc.run.region,
      strict: doc.run.strict,
      errors: doc.run.errors.slice(0, MAX_RUN_ITEMS),
      omittedErrors: Math.max(0, doc.run.errors.length - MAX_RUN_ITEMS),
    },
    summary: doc.summary,
    changes: {
      ...c.counts,
      reminderDays: doc.reminderDays,
      ...(c.comparedWith ? { comparedWith: c.comparedWith } : {}),
      ...(c.previousUnavailable ? { previousUnavailable: c.previousUnavailable } : {}),
      ...(c.nextReminderAt ? { nextReminderAt: c.nextReminderAt } : {}),
    },
    ...(doc.report ? { report: doc.report } : {}),
    accounts: doc.accounts,
    omittedAccounts: doc.omittedAccounts,
    exemptions: doc.exemptions,
    ...(doc.trigger ? { trigger: doc.trigger } : {}),
  };
}

/** SNS `default`. safeJson: the same data, with bidirectional and C1 controls spelled as escapes for anyone reading the raw JSON. */
export const alertJsonPart: SnsPart = { key: 'default', render: (doc) => safeJson(JSON.stringify(renderAlertJson(doc))) };
