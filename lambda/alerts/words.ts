/** What the alert says, in words shared by the channels: the email, Chatbot and Slack renderings. */
import type { ChangeKind } from './changes';
import type { AlertTrail } from './document';

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/**
 * `text` cut to at most `max` characters at a word boundary, ending with `suffix` when cut.
 * Never cuts inside a word (or an HTML entity such as `&amp;`, or a surrogate pair: it cuts only
 * at whitespace); a first word longer than the room is dropped whole, leaving only the suffix.
 */
export function truncateWords(text: string, max: number, suffix = '…'): string {
  if (text.length <= max) return text;
  const room = max - suffix.length;
  if (room <= 0) return suffix.slice(0, max);
  const cut = text.slice(0, room + 1);
  const space = cut.search(/\s\S*$/);
  return `${space > 0 ? text.slice(0, space).trimEnd() : ''}${suffix}`;
}

/** Section titles, by whether there was a previous run to compare with. */
export function changeTitle(change: ChangeKind, compared: boolean): string {
  switch (change) {
    case 'new-error':
      return compared ? 'Newly in ERROR (cannot be audited)' : 'ERROR (cannot be audited)';
    case 'new-fail':
      return compared ? 'Newly failing' : 'Failing';
    case 'resolved':
      return 'Resolved (now PASS)';
    case 'still-failing':
      return 'Still failing';
  }
}

/** A trail in a few words: `tools-trail (us-east-1, multi-region, not logging, management events ALL)`. */
export function describeTrail(t: Omit<AlertTrail, 'arn' | 'result'>): string {
  const facts = [
    t.homeRegion,
    t.isOrganizationTrail ? `organization trail of ${t.ownerAccountId}` : '',
    t.isMultiRegionTrail ? 'multi-region' : 'single-region',
    t.isLogging === undefined ? '' : t.isLogging ? 'logging' : 'not logging',
    t.managementEvents ? `management events ${t.managementEvents}` : '',
  ].filter(Boolean);
  return `${t.name} (${facts.join(', ')})`;
}

/**
 * A remediation step split into its lead-in and the command to run (rendered as code):
 * `aws cloudtrail start-logging …` → command only; `In the organization trail's owner account …: aws …`
 * → both; advice without a command → lead only.
 */
export function splitStep(step: string): { lead?: string; command?: string } {
  if (step.startsWith('aws ')) return { command: step };
  const at = step.indexOf(': aws ');
  if (at >= 0) return { lead: step.slice(0, at + 1), command: step.slice(at + 2) };
  return { lead: step };
}

/** `Prod (ou-ab12-prod0000)`, or the id alone when the name is not known. */
export function ouLabel(a: { ouId?: string; ouName?: string }): string {
  return a.ouName ? `${a.ouName} (${a.ouId})` : `${a.ouId}`;
}

/** An exemption in a few words: `sandbox (owner platform@example.com, until 2026-06-30, ticket SEC-1): the reason`. */
export function describeExemption(e: { id: string; owner: string; expires: string; ticket?: string; reason: string }): string {
  return `${e.id} (owner ${e.owner}, until ${e.expires}${e.ticket ? `, ticket ${e.ticket}` : ''}): ${e.reason}`;
}

/**
 * Why an account fails "newly" after an exemption: it expired, or no longer applies. Absent when neither.
 * `show` formats the exemption's values (Slack escapes them and shows ids as code); the words are the same everywhere.
 */
export function exemptionEndedLine(
  a: { exemptionExpired?: { id: string; owner: string; expires: string }; previousExemption?: { id: string; owner: string; expires: string } },
  show: (field: 'id' | 'owner' | 'expires', value: string) => string = (_field, value) => value,
): string | undefined {
  const e = a.exemptionExpired ?? a.previousExemption;
  if (!e) return undefined;
  const [id, owner] = [show('id', String(e.id)), show('owner', String(e.owner))];
  if (a.exemptionExpired) return `Exemption ${id} expired on ${show('expires', String(e.expires))} (owner ${owner}): no longer exempt.`;
  return `Exemption ${id} (owner ${owner}) no longer applies (removed, or its OU could not be read): no longer exempt.`;
}

/** Section titles of what the alert says about exemptions. */
export const EXEMPTION_TITLES = { expiring: 'Exemptions expiring', unneeded: 'Exemption no longer needed (now PASS)' } as const;
