/**
 * The email body: plain text a person can read on a phone. What happened first (the changes),
 * then each listed account with its reasons, the trails involved and the commands that fix it,
 * then where the full report is. Every line is shown through displayText (./display).
 */
import { CHANGE_KINDS } from '../alerts/changes';
import type { AlertPlan } from '../alerts/plan';
import { changeTitle, describeTrail, ouLabel, plural } from '../alerts/words';
import type { AlertAccount, AlertJson } from './message';
import { displayText } from './display';
import { runProblems, stepLines, summaryLine } from './text';
import type { AuditReport } from '../report-format';

/** Run errors and notes shown in one message; the rest are counted (the full report has them all). */
export const MAX_RUN_ITEMS = 20;

export function renderAlertText(report: AuditReport, plan: AlertPlan, json: AlertJson): string {
  const compared = Boolean(plan.comparison.baseline);
  const lines = [`trailcheck audit of CloudTrail "enabled in all regions" (CIS), run ${report.run.id}`];
  lines.push(...headline(plan));
  lines.push(`Result: ${summaryLine(report)}`);
  lines.push(`Audited from account ${report.run.callerAccountId}, region ${report.run.region}${report.run.strict ? ', strict mode' : ''}.`);
  if (!report.run.organization.available) lines.push(`Note: ${report.run.organization.reason}; only this account was audited.`);
  lines.push(...reportLines(json));

  for (const change of CHANGE_KINDS) {
    const group = json.accounts.filter((a) => a.change === change);
    if (group.length === 0) continue;
    const total = plan.counts[change];
    lines.push('', `== ${changeTitle(change, compared)} (${total}) ==`);
    for (const a of group) lines.push(...accountLines(a));
  }
  if (json.omittedAccounts > 0) {
    const onlyFailing = plan.accounts.slice(json.accounts.length).every((a) => a.account.status !== 'PASS');
    const n = json.omittedAccounts;
    lines.push(
      '',
      `... and ${plural(n, 'more account')} ${onlyFailing ? 'failing or in error' : '(failing, in error or resolved)'}, left out of this message to stay within the SNS size limit; the full report lists them.`,
    );
  }
  lines.push(...runProblems(report, MAX_RUN_ITEMS));
  const mode = plan.mode === 'changes' ? `alert mode "changes"${plan.reminderDays ? `, reminder every ${plural(plan.reminderDays, 'day')}` : ''}` : 'alert mode "every-run"';
  lines.push('', `Sent by trailcheck ${report.tool.version} (${mode}).`);
  // Remediation lines are split already (stepLines); no other line may hold a line break or a control character.
  return lines.map((line) => displayText(line)).join('\n');
}

function headline(plan: AlertPlan): string[] {
  const c = plan.counts;
  const base = plan.comparison.baseline;
  const since = base ? `since run ${base.runId} (${base.finishedAt})` : '';
  const changed = `${c['new-fail']} newly failing, ${c['new-error']} newly in error, ${c.resolved} resolved`;
  switch (plan.kind) {
    case 'first-run':
      return [`First run: ${plan.previousUnavailable ?? 'no previous report'}.`, 'Every failing account is listed; later messages list only what changed.'];
    case 'every-run':
      return base ? [`Changes ${since}: ${changed}.`] : [];
    case 'reminder':
      return [
        `Reminder: ${plural(c['still-failing'] + c['new-fail'] + c['new-error'], 'account')} failing or in error, all listed below. Changes ${since}: ${changed}.`,
      ];
    case 'changes': {
      const still = c['still-failing'];
      const rest = still ? ` ${plural(still, 'account')} still failing ${still === 1 ? 'is' : 'are'} not repeated${plan.nextReminderAt ? ` (next reminder after ${plan.nextReminderAt})` : ''}.` : '';
      return [`Changes ${since}: ${changed}.${rest}`];
    }
  }
}

function reportLines(json: AlertJson): string[] {
  const r = json.report;
  if (!r) return [];
  if ('unavailable' in r) return [`Full report: not archived (${r.unavailable}).`];
  return [`Full report: ${r.uri}`, ...(r.consoleUrl ? [`  ${r.consoleUrl}`] : []), `  aws s3 cp ${r.uri} -`];
}

function accountLines(a: AlertAccount): string[] {
  const out = ['', `${a.status}  ${a.accountId}${a.accountName ? ` (${a.accountName})` : ''}`];
  const facts = [a.ouId ? `OU ${ouLabel(a)}` : '', a.previousStatus && a.previousStatus !== a.status ? `was ${a.previousStatus}` : ''].filter(Boolean);
  if (facts.length) out.push(`  ${facts.join(', ')}`);
  if (a.status === 'PASS') {
    const via = a.trails.find((t) => t.arn === a.qualifyingTrailArn);
    out.push(`  Now passes${via ? ` via ${via.isOrganizationTrail ? 'organization trail' : 'trail'} ${via.name}` : ''}.`);
    for (const w of a.warnings) out.push(`  ! ${w.code}: ${w.message}`);
    return out;
  }
  for (const r of a.reasons) out.push(`  - ${r.code}: ${r.message}`);
  for (const w of a.warnings) out.push(`  ! ${w.code}: ${w.message}`);
  for (const t of a.trails) out.push(`  Trail: ${describeTrail(t)}`);
  if (a.remediation.length) {
    out.push('  Fix:');
    for (const step of a.remediation) out.push(...stepLines(step, '    '));
  }
  return out;
}
