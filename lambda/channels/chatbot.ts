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
import { triggerLines } from '../alerts/realtime';
import { changeTitle, describeExemption, EXEMPTION_TITLES, plural, splitStep, truncateWords } from '../alerts/words';
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

/** The report as archived by trailcheck (the configured bucket), when the alert points to one. */
type ArchivedReport = Exclude<AlertJson['report'], { unavailable: string } | undefined>;

/** Room the account lines may take in the description, leaving enough for the lines after them. */
const ACCOUNTS_BUDGET = CHATBOT_LIMITS.description - 300;

/** The alert as one Chatbot custom notification: the accounts in the description, their fixes as next steps. */
export function buildChatbotNotification(json: AlertJson, subject: string): ChatbotNotification {
  const report = archivedReport(json);
  const title = truncateWords(displayText(subject), CHATBOT_LIMITS.title);
  return {
    version: '1.0',
    source: 'custom',
    id: json.run.id,
    content: {
      textType: 'client-markdown',
      title,
      description: chatbotDescription(json),
      nextSteps: chatbotNextSteps(json, report).map((x) => truncateWords(x, CHATBOT_LIMITS.nextStep)),
      keywords: chatbotKeywords(json).map((k) => truncateWords(k, CHATBOT_LIMITS.keyword)),
    },
    metadata: {
      summary: title,
      eventType: `trailcheck.${json.kind}`,
      relatedResources: json.accounts.slice(0, 20).map((a) => a.accountId),
      additionalContext: { runId: json.run.id, mode: json.mode, ...(report ? { report: report.uri } : {}) },
    },
  };
}

function archivedReport(json: AlertJson): ArchivedReport | undefined {
  const r = json.report;
  return r && !('unavailable' in r) ? r : undefined;
}

/** The counts and changes, then the accounts by change as many as fit, then what did not fit and the run errors. */
function chatbotDescription(json: AlertJson): string {
  const head = headLines(json);
  const { sections, shown } = accountSections(json, head.join('\n').length);
  return truncateWords([...head, ...sections, ...tailLines(json, shown)].join('\n'), CHATBOT_LIMITS.description);
}

function headLines(json: AlertJson): string[] {
  const s = json.summary;
  return [
    `${s.PASS} PASS, ${s.FAIL} FAIL, ${s.ERROR} ERROR, ${s.SKIPPED} SKIPPED of ${plural(s.total, 'account')}${s.runErrors ? `, ${plural(s.runErrors, 'run error')}` : ''}.`,
    changesLine(json),
    ...triggerHead(json),
  ].filter(Boolean);
}

/** A real-time audit's events, a few (each cut short): what changed, who, from where. */
function triggerHead(json: AlertJson): string[] {
  if (!json.trigger) return [];
  const t = triggerLines(json.trigger);
  return [`\n${escapeMrkdwn(t.title)}:`, ...t.lines.slice(0, 3).map((l) => truncateWords(`• ${escapeMrkdwn(l)}`, 400))];
}

/** One section per change kind, most urgent first: its title, then its accounts, while they fit after the head's `headLength` characters. */
function accountSections(json: AlertJson, headLength: number): { sections: string[]; shown: number } {
  const compared = Boolean(json.changes.comparedWith);
  const sections: string[] = [];
  let shown = 0;
  let used = headLength;
  for (const change of CHANGE_KINDS) {
    const group = json.accounts.filter((a) => a.change === change);
    if (!group.length) continue;
    const title = `\n${changeTitle(change, compared)} (${json.changes[change]}):`;
    if (used + title.length > ACCOUNTS_BUDGET) break;
    sections.push(title);
    used += title.length + 1;
    for (const a of group) {
      const entry = accountEntry(a);
      if (used + entry.length + 1 > ACCOUNTS_BUDGET) break;
      sections.push(entry);
      used += entry.length + 1;
      shown++;
    }
  }
  return { sections, shown };
}

/** The accounts not shown (left out here or by the alert), counted; the run errors by code. */
function tailLines(json: AlertJson, shown: number): string[] {
  const tail: string[] = [];
  const hidden = json.accounts.length - shown + json.omittedAccounts;
  if (hidden > 0) tail.push(`\n… and ${plural(hidden, 'more account')}: see the full report.`);
  tail.push(...exemptionTail(json));
  if (json.run.errors.length) tail.push(`\nRun errors: ${escapeMrkdwn(json.run.errors.map((e) => e.code).join(', '))}`);
  return tail;
}

/** Exemptions expiring and no longer needed, a few each (the full report has them all). */
function exemptionTail(json: AlertJson): string[] {
  const e = json.exemptions;
  if (!e) return [];
  const out: string[] = [];
  const few = <T>(list: T[], line: (x: T) => string) => list.slice(0, 3).map((x) => truncateWords(escapeMrkdwn(line(x)), 300));
  if (e.expiring.length) out.push(`\n${EXEMPTION_TITLES.expiring} (${e.expiring.length + e.omittedExpiring}):`, ...few(e.expiring, (x) => `• ${describeExemption(x)}`));
  if (e.unneeded.length) out.push(`\n${EXEMPTION_TITLES.unneeded} (${e.unneeded.length + e.omittedUnneeded}):`, ...few(e.unneeded, (u) => `• ${u.accountId}: ${describeExemption(u.exemption)}`));
  if (e.exemptFailing) out.push(`\n${plural(e.exemptFailing, 'failing account')} under an exemption, not listed.`);
  return out;
}

/** The full report, then the first command of each failing account, up to the limit. */
function chatbotNextSteps(json: AlertJson, report: ArchivedReport | undefined): string[] {
  const nextSteps: string[] = [];
  // The report's location is trailcheck's own (the configured bucket): shown as a plain URL.
  if (report) nextSteps.push(displayText(`Full report: ${report.consoleUrl ?? report.uri} (\`aws s3 cp ${report.uri} -\`)`));
  // The first command of each failing account, once per distinct command (an organization trail's fix serves every member).
  const seen = new Set<string>();
  for (const a of json.accounts) {
    if (a.status === 'PASS' || nextSteps.length >= CHATBOT_LIMITS.nextSteps) continue;
    const step = a.remediation.map(splitStep).find((x) => x.command);
    if (!step?.command || seen.has(step.command)) continue;
    seen.add(step.command);
    nextSteps.push(fixStep(a.accountId, step.lead, step.command));
  }
  return nextSteps;
}

/** One account's fix: the step's lead and its command (a code block when multi-line), or a pointer to the report. */
function fixStep(accountId: string, lead: string | undefined, command: string): string {
  const code = command.includes('\n') ? codeBlock(command) : inlineCode(command);
  const entry = `${escapeMrkdwn(accountId)}: ${lead ? `${escapeMrkdwn(lead)} ` : ''}${code}`;
  // Half a command is worse than none.
  return entry.length <= CHATBOT_LIMITS.nextStep ? entry : `${escapeMrkdwn(accountId)}: the fix is a command too long to show here; see the full report.`;
}

function chatbotKeywords(json: AlertJson): string[] {
  return ['trailcheck', json.kind, ...(json.summary.FAIL ? ['FAIL'] : []), ...(json.summary.ERROR ? ['ERROR'] : [])].slice(0, CHATBOT_LIMITS.keywords);
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
