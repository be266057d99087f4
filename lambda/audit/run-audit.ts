/**
 * The audit, as a short list of steps passing plain data: identify the caller → list accounts
 * (with filters) → audit accounts (pool, deadline, org-trail cache) → assemble the report. Every
 * account Organizations lists appears in the report exactly once, whatever fails, and the report
 * is produced before the deadline. The run's shared state (credentials with their AssumeRole
 * pacing, the org-trail cache, the trail listings) is made here and handed to the audit step.
 */
import { clientsFor, type AwsClients } from '../aws/clients';
import { AccountCredentials } from '../aws/credentials';
import { describeTrails } from '../aws/trails';
import type { AuditConfig } from '../config';
import type { AuditReport } from '../report-format';
import { accountScope, ListedAccounts, resolveOuFilter } from './account-scope';
import { assembleReport } from './assemble-report';
import { auditAccounts } from './audit-accounts';
import { startDeadline } from './deadline';
import { startRun } from './run-session';
import { listAccounts } from './list-accounts';
import { orgTrailCacheFor } from './org-trail-reads';
import { silentLogger, type Logger, type Progress } from './run-types';
import { TrailListings } from './trail-listings';

export { RunError, silentLogger, type Logger, type Progress } from './run-types';

export interface RunOptions {
  /** Epoch milliseconds by which the report must be ready. */
  deadline?: number;
  clients?: AwsClients;
  log?: Logger;
  onProgress?: (p: Progress) => void;
}

/**
 * The report, and the run's credentials for the steps after it that act in each account
 * (Security Hub findings are imported from the finding's own account): the roles assumed for the
 * audit are reused, not assumed again.
 */
export interface AuditSession {
  report: AuditReport;
  credentials: AccountCredentials;
}

export async function runAudit(config: AuditConfig, options: RunOptions = {}): Promise<AuditReport> {
  return (await runAuditSession(config, options)).report;
}

export async function runAuditSession(config: AuditConfig, options: RunOptions = {}): Promise<AuditSession> {
  const started = Date.now();
  const clients = options.clients ?? clientsFor(config);
  const deadline = startDeadline(options.deadline, started);
  const { signal } = deadline;
  // Throttled and transient calls are retried while the deadline allows (without one: maxAttempts).
  const restoreRetries = clients.retryUntil(options.deadline, signal);
  try {
    const { caller, runId, credentials } = await startRun(config, clients, started, signal);
    const org = clients.organizations(config.region);
    const ouMembers = await resolveOuFilter(org, config, signal);
    const scope = accountScope(config, ouMembers);
    const listed = new ListedAccounts();
    const listings = new TrailListings(async (accountId) => describeTrails(clients.cloudTrail(config.region, await credentials.forAccount(accountId)), accountId, signal));
    // Only an account Organizations lists (and no filter excludes) is read as an owner.
    const orgTrails = orgTrailCacheFor({ clients, credentials, listings, signal, ownerAudited: async (id) => scope(id) === undefined && (await listed.includes(id)) });
    const progress = (done: number) => options.onProgress?.({ listed: listed.size, done, listingComplete: listed.complete });
    const log = options.log ?? silentLogger;
    const audits = auditAccounts({ config, clients, credentials, orgTrails, listings, scope, ouMembers, callerAccountId: caller.accountId, signal, deadlineReached: deadline.reached, log, onDone: progress });
    const listing = await listAccounts({ org, config, callerAccountId: caller.accountId, listed, signal, deadlineReached: deadline.reached, onAccount: audits.audit, onPage: () => progress(audits.done()) });
    const accounts = await audits.reports();
    const report = assembleReport({ config, runId, caller, startedAt: started, finishedAt: Date.now(), listing, accounts, deadlineReached: signal.aborted });
    return { report, credentials };
  } finally {
    restoreRetries();
    deadline.stop();
    if (!options.clients) clients.close();
  }
}
