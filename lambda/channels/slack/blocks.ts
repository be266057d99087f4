/**
 * The alert as a Slack Block Kit message for an incoming webhook, built from the SNS message's
 * JSON body (`default`). Slack's limits are respected: at most 50 blocks, 3,000 characters per
 * section text, 150 per header, and a total kept far below what Slack truncates. What does not
 * fit is summarized with a count (never cut mid-word). Every piece of text from the message is
 * escaped (../mrkdwn.ts: control characters, `&`, `<`, `>`), so ARNs and names render as written;
 * the forwarder renders whatever is published to the topic, so numbers and statuses are too.
 */
import type { ContextBlock, DividerBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import { CHANGE_KINDS } from '../../alerts/changes';
import type { AlertAccount } from '../../alerts/document';
import { changeTitle, describeTrail, plural, splitStep, truncateWords } from '../../alerts/words';
import { displayText } from '../../report/display';
import type { AlertJson } from '../alert-json';
import { codeBlock, escapeMrkdwn, inlineCode as code, mrkdwnName } from '../mrkdwn';

export { escapeMrkdwn } from '../mrkdwn';

export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  /** Fallback `text` (notifications): short. */
  fallbackText: 300,
  /** Characters of all the blocks' text together: Slack truncates messages past 40,000. */
  totalText: 30_000,
} as const;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Any value of the message as mrkdwn text (a number or status included: the message may not be ours). */
const t = (v: unknown) => escapeMrkdwn(String(v));

/** Plain text (headers, the notification text): control characters escaped, cut at a word boundary. */
const plain = (s: string, max: number) => truncateWords(displayText(s), max);

const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });

function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(truncateWords(text, SLACK_LIMITS.sectionText)) };
}

function context(texts: string[]): ContextBlock {
  return { type: 'context', elements: texts.slice(0, SLACK_LIMITS.contextElements).map((t) => mrkdwn(truncateWords(t, SLACK_LIMITS.sectionText))) };
}

const divider: DividerBlock = { type: 'divider' };

export function renderSlackMessage(json: AlertJson, subject: string): SlackMessage {
  const s = json.summary;
  const compared = Boolean(json.changes.comparedWith);
  const header: HeaderBlock = { type: 'header', text: { type: 'plain_text', text: plain(subject, SLACK_LIMITS.headerText), emoji: false } };
  const summary = section(
    [
      `*${t(s.PASS)} PASS · ${t(s.FAIL)} FAIL · ${t(s.ERROR)} ERROR · ${t(s.SKIPPED)} SKIPPED* of ${t(plural(s.total, 'account'))}${s.runErrors ? ` · ${t(plural(s.runErrors, 'run error'))}` : ''}`,
      escapeMrkdwn(changesLine(json)),
    ]
      .filter(Boolean)
      .join('\n'),
  );
  const footer = context([reportLink(json), `run ${code(json.run.id)} from account ${code(json.run.callerAccountId)}, ${t(json.run.region)} · mode ${t(json.mode)}`]);
  const runErrors = json.run.errors.length
    ? [
        section(
          `*Run errors*\n${json.run.errors.map((e) => `• ${code(e.code)} ${t(e.message)}`).join('\n')}${json.run.omittedErrors ? `\n… and ${t(json.run.omittedErrors)} more` : ''}`,
        ),
      ]
    : [];

  // Fixed blocks first, then as many accounts as fit; one slot is kept for the overflow line.
  const fixed: KnownBlock[] = [header, summary, ...runErrors];
  const reserved = fixed.length + 2; // + overflow context + footer
  const body: KnownBlock[] = [];
  let textUsed = blocksText([...fixed, footer]);
  let shown = 0;
  outer: for (const change of CHANGE_KINDS) {
    const group = json.accounts.filter((a) => a.change === change);
    if (!group.length) continue;
    const title = section(`*${escapeMrkdwn(changeTitle(change, compared))} (${t(json.changes[change])})*`);
    // A title only with at least one account under it.
    const first = accountSection(group[0]);
    if (reserved + body.length + 3 > SLACK_LIMITS.blocks || textUsed + blocksText([title, first]) > SLACK_LIMITS.totalText) break;
    body.push(divider, title);
    textUsed += blocksText([title]);
    for (const a of group) {
      const block = a === group[0] ? first : accountSection(a);
      const size = blocksText([block]);
      if (reserved + body.length + 1 > SLACK_LIMITS.blocks || textUsed + size > SLACK_LIMITS.totalText) break outer;
      body.push(block);
      textUsed += size;
      shown++;
    }
  }
  const hidden = json.accounts.length - shown + json.omittedAccounts;
  const overflow = hidden > 0 ? [context([`… and ${t(plural(hidden, 'more account'))} not shown here (${t(hiddenBreakdown(json, shown))}): see the full report.`])] : [];
  const blocks = [...fixed, ...body, ...overflow, divider, footer].slice(0, SLACK_LIMITS.blocks);
  return { text: plain(subject, SLACK_LIMITS.fallbackText), blocks };
}

