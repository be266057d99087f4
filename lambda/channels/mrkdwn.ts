/**
 * Slack mrkdwn, which AWS Chatbot's `client-markdown` also renders in Slack: text from a report
 * made safe to show. One set of rules for the two channels that post into Slack: the Block Kit
 * forwarder (./slack/blocks.ts) and Chatbot (./chatbot.ts).
 *
 * - Control characters are escaped first (displayText, lambda/report/display.ts).
 * - `&`, `<` and `>` are the only characters Slack needs replaced; with them escaped no text can
 *   become a link, a mention (`<!channel>`) or a channel reference.
 * - Names (account, OU) holding formatting characters (`*`, `_`, `~`, a backtick) are shown as
 *   inline code, where Slack applies no formatting, so they read as written.
 * - A backtick inside inline code, or three inside a code block, would end it: they are replaced.
 */
import { displayLines, displayText } from '../report/display';

const entities = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Text for a mrkdwn field: control characters escaped, then `&`, `<` and `>`. */
export function escapeMrkdwn(s: string): string {
  return entities(displayText(s));
}

/** Inline code: escaped, backticks (which would end it) replaced. */
export function inlineCode(s: string): string {
  return `\`${escapeMrkdwn(s).replace(/`/g, "'")}\``;
}

/** A code block (a command): its own lines kept, everything else escaped. */
export function codeBlock(s: string): string {
  return `\`\`\`${displayLines(s).map(entities).join('\n').replace(/```/g, "'''")}\`\`\``;
}

/** A name as written: plain text, or inline code when it holds a formatting character. */
export function mrkdwnName(s: string): string {
  return /[*_~`]/.test(s) ? inlineCode(s) : escapeMrkdwn(s);
}
