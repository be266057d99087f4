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
import { changeTitle, describeTrail, EXEMPTION_TITLES, exemptionEndedLine, plural, splitStep, truncateWords } from '../../alerts/words';
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

  // Fixed blocks first, the exemptions and the footer last, then as many accounts as fit between; one slot is kept for the overflow line.
  const trigger = triggerSection(json);
  const fixed: KnownBlock[] = [header, summary, ...(trigger ? [trigger] : []), ...runErrors];
  const exemptions = exemptionSection(json);
  const tail: KnownBlock[] = [...(exemptions ? [divider, exemptions] : []), divider, footer];
  const room = { blocks: SLACK_LIMITS.blocks - fixed.length - tail.length - 1, text: SLACK_LIMITS.totalText - blocksText([...fixed, ...tail]) };
  const { body, shown } = accountBlocks(json, compared, room);
  const hidden = json.accounts.length - shown + json.omittedAccounts;
  const overflow = hidden > 0 ? [context([`… and ${t(plural(hidden, 'more account'))} not shown here (${t(hiddenBreakdown(json, shown))}): see the full report.`])] : [];
  const blocks = [...fixed, ...body, ...overflow, ...tail].slice(0, SLACK_LIMITS.blocks);
  return { text: plain(subject, SLACK_LIMITS.fallbackText), blocks };
}

/**
 * What set off a real-time audit: each event (API call, trail, caller, source IP, time, id), the
 * first few. The message may not be ours: a trigger of any other shape shows nothing, never throws.
 */
export function triggerSection(json: Pick<AlertJson, 'trigger'>): SectionBlock | undefined {
  const tr = json.trigger as unknown;
  if (!tr || typeof tr !== 'object' || !Array.isArray((tr as { events?: unknown }).events)) return undefined;
  const { accountId, events, omittedEvents } = tr as { accountId?: unknown; events: unknown[]; omittedEvents?: unknown };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const lines = events.slice(0, 5).flatMap((raw) => {
    if (!raw || typeof raw !== 'object') return [];
    const e = raw as Record<string, unknown>;
    const trail = e.trail && typeof e.trail === 'object' ? (str((e.trail as Record<string, unknown>).arn) ?? str((e.trail as Record<string, unknown>).name)) : undefined;
    const parts = [
      `• ${code(String(str(e.eventName) ?? '?'))}`,
      trail ? ` of trail ${code(trail)}` : '',
      str(e.region) ? ` (${t(e.region)})` : '',
      str(e.callerArn) ? ` by ${code(str(e.callerArn) as string)}` : '',
      str(e.sourceIp) ? ` from ${t(e.sourceIp)}` : '',
      str(e.eventTime) ? ` at ${t(e.eventTime)}` : '',
      str(e.eventId) ? `, event ${code(str(e.eventId) as string)}` : '',
    ];
    return [truncateWords(parts.join(''), 500)];
  });
  if (!lines.length) return undefined;
  const more = events.length - lines.length + (typeof omittedEvents === 'number' && omittedEvents > 0 ? omittedEvents : 0);
  return section(`*Re-audited ${code(String(str(accountId) ?? '?'))} after:*\n${lines.join('\n')}${more > 0 ? `\n… and ${t(more)} more` : ''}`);
}

/** The accounts by change kind, each group under its title, within `room` (blocks and characters). */
function accountBlocks(json: AlertJson, compared: boolean, room: { blocks: number; text: number }): { body: KnownBlock[]; shown: number } {
  const body: KnownBlock[] = [];
  let textUsed = 0;
  let shown = 0;
  for (const change of CHANGE_KINDS) {
    const group = json.accounts.filter((a) => a.change === change);
    if (!group.length) continue;
    const title = section(`*${escapeMrkdwn(changeTitle(change, compared))} (${t(json.changes[change])})*`);
    // A title only with at least one account under it.
    const first = accountSection(group[0]);
    if (body.length + 3 > room.blocks || textUsed + blocksText([title, first]) > room.text) break;
    body.push(divider, title);
    textUsed += blocksText([title]);
    for (const a of group) {
      const block = a === group[0] ? first : accountSection(a);
      const size = blocksText([block]);
      if (body.length + 1 > room.blocks || textUsed + size > room.text) return { body, shown };
      body.push(block);
      textUsed += size;
      shown++;
    }
  }
  return { body, shown };
}

/**
 * What the alert says about exemptions, as one section (absent when it says nothing): those
 * expiring (owner, expiry, days left), those no longer needed, and how many failing accounts are
 * exempt (not listed above). Lines are added while they fit; the count of exempt failing accounts
 * always shows, and what is left out is said. Every value is escaped: owners and reasons come
 * from a configuration file, and the message may not be ours.
 */