function changesLine(json: AlertJson): string {
  const c = json.changes;
  if (json.kind === 'first-run') return `First run (${c.previousUnavailable ?? 'no previous report'}): every failing account is listed; later messages list only what changed.`;
  if (!c.comparedWith) return '';
  const still = json.kind === 'changes' && c['still-failing'] ? ` (not repeated${c.nextReminderAt ? `; next reminder after ${c.nextReminderAt}` : ''})` : '';
  return `Since run ${c.comparedWith.runId}: ${c['new-fail']} newly failing, ${c['new-error']} newly in error, ${c.resolved} resolved, ${c['still-failing']} still failing${still}.`;
}

function reportLink(json: AlertJson): string {
  const r = json.report;
  if (!r) return 'Full report: not archived (no report bucket)';
  if ('unavailable' in r) return `Full report: not archived (${escapeMrkdwn(r.unavailable)})`;
  // A link only to a URL that cannot carry its own link text (`|`) or end the link early.
  const linkable = typeof r.consoleUrl === 'string' && /^https:\/\/[^\s|<>]+$/.test(r.consoleUrl);
  return linkable ? `Full report: <${escapeMrkdwn(r.consoleUrl as string)}|${escapeMrkdwn(r.uri)}>` : `Full report: ${code(r.uri)}`;
}

function hiddenBreakdown(json: AlertJson, shown: number): string {
  const counts = new Map<string, number>();
  for (const a of json.accounts.slice(shown)) counts.set(a.change, (counts.get(a.change) ?? 0) + 1);
  const parts = [...counts].map(([k, n]) => `${n} ${k}`);
  if (json.omittedAccounts) parts.push(`${json.omittedAccounts} left out of the SNS message`);
  return parts.join(', ');
}

/**
 * One account as one section: who, what is wrong, the trails, the fix. Lines are added while they
 * fit in a section's 3,000 characters; a command is shown whole or not at all (half a command is
 * worse than none), and what is left out is said.
 */
export function accountSection(a: AlertAccount): SectionBlock {
  const max = SLACK_LIMITS.sectionText - 80;
  const facts = [a.ouId ? `OU ${a.ouName ? `${mrkdwnName(a.ouName)} ` : ''}${code(a.ouId)}` : '', a.previousStatus && a.previousStatus !== a.status ? `was ${t(a.previousStatus)}` : ''].filter(Boolean);
  const lines = [`*${t(a.status)}* ${code(a.accountId)} ${mrkdwnName(a.accountName ?? '')}${facts.length ? ` · ${facts.join(' · ')}` : ''}`];
  if (a.status === 'PASS') {
    const via = a.trails.find((t) => t.arn === a.qualifyingTrailArn);
    lines.push(`Now passes${via ? ` via ${via.isOrganizationTrail ? 'organization trail' : 'trail'} ${code(via.name)}` : ''}.`);
  }
  const candidates: string[] = [];
  for (const r of a.status === 'PASS' ? [] : a.reasons) candidates.push(`• ${code(r.code)} ${t(r.message)}`);
  for (const w of a.warnings) candidates.push(`• warning ${code(w.code)} ${t(w.message)}`);
  if (a.status !== 'PASS') for (const trail of a.trails) candidates.push(`Trail ${escapeMrkdwn(describeTrail(trail))}: ${code(trail.arn)}`);
  if (a.status !== 'PASS' && a.remediation.length) {
    candidates.push('*Fix:*');
    for (const step of a.remediation) {
      const { lead, command } = splitStep(step);
      candidates.push([lead ? escapeMrkdwn(lead) : '', command ? codeBlock(command) : ''].filter(Boolean).join('\n'));
    }
  }
  let used = lines[0].length;
  let left = 0;
  for (const line of candidates) {
    if (left === 0 && used + line.length + 1 <= max) {
      lines.push(line);
      used += line.length + 1;
    } else left++;
  }
  if (left > 0) lines.push(`_… ${plural(left, 'more line')} (reasons, trails or fixes) in the full report._`);
  return { type: 'section', text: mrkdwn(truncateWords(lines.join('\n'), SLACK_LIMITS.sectionText)) };
}

function blocksText(blocks: KnownBlock[]): number {
  let n = 0;
  for (const b of blocks) {
    if (b.type === 'section' || b.type === 'header') n += (b as SectionBlock).text?.text.length ?? 0;
    if (b.type === 'context') for (const e of (b as ContextBlock).elements) n += 'text' in e ? e.text.length : 0;
  }
  return n;
}

/** A plain message for SNS notifications that are not trailcheck alerts (CloudWatch alarms on the same topic). */
export function renderPlainSlackMessage(subject: string | undefined, message: string): SlackMessage {
  let alarm: { AlarmName?: string; NewStateValue?: string; NewStateReason?: string; AlarmDescription?: string } | undefined;
  try {
    alarm = JSON.parse(message);
  } catch {
    alarm = undefined;
  }
  const title = plain(subject || 'trailcheck notification', SLACK_LIMITS.headerText);
  if (alarm && typeof alarm === 'object' && typeof alarm.AlarmName === 'string') {
    const text = [`*${t(alarm.NewStateValue ?? '')}* ${code(alarm.AlarmName)}`, t(alarm.AlarmDescription ?? ''), t(alarm.NewStateReason ?? '')]
      .filter(Boolean)
      .join('\n');
    return { text: title, blocks: [{ type: 'header', text: { type: 'plain_text', text: title, emoji: false } }, section(text)] };
  }
  return { text: title, blocks: [{ type: 'header', text: { type: 'plain_text', text: title, emoji: false } }, section(escapeMrkdwn(message))] };
}
