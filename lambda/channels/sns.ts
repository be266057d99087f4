/**
 * The one SNS publish that carries the alert to every subscriber. `MessageStructure: "json"`:
 * one body per protocol, each rendered by the channel that owns it (an `SnsPart`): the JSON for
 * machines under `default` (./alert-json.ts), the email text under `email` (./email.ts), AWS
 * Chatbot's notification under `https` (./chatbot.ts) when it is configured (./sns-parts.ts).
 *
 * One publish for all of them, not one per channel: each subscription receives exactly one
 * message, filter policies see one set of attributes, and a retried run repeats one message.
 *
 * SNS's limits are kept here: a subject of printable ASCII under 100 characters, and 256 KiB for
 * the message and its attributes. When the accounts do not all fit, every part is rendered from
 * the same first accounts (alerts/document.ts `firstAccounts`), which are shown in full; the
 * rest are counted.
 */
import { CHANGE_KINDS } from '../alerts/changes';
import { firstAccounts, type AlertDocument } from '../alerts/document';
import type { AlertKind } from '../alerts/plan';
import type { JsonMessage, MessageAttributes } from '../aws/sns';
import { PATTERNS } from '../settings';

/** SNS allows 262,144 bytes for the message and its attributes; keep room for the attributes. */
export const MAX_MESSAGE_BYTES = 256 * 1024 - 4 * 1024;
export const MAX_SUBJECT_CHARS = 99;

/** Message attribute names: stable, documented in docs/alerts.md, used by subscription filter policies. */
export const ATTRIBUTES = {
  fail: 'trailcheck.fail',
  error: 'trailcheck.error',
  kind: 'trailcheck.kind',
  change: 'trailcheck.change',
  status: 'trailcheck.status',
  /** The alert route the message is for (lambda/channels/routes.ts); absent on the central topic. */
  route: 'trailcheck.route',
  /** The OUs (or root) the listed accounts sit in directly. */
  ous: 'trailcheck.ous',
} as const;

/** SNS takes at most 10 message attributes per message. */
export const MAX_ATTRIBUTES = 10;

/** A channel that rides in the one publish: its body, under its SNS protocol key. */
export interface SnsPart {
  /** `default` (required: what every protocol without a body of its own receives), or a protocol: `email`, `https`, `sqs`, `lambda`, `sms`, … */
  key: string;
  render(doc: AlertDocument): string;
}

export interface SnsMessage extends JsonMessage {
  /** Accounts to list that did not fit and are only counted. */
  omittedAccounts: number;
  /** The document as the parts rendered it: the accounts that fit, and the subject as SNS carries it. */
  document: AlertDocument;
}

export interface PublishResult {
  published: boolean;
  messageId?: string;
  omittedAccounts?: number;
  kind?: AlertKind;
  /** Why nothing was sent. */
  reason?: string;
}

export interface SnsDeps {
  /** Publishes one JSON-structured message to the topic (aws/sns.ts `publishJsonMessage`, bound to it). */
  publish: (message: JsonMessage) => Promise<{ messageId?: string }>;
  /** The channels that ride in the message (./sns-parts.ts). */
  parts: SnsPart[];
  maxBytes?: number;
}

/** Publishes the alert once, when the plan says to send it. A failed publish throws. */
export async function deliverBySns(doc: AlertDocument, deps: SnsDeps): Promise<PublishResult> {
  if (!doc.send) return { published: false, reason: doc.reason };
  const m = composeSnsMessage(doc, deps.parts, deps.maxBytes);
  const { messageId } = await deps.publish({ subject: m.subject, message: m.message, attributes: m.attributes });
  return { published: true, messageId, omittedAccounts: m.omittedAccounts, kind: doc.kind };
}