export function exemptionSection(json: Pick<AlertJson, 'exemptions'>): SectionBlock | undefined {
  const e = json.exemptions;
  if (!e || typeof e !== 'object') return undefined;
  const expiring = (Array.isArray(e.expiring) ? e.expiring : []).filter(isObject);
  const unneeded = (Array.isArray(e.unneeded) ? e.unneeded : []).filter(isObject);
  const exemptFailing = Number(e.exemptFailing) > 0 ? Number(e.exemptFailing) : 0;
  if (!expiring.length && !unneeded.length && !exemptFailing) return undefined;
  const candidates: string[] = [];
  if (expiring.length) {
    candidates.push(`*${escapeMrkdwn(EXEMPTION_TITLES.expiring)} (${t(expiring.length + count(e.omittedExpiring))})*`);
    for (const x of expiring) candidates.push(`• ${exemptionFacts(x)}, ${daysLeft(x.daysLeft)}: ${reasonText(x.reason)}`);
    if (count(e.omittedExpiring)) candidates.push(`… and ${t(plural(count(e.omittedExpiring), 'more exemption'))}; the full report lists them.`);
  }
  if (unneeded.length) {
    candidates.push(`*${escapeMrkdwn(EXEMPTION_TITLES.unneeded)} (${t(unneeded.length + count(e.omittedUnneeded))})*`);
    for (const u of unneeded) candidates.push(`• ${code(String(u.accountId))}${u.accountName ? ` ${mrkdwnName(String(u.accountName))}` : ''} passes: exemption ${isObject(u.exemption) ? exemptionFacts(u.exemption) : '?'}`);
    if (count(e.omittedUnneeded)) candidates.push(`… and ${t(plural(count(e.omittedUnneeded), 'more account'))}; the full report lists them.`);
  }
  const last = exemptFailing
    ? `_${t(plural(exemptFailing, 'failing account'))} under an exemption in force ${exemptFailing === 1 ? 'is' : 'are'} not listed; the full report lists ${exemptFailing === 1 ? 'it' : 'them'}._`
    : '';
  return { type: 'section', text: mrkdwn(truncateWords(fitLines(candidates, last, 'exemption line'), SLACK_LIMITS.sectionText)) };
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const count = (n: unknown) => (typeof n === 'number' && n > 0 ? n : 0);
const daysLeft = (n: unknown) => (n === 0 ? 'ends today' : `${t(typeof n === 'number' ? plural(n, 'day') : n)} left`);
/** A reason is free text of up to 500 characters: the first words here, all of it in the full report. */
const reasonText = (r: unknown) => escapeMrkdwn(truncateWords(String(r ?? ''), 200));

/** An exemption's value as mrkdwn: the id and ticket as code, the owner as a name (at most 120 characters: the full report has it all), the rest escaped. */
function exemptionValue(field: 'id' | 'owner' | 'expires' | 'ticket', value: string): string {
  if (field === 'id' || field === 'ticket') return code(truncateWords(value, 80));
  return field === 'owner' ? mrkdwnName(truncateWords(value, 120)) : t(value);
}

/** `sandbox` owner platform@example.com, until 2026-06-30, ticket `SEC-1` */
function exemptionFacts(e: object): string {
  const x = e as Record<string, unknown>;
  const v = (field: 'id' | 'owner' | 'expires' | 'ticket') => exemptionValue(field, String(x[field] ?? ''));
  return `${v('id')} owner ${v('owner')}, until ${v('expires')}${x.ticket ? `, ticket ${v('ticket')}` : ''}`;
}

/** The lines that fit in one section (with `last` always kept), and a line saying how many did not. */
function fitLines(candidates: string[], last: string, what: string): string {
  const max = SLACK_LIMITS.sectionText - 80 - last.length;
  const lines: string[] = [];
  let used = 0;
  let left = 0;
  for (const line of candidates) {
    if (left === 0 && used + line.length + 1 <= max) {
      lines.push(line);
      used += line.length + 1;
    } else left++;
  }
  if (left > 0) lines.push(`_… ${plural(left, `more ${what}`)} in the full report._`);
  if (last) lines.push(last);
  return lines.join('\n');
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
  // Why it fails "newly": its exemption ended (the email's words).
  const ended = exemptionEndedLine(a, exemptionValue);
  if (ended) lines.push(ended);
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
  let used = lines.join('\n').length;
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
