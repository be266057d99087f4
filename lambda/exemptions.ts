/**
 * Exemptions: accounts (by id, or under an OU) whose failing verdict is accepted for a while, with
 * a reason, an owner and an expiry (docs/deploy.md "Exemptions"). Validated at synth
 * (`trailcheck.exemptions`, lib/config.ts), carried into the function as JSON
 * (`exemptionsForRuntime`), and read again there and by the CLI (`--exemptions FILE`,
 * ./exemptions-file.ts) with the same parser.
 *
 * An exemption is in force through the end of its `expires` day, UTC (`2026-06-30` covers up to
 * 2026-06-30T23:59:59.999Z). At synth a past expiry is an error; at run time an expired exemption
 * is kept, marked `expired`, so the step that applies them (audit/apply-exemptions.ts) can say the
 * exemption ended and the account alert as newly failing.
 *
 * Its `id`, when not given, is derived from what it covers and why (accounts, OUs, reason and
 * owner; not the expiry or the ticket), so renewing an exemption keeps its id. Every string ends
 * up in emails, Slack and Security Hub: bounded, and free of control and bidirectional characters.
 * Pure: no I/O, no dependency beyond node:crypto; bundled into the function and loaded by synth.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from './setting-kinds';
import { PATTERNS } from './settings';

export interface Exemption {
  /** Stable id: given, or `ex-` and 12 hex digits derived from accounts, OUs, reason and owner. */
  id: string;
  /** 12-digit account ids (possibly empty when `ous` is not). */
  accounts: string[];
  /** OU ids (`ou-…`) or the root id (`r-…`): every account under them, recursively. */
  ous: string[];
  reason: string;
  owner: string;
  /** Last day in force, `YYYY-MM-DD`, UTC. */
  expires: string;
  ticket?: string;
  /** Run time only: the expiry day is over. */
  expired?: boolean;
}

export interface ParseExemptionsOptions {
  now: Date;
  /** The furthest expiry accepted, in days from `now` (setting `exemptionMaxDays`). */
  maxDays: number;
  /** At synth a past expiry is an error; at run time the exemption is kept and marked expired. */
  atSynth: boolean;
}

/** Fields an exemption accepts; anything else is a mistake (a typo would otherwise silently widen nothing, or worse). */
export const EXEMPTION_FIELDS = ['id', 'accounts', 'ous', 'reason', 'owner', 'expires', 'ticket'] as const;

/** Bounds of each text field (the Security Hub finding's Description is at most 1,024 characters and carries reason, owner and ticket). */
export const EXEMPTION_LIMITS = { reason: 500, owner: 200, ticket: 200, accounts: 1000, ous: 100, exemptions: 1000 } as const;

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** C0 and C1 controls, DEL, line and paragraph separators, bidirectional embeddings, overrides and isolates. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const DAY_MS = 86_400_000;

/** Reads a list of exemptions; throws a ConfigError naming `key[i].field` and how to fix it. */
export function parseExemptions(value: unknown, key: string, opts: ParseExemptionsOptions): Exemption[] {
  if (!Array.isArray(value)) throw new ConfigError(`${key}: expected a list of exemptions (each { accounts and/or ous, reason, owner, expires }), got ${shown(value)}`);
  if (value.length > EXEMPTION_LIMITS.exemptions) throw new ConfigError(`${key}: at most ${EXEMPTION_LIMITS.exemptions} exemptions, got ${value.length}; cover accounts by OU instead`);
  const out = value.map((item, i) => parseExemption(item, `${key}[${i}]`, opts));
  const seen = new Map<string, number>();
  out.forEach((e, i) => {
    const first = seen.get(e.id);
    if (first !== undefined) throw new ConfigError(`${key}[${i}].id: ${JSON.stringify(e.id)} is also the id of ${key}[${first}]; give each exemption its own id (or merge the two)`);
    seen.set(e.id, i);
  });
  return out;
}

function parseExemption(item: unknown, key: string, opts: ParseExemptionsOptions): Exemption {
  if (typeof item !== 'object' || item === null || Array.isArray(item) || item instanceof Date) {
    throw new ConfigError(`${key}: expected an exemption object { accounts and/or ous, reason, owner, expires }, got ${shown(item)}`);
  }
  const obj = item as Record<string, unknown>;
  for (const field of Object.keys(obj)) {
    if (!(EXEMPTION_FIELDS as readonly string[]).includes(field)) {
      const hint = field === '<<' ? ' (YAML merge keys are not supported: write the fields out)' : '';
      throw new ConfigError(`${key}.${field}: unknown field${hint}; expected only ${EXEMPTION_FIELDS.join(', ')}`);
    }
  }
  const accounts = idList(obj.accounts, `${key}.accounts`, PATTERNS.accountId, 'a 12-digit account id as a string (quote it in YAML: "012345678901")', EXEMPTION_LIMITS.accounts);
  const ous = idList(obj.ous, `${key}.ous`, { test: (v) => PATTERNS.ouId.test(v) || PATTERNS.rootId.test(v) }, 'an OU id such as ou-ab12-cd34ef56 (or the root id r-ab12)', EXEMPTION_LIMITS.ous);
  if (accounts.length === 0 && ous.length === 0) throw new ConfigError(`${key}: expected accounts and/or ous (what the exemption covers); give at least one account id or OU id`);
  const reason = text(obj.reason, `${key}.reason`, EXEMPTION_LIMITS.reason, 'why the account may fail, e.g. "sandbox; logging handled by the vendor"');
  const owner = text(obj.owner, `${key}.owner`, EXEMPTION_LIMITS.owner, 'who answers for it, e.g. "platform-team@example.com"');
  const ticket = obj.ticket === undefined ? undefined : text(obj.ticket, `${key}.ticket`, EXEMPTION_LIMITS.ticket, 'a ticket reference such as SEC-1234');
  const expires = expiry(obj.expires, `${key}.expires`, opts);
  const id = obj.id === undefined ? derivedId(accounts, ous, reason, owner) : typeof obj.id === 'string' && ID.test(obj.id) ? obj.id : badId(obj.id, `${key}.id`);
  const expired = !inForce(expires, opts.now);
  return { id, accounts, ous, reason, owner, expires, ...(ticket !== undefined ? { ticket } : {}), ...(expired ? { expired: true } : {}) };
}

