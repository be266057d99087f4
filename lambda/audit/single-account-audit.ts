/**
 * The audit of one account (the real-time audit's): the same steps as the scheduled audit
 * (./run-audit.ts) with one account in scope, read with `DescribeAccount` instead of listing the
 * organization: identify the caller → describe the account → audit it (credentials, trail
 * listings, the organization-trail cache: an organization trail is read from its owner, as
 * today) → assemble a report of that one account. An account Organizations does not know has
 * left: the report is empty and says so (`left`).
 */
import { describeAccount, organizationFromAccountArn, type OrgAccount } from '../aws/accounts';
import type { AwsClients } from '../aws/clients';
import { describeCallError, toCallError } from '../aws/errors';
import { describeTrails } from '../aws/trails';
import type { AuditConfig } from '../config';
import { accountScope, ListedAccounts, resolveOuFilter } from './account-scope';
import { assembleReport } from './assemble-report';
import { auditAccounts } from './audit-accounts';
import { startDeadline } from './deadline';
import { startRun } from './run-session';
import type { AccountListing } from './list-accounts';
import { orgTrailCacheFor } from './org-trail-reads';
import type { AuditSession } from './run-audit';
import { RunError, silentLogger, type Logger } from './run-types';
import { TrailListings } from './trail-listings';

export interface SingleAccountSession extends AuditSession {
  /** Organizations does not know the account (AccountNotFoundException): it left, or never joined. */
  left: boolean;
}

export interface SingleAuditOptions {
  clients: AwsClients;
  /** Epoch milliseconds by which the report must be ready. */
  deadline?: number;
  log?: Logger;
}

export async function runSingleAccountAudit(config: AuditConfig, accountId: string, options: SingleAuditOptions): Promise<SingleAccountSession> {
  const started = Date.now();
  const { clients } = options;
  const deadline = startDeadline(options.deadline, started);
  const { signal } = deadline;
  const restoreRetries = clients.retryUntil(options.deadline, signal);
  try {
    const { caller, runId, credentials } = await startRun(config, clients, started, signal);
    const org = clients.organizations(config.region);
    const members = memberLookup((id) => describeAccount(org, id, signal));
    const described = await describeOne(members, accountId, config.region, signal);
    const ouMembers = await resolveOuFilter(org, config, signal);
    const scope = accountScope(config, ouMembers);
    const listed = new ListedAccounts();
    if (!('left' in described)) listed.add(accountId);
    listed.end();
    const listings = new TrailListings(async (id) => describeTrails(clients.cloudTrail(config.region, await credentials.forAccount(id)), id, signal));
    // An organization trail is read as its owner when the owner is a member in scope, as in the scheduled run.
    const ownerAudited = async (id: string) => scope(id) === undefined && (id === accountId ? listed.has(id) : !('left' in (await members(id).catch(() => ({ left: true as const })))));
    const orgTrails = orgTrailCacheFor({ clients, credentials, listings, signal, ownerAudited });
    const audits = auditAccounts({ config, clients, credentials, orgTrails, listings, scope, ouMembers, callerAccountId: caller.accountId, signal, deadlineReached: deadline.reached, log: options.log ?? silentLogger });
    if (!('left' in described)) audits.audit(described);
    const accounts = await audits.reports();
    const listing = listingOf(described, accountId);
    const report = assembleReport({ config: { ...config, accounts: [accountId] }, runId, caller, startedAt: started, finishedAt: Date.now(), listing, accounts, deadlineReached: signal.aborted });
    return { report, credentials, left: 'left' in described };
  } finally {
    restoreRetries();
    deadline.stop();
  }
}

/** DescribeAccount, once per account in this run (the audited account, and an organization trail's owner). */
function memberLookup(describe: (id: string) => Promise<OrgAccount | { left: true }>) {
  const seen = new Map<string, Promise<OrgAccount | { left: true }>>();
  return (id: string) => {
    let pending = seen.get(id);
    if (!pending) {
      pending = describe(id);
      pending.catch(() => undefined);
      seen.set(id, pending);
    }
    return pending;
  };
}

async function describeOne(members: (id: string) => Promise<OrgAccount | { left: true }>, accountId: string, region: string, signal: AbortSignal): Promise<OrgAccount | { left: true }> {
  try {
    return await members(accountId);
  } catch (err) {
    const e = toCallError(err, 'organizations:DescribeAccount', { accountId, region }, signal);
    throw new RunError(`Could not read account ${accountId} from Organizations (${describeCallError(e)}); the account was not re-audited.`);
  }
}

/** What the scheduled run's listing would say, for one account. */
function listingOf(described: OrgAccount | { left: true }, accountId: string): AccountListing {
  if ('left' in described) return { organization: { available: true }, pages: 0, errors: [], notes: [`Account ${accountId} is not in the organization (DescribeAccount: AccountNotFoundException): it left, and is no longer audited.`] };
  const org = organizationFromAccountArn(described.arn);
  return { organization: { available: true, ...(org ?? {}) }, pages: 0, errors: [], notes: [] };
}
