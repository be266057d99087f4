/**
 * The email: plain text a person can read on a phone (the SNS message's `email` body). What
 * happened first (the changes), then each listed account with its reasons, the trails involved
 * and the commands that fix it, then where the full report is. Every line is shown through
 * displayText (report/display.ts).
 */
import { CHANGE_KINDS } from '../alerts/changes';
import { MAX_RUN_ITEMS, type AlertAccount, type AlertDocument } from '../alerts/document';
import { triggerLines } from '../alerts/realtime';
import { changeTitle, describeExemption, describeTrail, EXEMPTION_TITLES, exemptionEndedLine, ouLabel, plural } from '../alerts/words';
import { displayText } from '../report/display';
import { runProblems, stepLines, summaryLine } from '../report/text';
import type { SnsPart } from './sns';

export function renderEmailText(doc: AlertDocument): string {
  const compared = Boolean(doc.changes.comparedWith);
  const lines = [`trailcheck audit of CloudTrail "enabled in all regions" (CIS), run ${doc.run.id}`];
  lines.push(...headline(doc));
  lines.push(`Result: ${summaryLine(doc)}`);
  lines.push(`Audited from account ${doc.run.callerAccountId}, region ${doc.run.region}${doc.run.strict ? ', strict mode' : ''}.`);
  if (!doc.run.organization.available) lines.push(`Note: ${doc.run.organization.reason}; only this account was audited.`);
  lines.push(...reportLines(doc));
  lines.push(...triggerBlock(doc));

  for (const change of CHANGE_KINDS) {
    const group = doc.accounts.filter((a) => a.change === change);
    if (group.length === 0) continue;
    const total = doc.changes.counts[change];
    lines.push('', `== ${changeTitle(change, compared)} (${total}) ==`);
    for (const a of group) lines.push(...accountLines(a));
  }
  if (doc.omittedAccounts > 0) {
    const onlyFailing = doc.omittedResolved === 0;
    const n = doc.omittedAccounts;
    lines.push(
      '',
      `... and ${plural(n, 'more account')} ${onlyFailing ? 'failing or in error' : '(failing, in error or resolved)'}, left out of this message to stay within the SNS size limit; the full report lists them.`,
    );
  }
  lines.push(...exemptionLines(doc));
  lines.push(...runProblems(doc.run, MAX_RUN_ITEMS));
  const mode = doc.mode === 'changes' ? `alert mode "changes"${doc.reminderDays ? `, reminder every ${plural(doc.reminderDays, 'day')}` : ''}` : 'alert mode "every-run"';
  lines.push('', `Sent by trailcheck ${doc.tool.version} (${mode}).`);
  // Remediation lines are split already (stepLines); no other line may hold a line break or a control character.
  return lines.map((line) => displayText(line)).join('\n');
}

/** SNS `email`: what email subscriptions receive. */
export const emailPart: SnsPart = { key: 'email', render: renderEmailText };

function headline(doc: AlertDocument): string[] {
  const c = doc.changes.counts;
  const base = doc.changes.comparedWith;
  const since = base ? `since run ${base.runId} (${base.finishedAt})` : '';
  const changed = `${c['new-fail']} newly failing, ${c['new-error']} newly in error, ${c.resolved} resolved`;
  switch (doc.kind) {
    case 'first-run':
      return [`First run: ${doc.changes.previousUnavailable ?? 'no previous report'}.`, 'Every failing account is listed; later messages list only what changed.'];
    case 'every-run':
      return base ? [`Changes ${since}: ${changed}.`] : [];
    case 'reminder':
      return [
        `Reminder: ${plural(c['still-failing'] + c['new-fail'] + c['new-error'], 'account')} failing or in error, all listed below. Changes ${since}: ${changed}.`,
      ];
    case 'realtime':
      return [`Real-time audit: ${changed} ${since}; the other accounts are as that run found them.`];
    case 'changes': {
      const still = c['still-failing'];
      const rest = still ? ` ${plural(still, 'account')} still failing ${still === 1 ? 'is' : 'are'} not repeated${doc.changes.nextReminderAt ? ` (next reminder after ${doc.changes.nextReminderAt})` : ''}.` : '';
      return [`Changes ${since}: ${changed}.${rest}`];
    }
  }
}

/** What set off a real-time audit: each event (API call, trail, caller, source IP, time, id). */
function triggerBlock(doc: AlertDocument): string[] {
  if (!doc.trigger) return [];
  const t = triggerLines(doc.trigger);
  return ['', `== ${t.title} ==`, ...t.lines.map((l) => `- ${l}`)];
}

/** Exemptions ending soon, those no longer needed, and how many failing accounts are exempt (not listed above). */
function exemptionLines(doc: AlertDocument): string[] {
  const e = doc.exemptions;
  const lines: string[] = [];
  if (e.expiring.length) {
    lines.push('', `== ${EXEMPTION_TITLES.expiring} (${e.expiring.length + e.omittedExpiring}) ==`);
    for (const x of e.expiring) lines.push(`- ${describeExemption(x)}; ${x.daysLeft === 0 ? 'ends today' : `${plural(x.daysLeft, 'day')} left`}`);
    if (e.omittedExpiring) lines.push(`... and ${plural(e.omittedExpiring, 'more exemption')}; the full report lists them.`);
  }
  if (e.unneeded.length) {
    lines.push('', `== ${EXEMPTION_TITLES.unneeded} (${e.unneeded.length + e.omittedUnneeded}) ==`);
    for (const u of e.unneeded) lines.push(`- ${u.accountId}${u.accountName ? ` (${u.accountName})` : ''} passes: exemption ${describeExemption(u.exemption)}`);
    if (e.omittedUnneeded) lines.push(`... and ${plural(e.omittedUnneeded, 'more account')}; the full report lists them.`);
  }
  if (e.exemptFailing) lines.push('', `${plural(e.exemptFailing, 'failing account')} under an exemption in force ${e.exemptFailing === 1 ? 'is' : 'are'} not listed; the full report lists ${e.exemptFailing === 1 ? 'it' : 'them'}.`);
  return lines;
}

function reportLines(doc: AlertDocument): string[] {
  const r = doc.report;
  if (!r) return [];
  if ('unavailable' in r) return [`Full report: not archived (${r.unavailable}).`];
  const page = r.html ? [`HTML report (open in a browser): ${r.html.uri}`, ...(r.html.consoleUrl ? [`  ${r.html.consoleUrl}`] : [])] : [];
  return [`Full report: ${r.uri}`, ...(r.consoleUrl ? [`  ${r.consoleUrl}`] : []), `  aws s3 cp ${r.uri} -`, ...page];
}

function accountLines(a: AlertAccount): string[] {
  const out = ['', `${a.status}  ${a.accountId}${a.accountName ? ` (${a.accountName})` : ''}`];
  const facts = [a.ouId ? `OU ${ouLabel(a)}` : '', a.previousStatus && a.previousStatus !== a.status ? `was ${a.previousStatus}` : ''].filter(Boolean);
  if (facts.length) out.push(`  ${facts.join(', ')}`);
  const ended = exemptionEndedLine(a);
  if (ended) out.push(`  ${ended}`);
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
