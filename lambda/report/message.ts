/**
 * The alert as one SNS message: a plain-text body for email, a JSON body for everything else
 * (`MessageStructure: "json"`), a subject under 100 ASCII characters, and never over SNS's
 * 256 KiB limit: large organizations get the first accounts in full and a count of the rest.
 */
import { accountDetails, runProblems, summaryLine } from './text';
import type { AccountReport, AuditReport } from './types';

/** SNS allows 262,144 bytes for the message and its attributes; keep room for the attributes. */
export const MAX_MESSAGE_BYTES = 256 * 1024 - 4 * 1024;
export const MAX_SUBJECT_CHARS = 99;
/** Run errors and notes shown in one message; the rest are counted (the full report has them all). */
export const MAX_RUN_ITEMS = 20;

export interface AlertMessage {
  subject: string;
  /** The value of SNS `Message` with `MessageStructure: "json"`: `{"default": <json>, "email": <text>}`. */
  message: string;
  /** Accounts needing attention that did not fit and are only counted. */
  omittedAccounts: number;
  text: string;
  json: AlertJson;
}

export interface AlertJson {
  type: 'trailcheck.audit';
  schemaVersion: number;
  run: { id: string; startedAt: string; callerAccountId: string; region: string; strict: boolean; errors: AuditReport['run']['errors']; omittedErrors: number };
  summary: AuditReport['summary'];
  accounts: Array<Pick<AccountReport, 'accountId' | 'accountName' | 'status' | 'reasons' | 'warnings' | 'remediation' | 'closestTrailArn'>>;
  omittedAccounts: number;
}

export function buildSubject(report: AuditReport): string {
  const s = report.summary;
  const bad = [s.FAIL ? `${s.FAIL} FAIL` : '', s.ERROR ? `${s.ERROR} ERROR` : ''].filter(Boolean).join(', ');
  const run = s.runErrors ? `${bad ? ', ' : ''}run incomplete` : '';
  const subject = bad || run ? `trailcheck: ${bad}${run} of ${s.total} accounts` : `trailcheck: all ${s.PASS} audited accounts PASS`;
  return toSubject(subject);
}

/** SNS subjects: ASCII, no line breaks, under 100 characters. */
export function toSubject(s: string): string {
  const ascii = s.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= MAX_SUBJECT_CHARS ? ascii : `${ascii.slice(0, MAX_SUBJECT_CHARS - 3)}...`;
}

export function buildAlert(report: AuditReport, maxBytes = MAX_MESSAGE_BYTES): AlertMessage {
  // Errors first (nobody can audit them), then failures, each in report order.
  const attention = [...report.accounts.filter((a) => a.status === 'ERROR'), ...report.accounts.filter((a) => a.status === 'FAIL')];
  const build = (n: number) => {
    const shown = attention.slice(0, n);
    const omitted = attention.length - shown.length;
    const text = renderEmail(report, shown, omitted);
    const json = renderJson(report, shown, omitted);
    const message = JSON.stringify({ default: JSON.stringify(json), email: text });
    return { subject: buildSubject(report), message, omittedAccounts: omitted, text, json };
  };
  let best = build(attention.length);
  if (Buffer.byteLength(best.message) <= maxBytes) return best;
  // Largest number of accounts that fits (message size grows with n).
  let lo = 0;
  let hi = attention.length - 1;
  best = build(0);
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = build(mid);
    if (Buffer.byteLength(candidate.message) <= maxBytes) {
      best = candidate;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

function renderEmail(report: AuditReport, shown: AccountReport[], omitted: number): string {
  const lines = [
    `trailcheck audit of CloudTrail "enabled in all regions" (CIS), run ${report.run.id}`,
    `Result: ${summaryLine(report)}`,
    `Audited from account ${report.run.callerAccountId}, region ${report.run.region}${report.run.strict ? ', strict mode' : ''}.`,
  ];
  if (!report.run.organization.available) lines.push(`Note: ${report.run.organization.reason}; only this account was audited.`);
  lines.push(...accountDetails(shown));
  if (omitted > 0) lines.push('', `... and ${omitted} more account${omitted > 1 ? 's' : ''} failing or in error, left out of this message to stay within the SNS size limit; the full report lists them.`);
  lines.push(...runProblems(report, MAX_RUN_ITEMS));
  lines.push('', `Sent by trailcheck ${report.tool.version}.`);
  return lines.join('\n');
}

function renderJson(report: AuditReport, shown: AccountReport[], omitted: number): AlertJson {
  return {
    type: 'trailcheck.audit',
    schemaVersion: report.schemaVersion,
    run: {
      id: report.run.id,
      startedAt: report.run.startedAt,
      callerAccountId: report.run.callerAccountId,
      region: report.run.region,
      strict: report.run.strict,
      errors: report.run.errors.slice(0, MAX_RUN_ITEMS),
      omittedErrors: Math.max(0, report.run.errors.length - MAX_RUN_ITEMS),
    },
    summary: report.summary,
    accounts: shown.map((a) => ({
      accountId: a.accountId,
      accountName: a.accountName,
      status: a.status,
      reasons: a.reasons,
      warnings: a.warnings,
      remediation: a.remediation,
      ...(a.closestTrailArn ? { closestTrailArn: a.closestTrailArn } : {}),
    })),
    omittedAccounts: omitted,
  };
}
