/**
 * The alert as an AWS Chatbot (Amazon Q Developer in chat applications) custom notification.
 * Chatbot drops SNS messages it does not recognize; this format it renders:
 * `{"version": "1.0", "source": "custom", "content": {"textType": "client-markdown", "title",
 * "description", "nextSteps", "keywords"}, "metadata": {...}}`. It is published under the SNS
 * `https` key, which is what Chatbot's HTTPS subscription receives. It is built from the alert's
 * JSON (./alert-json.ts), the form the alert travels in, so it says what the forwarder's Slack
 * message says, from the same accounts.
 *
 * Sizes are kept well inside what Chatbot renders (see the LIMITS below); overflow is counted,
 * never cut mid-word. Chatbot renders the markdown in Slack, so text from the report is escaped
 * as the Block Kit forwarder escapes it (./mrkdwn).
 */
import { CHANGE_KINDS } from '../alerts/changes';
import type { AlertAccount } from '../alerts/document';
import { changeTitle, plural, splitStep, truncateWords } from '../alerts/words';
import { displayText, safeJson } from '../report/display';
import { renderAlertJson, type AlertJson } from './alert-json';
import { codeBlock, escapeMrkdwn, inlineCode, mrkdwnName } from './mrkdwn';
import type { SnsPart } from './sns';

export const CHATBOT_LIMITS = { title: 250, description: 8000, nextSteps: 5, nextStep: 500, keywords: 5, keyword: 75 } as const;

export interface ChatbotNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: { textType: 'client-markdown'; title: string; description: string; nextSteps: string[]; keywords: string[] };
  metadata: { summary: string; eventType: string; relatedResources: string[]; additionalContext: Record<string, string> };
}

export function buildChatbotNotification(json: AlertJson, subject: string): ChatbotNotification {
  const compared = Boolean(json.changes.comparedWith);
  const s = json.summary;
  const head = [
    `${s.PASS} PASS, ${s.FAIL} FAIL, ${s.ERROR} ERROR, ${s.SKIPPED} SKIPPED of ${plural(s.total, 'account')}${s.runErrors ? `, ${plural(s.runErrors, 'run error')}` : ''}.`,
    changesLine(json),
  ].filter(Boolean);
  const tail: string[] = [];
  const sections: string[] = [];
  let shown = 0;
  const budget = CHATBOT_LIMITS.description - 300;
  let used = head.join('\n').length;
  for (const change of CHANGE_KINDS) {
    const group = json.accounts.filter((a) => a.change === change);
    if (!group.length) continue;
    const title = `\n${changeTitle(change, compared)} (${json.changes[change]}):`;
    if (used + title.length > budget) break;
    sections.push(title);
    used += title.length + 1;
    for (const a of group) {
      const entry = accountEntry(a);
      if (used + entry.length + 1 > budget) break;
      sections.push(entry);
      used += entry.length + 1;
      shown++;
    }
  }
  const hidden = json.accounts.length - shown + json.omittedAccounts;
  if (hidden > 0) tail.push(`\n… and ${plural(hidden, 'more account')}: see the full report.`);
  if (json.run.errors.length) tail.push(`\nRun errors: ${escapeMrkdwn(json.run.errors.map((e) => e.code).join(', '))}`);
  const description = truncateWords([...head, ...sections, ...tail].join('\n'), CHATBOT_LIMITS.description);

  const nextSteps: string[] = [];
  const r = json.report;
  // The report's location is trailcheck's own (the configured bucket): shown as a plain URL.
  if (r && !('unavailable' in r)) nextSteps.push(displayText(`Full report: ${r.consoleUrl ?? r.uri} (\`aws s3 cp ${r.uri} -\`)`));
  // The first command of each failing account, once per distinct command (an organization trail's fix serves every member).
  const seen = new Set<string>();
  for (const a of json.accounts) {
    if (a.status === 'PASS' || nextSteps.length >= CHATBOT_LIMITS.nextSteps) continue;
    const step = a.remediation.map(splitStep).find((x) => x.command);
    if (!step?.command || seen.has(step.command)) continue;
    seen.add(step.command);
    const command = step.command.includes('\n') ? codeBlock(step.command) : inlineCode(step.command);
    const entry = `${escapeMrkdwn(a.accountId)}: ${step.lead ? `${escapeMrkdwn(step.lead)} ` : ''}${command}`;
    // Half a command is worse than none.
    nextSteps.push(entry.length <= CHATBOT_LIMITS.nextStep ? entry : `${escapeMrkdwn(a.accountId)}: the fix is a command too long to show here; see the full report.`);
  }

  const keywords = ['trailcheck', json.kind, ...(json.summary.FAIL ? ['FAIL'] : []), ...(json.summary.ERROR ? ['ERROR'] : [])].slice(0, CHATBOT_LIMITS.keywords);
  return {
    version: '1.0',
    source: 'custom',
    id: json.run.id,
    content: {
      textType: 'client-markdown',
      title: truncateWords(displayText(subject), CHATBOT_LIMITS.title),
      description,
      nextSteps: nextSteps.map((x) => truncateWords(x, CHATBOT_LIMITS.nextStep)),
      keywords: keywords.map((k) => truncateWords(k, CHATBOT_LIMITS.keyword)),
    },
    metadata: {
      summary: truncateWords(displayText(subject), CHATBOT_LIMITS.title),
      eventType: `trailcheck.${json.kind}`,
      relatedResources: json.accounts.slice(0, 20).map((a) => a.accountId),
      additionalContext: { runId: json.run.id, mode: json.mode, ...(r && !('unavailable' in r) ? { report: r.uri } : {}) },
    },
  };
}

function changesLine(json: AlertJson): string {
  const c = json.changes;
  if (json.kind === 'first-run') return escapeMrkdwn(`First run (${c.previousUnavailable ?? 'no previous report'}): every failing account is listed.`);
  if (!c.comparedWith) return '';
  return escapeMrkdwn(`Since run ${c.comparedWith.runId}: ${c['new-fail']} newly failing, ${c['new-error']} newly in error, ${c.resolved} resolved, ${c['still-failing']} still failing.`);
}

function accountEntry(a: AlertAccount): string {
  const ou = a.ouId ? ` (OU ${a.ouName ? `${mrkdwnName(a.ouName)} (${escapeMrkdwn(a.ouId)})` : escapeMrkdwn(a.ouId)})` : '';
  const was = a.previousStatus && a.previousStatus !== a.status ? `, was ${escapeMrkdwn(a.previousStatus)}` : '';
  const who = `• ${a.status} ${inlineCode(a.accountId)} ${mrkdwnName(a.accountName)}${ou}${was}`;
  if (a.status === 'PASS') return who;
  const reason = a.reasons[0] ? ` ${escapeMrkdwn(`${a.reasons[0].code}: ${a.reasons[0].message}`)}` : '';
  return truncateWords(`${who} -${reason}`, 600);
}

/** SNS `https`: what Chatbot's HTTPS subscription receives (only when Chatbot is configured: other HTTPS subscribers get `default` then). */
export const chatbotPart: SnsPart = { key: 'https', render: (doc) => safeJson(JSON.stringify(buildChatbotNotification(renderAlertJson(doc), doc.subject))) };
