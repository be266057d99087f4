/**
 * Text as it may be shown: on a terminal, in an email, in Slack or Chatbot. Names, reasons and
 * messages carry text from AWS responses (account and OU names, error messages), and a response
 * must not be able to clear a terminal, hide a link in an escape sequence, reorder what a person
 * reads or start a line of its own. Every renderer passes what it shows through `displayText`.
 *
 * Escaped, the way a JSON string writes them (`\n`, `\r`, `\t`, otherwise `\u001b`): C0 controls
 * (ESC, BEL, CR, LF, TAB, …), DEL, C1 controls (U+0080–U+009F), the line and paragraph separators
 * U+2028/U+2029, the bidirectional controls (U+061C, U+200E/U+200F, U+202A–U+202E,
 * U+2066–U+2069) and lone surrogates. Everything else, backslashes included, is shown as written.
 * The JSON report keeps the data as it came; `safeJson` only spells these characters as escapes.
 */

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const UNSAFE_BUT_LF = new RegExp(UNSAFE.source.replace('\\u0000-\\u001f', '\\u0000-\\u0009\\u000b-\\u001f'), 'g');
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(c: string): string {
  return SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * `s` with every character that could act on a terminal or a reader escaped. `multiline` keeps
 * LF as a line break, for text trailcheck writes in several lines (a remediation step); the
 * caller indents the lines it gets.
 */
export function displayText(s: string, options: { multiline?: boolean } = {}): string {
  return String(s).replace(options.multiline ? UNSAFE_BUT_LF : UNSAFE, escape);
}

/** The lines of a multi-line text, each safe to show. */
export function displayLines(s: string): string[] {
  return displayText(s, { multiline: true }).split('\n');
}

/** JSON with the characters above written as `\uXXXX` (only ever inside strings: the same data). */
export function safeJson(json: string): string {
  return json.replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, escape);
}

/** Code points in `s` (what a terminal shows as characters; a surrogate pair is one). */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** `s` cut to at most `max` code points, ending with `suffix` when cut; never inside a surrogate pair. */
export function truncateText(s: string, max: number, suffix = '…'): string {
  if (codePointLength(s) <= max) return s;
  const room = max - codePointLength(suffix);
  return room <= 0 ? firstCodePoints(suffix, max) : `${firstCodePoints(s, room)}${suffix}`;
}

function firstCodePoints(s: string, n: number): string {
  let end = 0;
  let count = 0;
  for (const c of s) {
    if (count === n) break;
    end += c.length;
    count++;
  }
  return s.slice(0, end);
}