/** The message: as many accounts as fit within `maxBytes` (attributes included), every part rendered from the same ones. */
export function composeSnsMessage(doc: AlertDocument, parts: SnsPart[], maxBytes = MAX_MESSAGE_BYTES): SnsMessage {
  const keys = parts.map((p) => p.key);
  if (!keys.includes('default')) throw new Error('An SNS message with MessageStructure "json" needs a "default" body: no part renders it');
  if (new Set(keys).size !== keys.length) throw new Error(`Two parts render the same SNS key (${keys.join(', ')})`);
  const subject = toSubject(doc.subject);
  // Over every account the document lists, shown or only counted: a filter must not depend on the size limit.
  const attributes = messageAttributes(doc);
  const build = (n: number): SnsMessage => {
    const shown = { ...firstAccounts(doc, n), subject };
    const body: Record<string, string> = {};
    for (const part of parts) body[part.key] = part.render(shown);
    return { subject, message: JSON.stringify(body), attributes, omittedAccounts: shown.omittedAccounts, document: shown };
  };
  const size = (m: SnsMessage) => Buffer.byteLength(m.message) + attributesBytes(m.attributes);
  const listed = doc.accounts.length;
  let best = build(listed);
  if (size(best) <= maxBytes) return best;
  // Largest number of accounts that fits (message size grows with n).
  let lo = 0;
  let hi = listed - 1;
  best = build(0);
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = build(mid);
    if (size(candidate) <= maxBytes) {
      best = candidate;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** SNS subjects: ASCII, no line breaks, under 100 characters. */
export function toSubject(s: string): string {
  const ascii = s.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= MAX_SUBJECT_CHARS ? ascii : `${ascii.slice(0, MAX_SUBJECT_CHARS - 3)}...`;
}

/**
 * Attributes for filter policies: the FAIL and ERROR (+ run error) totals (numbers), the kind of
 * message, and the change kinds and statuses of the accounts it lists (string arrays, so a policy
 * such as `{"trailcheck.change": ["new-fail", "new-error"]}` matches a message listing any of them);
 * on a route's topic the route's name; and the OU ids the listed accounts sit in directly. At
 * most 7 of SNS's 10.
 */
export function messageAttributes(doc: AlertDocument): MessageAttributes {
  const attrs: MessageAttributes = {
    [ATTRIBUTES.fail]: { DataType: 'Number', StringValue: String(doc.summary.FAIL) },
    [ATTRIBUTES.error]: { DataType: 'Number', StringValue: String(doc.summary.ERROR + doc.summary.runErrors) },
    [ATTRIBUTES.kind]: { DataType: 'String', StringValue: doc.kind },
  };
  const listed = doc.accounts;
  const changes: string[] = CHANGE_KINDS.filter((k) => listed.some((a) => a.change === k));
  if (doc.changes.newRunErrors.length > 0) changes.push('run-error');
  const statuses = (['ERROR', 'FAIL', 'PASS'] as const).filter((s) => listed.some((a) => a.status === s));
  if (changes.length) attrs[ATTRIBUTES.change] = { DataType: 'String.Array', StringValue: JSON.stringify(changes) };
  if (statuses.length) attrs[ATTRIBUTES.status] = { DataType: 'String.Array', StringValue: JSON.stringify(statuses) };
  if (doc.route) attrs[ATTRIBUTES.route] = { DataType: 'String', StringValue: doc.route };
  // Ids only, as Organizations spells them (a malformed one is left out, never passed on to a filter).
  const ous = [...new Set(listed.flatMap((a) => (a.ouId && (PATTERNS.ouId.test(a.ouId) || PATTERNS.rootId.test(a.ouId)) ? [a.ouId] : [])))].sort();
  if (ous.length) attrs[ATTRIBUTES.ous] = { DataType: 'String.Array', StringValue: JSON.stringify(ous) };
  return attrs;
}

/** What SNS counts of the attributes toward the 256 KiB limit: names, types and values. */
function attributesBytes(attrs: MessageAttributes): number {
  return Object.entries(attrs).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v.DataType) + Buffer.byteLength(v.StringValue), 0);
}