function idList(v: unknown, key: string, re: { test(v: string): boolean }, expected: string, max: number): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ConfigError(`${key}: expected a list (each ${expected}), got ${shown(v)}`);
  if (v.length > max) throw new ConfigError(`${key}: at most ${max} ids, got ${v.length}`);
  v.forEach((x, i) => {
    if (typeof x !== 'string' || !re.test(x)) throw new ConfigError(`${key}[${i}]: expected ${expected}, got ${shown(x)}`);
  });
  return [...new Set(v as string[])];
}

function text(v: unknown, key: string, max: number, example: string): string {
  if (v === undefined) throw new ConfigError(`${key}: required; expected ${example}`);
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(`${key}: expected a non-empty string (${example}), got ${shown(v)}`);
  if (CONTROL.test(v)) throw new ConfigError(`${key}: contains a control, line-break or bidirectional character (it is shown in emails, Slack and Security Hub); write it on one line of plain text`);
  if (v.length > max) throw new ConfigError(`${key}: at most ${max} characters, got ${v.length}; shorten it (link a ticket for the details)`);
  return v.trim();
}

function expiry(v: unknown, key: string, opts: ParseExemptionsOptions): string {
  if (v === undefined) throw new ConfigError(`${key}: required; expected the last day the exemption is in force, YYYY-MM-DD (UTC), at most ${opts.maxDays} days from now`);
  if (v instanceof Date) throw new ConfigError(`${key}: expected a date as the string YYYY-MM-DD, got a date-time value (${shown(v)}); write it as a string (quote it in YAML: expires: "2026-06-30")`);
  const m = typeof v === 'string' ? DATE.exec(v) : null;
  const end = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  // Date.UTC rolls 2026-02-30 over to March: a real date reads back as itself.
  if (!m || !Number.isFinite(end) || new Date(end).toISOString().slice(0, 10) !== v) {
    throw new ConfigError(`${key}: expected a calendar date YYYY-MM-DD (UTC) such as 2026-06-30, got ${shown(v)}`);
  }
  const date = v as string;
  const latestMs = Date.UTC(opts.now.getUTCFullYear(), opts.now.getUTCMonth(), opts.now.getUTCDate()) + opts.maxDays * DAY_MS;
  const latest = Number.isFinite(new Date(latestMs).getTime()) ? new Date(latestMs).toISOString().slice(0, 10) : '9999-12-31';
  if (end > latestMs) throw new ConfigError(`${key}: ${date} is more than ${opts.maxDays} days from now (exemptionMaxDays); expected ${latest} or earlier: renew the exemption when it is due instead`);
  if (opts.atSynth && !inForce(date, opts.now)) {
    throw new ConfigError(`${key}: ${date} is in the past (the exemption has expired); renew it with a later date (at most ${latest}) or remove it`);
  }
  return date;
}

function badId(v: unknown, key: string): never {
  throw new ConfigError(`${key}: expected 1-64 characters of letters, digits and ._- (starting with a letter or digit), got ${shown(v)}; or leave it out to derive one`);
}

function derivedId(accounts: string[], ous: string[], reason: string, owner: string): string {
  const canonical = JSON.stringify([[...accounts].sort(), [...ous].sort(), reason, owner]);
  return `ex-${createHash('sha256').update(canonical).digest('hex').slice(0, 12)}`;
}

function shown(v: unknown): string {
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.toISOString() : 'an invalid date';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Whether an exemption expiring on `expires` (YYYY-MM-DD) is in force at `now`: through 23:59:59.999Z of that day. */
export function inForce(expires: string, now: Date): boolean {
  return now.getTime() < Date.parse(`${expires}T00:00:00Z`) + DAY_MS;
}

/** Whole days from `now` until the exemption ends (0: it ends today). */
export function daysLeft(expires: string, now: Date): number {
  return Math.floor((Date.parse(`${expires}T00:00:00Z`) + DAY_MS - now.getTime() - 1) / DAY_MS);
}

/** The validated exemptions as the function reads them back (the policy file's `exemptions`, lambda/policy.ts; parsed again with `atSynth: false`): ids made explicit, so a derived id cannot change between synth and run. */
export function exemptionsForRuntime(list: Exemption[]): Array<Omit<Exemption, 'expired'>> {
  return list.map(({ expired: _expired, ...e }) => e);
}
