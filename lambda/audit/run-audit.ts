/**
 * The whole run: who am I → which accounts → each account audited with bounded concurrency as
 * listing pages arrive → the report. Every account Organizations lists appears in the report
 * exactly once, whatever fails, and the report is produced before the deadline.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { setMaxListeners } from 'node:events';
import { accountsUnderOus, listAccountPages, organizationFromAccountArn, type OrgAccount } from '../aws/accounts';
import { AwsClients } from '../aws/clients';
import { AccountCredentials, partitionOf } from '../aws/credentials';
import { describeCallError, toCallError } from '../aws/errors';
import { describeTrails } from '../aws/trails';
import type { AuditConfig } from '../config';
import { errorVerdict, skippedVerdict } from '../rule/evaluate';
import type { AccountVerdict, CallError, Finding, TrailFacts } from '../rule/types';
import { REPORT_SCHEMA_VERSION, summarize, type AccountReport, type AuditReport, type RunInfo } from '../report-format';
import { VERSION } from '../version';
import { auditAccount, fetchTrailDetails, timeoutVerdict } from './account-audit';
import { OrgTrailCache } from './org-trails';
import { createPool } from '../concurrency';
import { TrailListings } from './trail-listings';

/** The longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Logger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface Progress {
  listed: number;
  done: number;
  listingComplete: boolean;
}

export interface RunOptions {
  /** Epoch milliseconds by which the report must be ready. */
  deadline?: number;
  clients?: AwsClients;
  log?: Logger;
  onProgress?: (p: Progress) => void;
}

/** A fatal problem before any account could be audited (credentials, OU filter). */
export class RunError extends Error {
  override readonly name = 'RunError';
}

export async function runAudit(config: AuditConfig, options: RunOptions = {}): Promise<AuditReport> {
  const started = Date.now();
  const log = options.log ?? silentLogger;
  const clients = options.clients ?? new AwsClients({ maxAttempts: config.maxAttempts, callTimeoutMs: config.callTimeoutMs, maxSockets: Math.max(50, config.concurrency * 4) });
  const controller = new AbortController();
  // Every in-flight call listens on the run's signal (and removes its listener when done).
  setMaxListeners(0, controller.signal);
  // setTimeout fires at once for delays beyond 2^31-1 ms (about 24.8 days): no timer is needed then.
  const untilDeadline = options.deadline === undefined ? undefined : Math.max(0, options.deadline - started);
  const deadlineTimer = untilDeadline !== undefined && untilDeadline <= MAX_TIMER_MS ? setTimeout(() => controller.abort(), untilDeadline) : undefined;
  deadlineTimer?.unref();
  const signal = controller.signal;
  // Throttled and transient calls are retried while the deadline allows (without one: maxAttempts).
  const restoreRetries = clients.retryUntil(options.deadline, signal);
  const deadlineReached = new Promise<'deadline'>((resolve) => signal.addEventListener('abort', () => resolve('deadline'), { once: true }));

  try {
    const sts = clients.stsClient(config.region);
    let identity;
    try {
      identity = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
    } catch (err) {
      const e = toCallError(err, 'sts:GetCallerIdentity', { region: config.region }, signal);
      throw new RunError(`Could not tell which AWS account these credentials belong to (${describeCallError(e)}). Check the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID) and the region.`);
    }
    if (!identity.Account || !identity.Arn) throw new RunError('sts:GetCallerIdentity returned no Account or Arn: the response is malformed.');
    const callerAccountId = identity.Account;
    const partition = partitionOf(identity.Arn);
    const runId = makeRunId(started);

    const credentials = new AccountCredentials(
      clients.assumeRole(config.region),
      {
        partition,
        roleName: config.roleName,
        externalId: config.externalId,
        sessionName: `trailcheck-${runId}`,
        ownAccountId: callerAccountId,
        assumeRolePerSecond: config.assumeRolePerSecond,
      },
      signal,
    );
    const org = clients.organizations(config.region);

    let ouMembers: Map<string, string> | undefined;
    if (config.ous) {
      try {
        ouMembers = await accountsUnderOus(org, config.ous, signal);
      } catch (err) {
        const e = toCallError(err, 'organizations:ListAccountsForParent/ListOrganizationalUnitsForParent', { region: config.region }, signal);
        throw new RunError(`Could not resolve the OU filter ${config.ous.join(', ')} (${describeCallError(e)}). Check the OU ids, and that these credentials may read the organization.`);
      }
    }

    const excluded = (id: string): string | undefined => {
      if (config.excludeAccounts?.includes(id)) return 'excluded by configuration (exclude-accounts)';
      if (config.accounts && !config.accounts.includes(id)) return 'not in the accounts selected by configuration (accounts)';
      if (ouMembers && !ouMembers.has(id)) return `not under the selected OUs (${config.ous?.join(', ')})`;
      return undefined;
    };

    const listings = new TrailListings(async (accountId) =>
      describeTrails(clients.cloudTrail(config.region, await credentials.forAccount(accountId)), accountId, signal),
    );
    const orgTrails = new OrgTrailCache(
      async (accountId, trail) => {
        let creds;
        try {
          creds = await credentials.forAccount(accountId);
        } catch (err) {
          return { ok: false, error: toCallError(err, 'sts:AssumeRole', { accountId }, signal) };
        }
        if (accountId === trail.ownerAccountId) {
          const contradiction = await ownerContradicts(listings, trail, signal);
          if (contradiction) return { ok: false, error: contradiction };
        }
        return fetchTrailDetails(clients.cloudTrail(trail.homeRegion, creds), accountId, trail, signal);
      },
      // Only an account Organizations lists (and no filter excludes) is read as an owner.
      async (accountId) => excluded(accountId) === undefined && (await listed(accountId)),
    );

    const pool = createPool(config.concurrency);
    const entries: Array<Promise<AccountReport>> = [];
    const seen = new Set<string>();
    // Whether Organizations lists an account in this run: at once when it has, else when the listing ends.
    let listingEnded: () => void = () => undefined;
    const listingDone = new Promise<void>((resolve) => (listingEnded = resolve));
    const listed = async (accountId: string): Promise<boolean> => seen.has(accountId) || (await listingDone, seen.has(accountId));
    const runErrors: Finding[] = [];
    const notes: string[] = [];
    let organization: RunInfo['organization'] = { available: true };
    let done = 0;
    let listingComplete = false;
    const progress = () => options.onProgress?.({ listed: seen.size, done, listingComplete });

    const schedule = (account: OrgAccount, warnings: Finding[] = []) => {
      if (seen.has(account.id)) {
        notes.push(`Organizations listed account ${account.id} more than once; it is reported once.`);
        return;
      }
      seen.add(account.id);
      const report = (verdict: AccountVerdict, durationMs?: number): AccountReport => {
        done += 1;
        progress();
        return {
          accountId: account.id,
          accountName: account.name,
          ...(account.state ? { state: account.state } : {}),
          ...(ouMembers?.get(account.id) ? { ouId: ouMembers.get(account.id) } : {}),
          status: verdict.status,
          reasons: verdict.reasons,
          warnings: [...warnings, ...verdict.warnings],
          ...(verdict.qualifyingTrailArn ? { qualifyingTrailArn: verdict.qualifyingTrailArn } : {}),
          ...(verdict.closestTrailArn ? { closestTrailArn: verdict.closestTrailArn } : {}),
          trails: verdict.trails,
          remediation: verdict.remediation,
          ...(verdict.status === 'SKIPPED' ? {} : { auditedWith: account.id === callerAccountId ? 'own-credentials' : 'assumed-role' }),
          ...(durationMs !== undefined ? { durationMs } : {}),
        };
      };

      if (account.state !== undefined && account.state !== 'ACTIVE') {
        entries.push(Promise.resolve(report(skippedVerdict('NOT_ACTIVE', `The account is ${account.state} in Organizations, not ACTIVE.`))));
        return;
      }
      const why = excluded(account.id);
      if (why) {
        entries.push(Promise.resolve(report(skippedVerdict('EXCLUDED', `The account is ${why}.`))));
        return;
      }
      if (account.state === undefined) {
        warnings.push({ code: 'ACCOUNT_STATE_UNKNOWN', message: 'Organizations reported no State for this account; it was evaluated as if ACTIVE.' });
      }
      entries.push(
        pool(async () => {
          if (signal.aborted) return report(errorVerdict('TIMEOUT', 'The run reached its deadline before this account could start.', ['Raise the function timeout or the concurrency, or audit fewer accounts per run.']));
          const t0 = Date.now();
          const verdict = await Promise.race([
            auditAccount(account, { clients, credentials, orgTrails, listings, region: config.region, rule: { strict: config.strict }, roleName: config.roleName, abortSignal: signal }).catch(
              (err: unknown) => errorVerdict('INTERNAL_ERROR', `trailcheck failed on this account: ${(err as Error)?.message ?? String(err)}`),
            ),
            deadlineReached.then(() => timeoutVerdict('the account audit')),
          ]);
          log.debug('account audited', { accountId: account.id, status: verdict.status, ms: Date.now() - t0 });
          return report(verdict, Date.now() - t0);
        }),
      );
    };

    let pages = 0;
    try {
      const listing = (async () => {
        for await (const page of listAccountPages(org, signal)) {
          pages += 1;
          if (pages === 1) {
            const o = organizationFromAccountArn(page.accounts[0]?.arn);
            if (o) organization = { available: true, ...o };
          }
          for (const m of page.malformed) runErrors.push({ code: 'MALFORMED_RESPONSE', message: `${m}; that account could not be audited.` });
          page.accounts.forEach((a) => schedule(a));
          progress();
        }
      })();
      const outcome = await Promise.race([listing.then(() => 'listed' as const), deadlineReached]);
      if (outcome === 'deadline') {
        runErrors.push({ code: 'LISTING_INCOMPLETE', message: `The run reached its deadline while listing accounts: ${seen.size} accounts listed in ${pages} page(s); accounts after those are not in this report.` });
        listing.catch(() => undefined);
      }
    } catch (err) {
      const e = toCallError(err, 'organizations:ListAccounts', { region: config.region }, signal);
      if (pages === 0 && /AWSOrganizationsNotInUse|AccessDenied/.test(e.code)) {
        const reason =
          e.code.includes('NotInUse')
            ? `account ${callerAccountId} is not in an AWS Organization`
            : `account ${callerAccountId} may not list the organization's accounts (${e.code}); run trailcheck in the management account or a delegated administrator`;
        organization = { available: false, reason };
        notes.push(`Only this account (${callerAccountId}) was audited: ${reason}.`);
        if (config.requireOrganization) runErrors.push({ code: 'ORGANIZATION_UNAVAILABLE', message: `Organizations: ${describeCallError(e)}; only ${callerAccountId} was audited.` });
        schedule({ id: callerAccountId, name: '(this account)', state: 'ACTIVE' });
      } else {
        runErrors.push({
          code: 'LISTING_INCOMPLETE',
          message: `${describeCallError(e)} after ${pages} page(s): ${seen.size} accounts listed; accounts after those are not in this report.`,
        });
      }
    }
    listingComplete = true;
    listingEnded();
    // ListAccounts always lists the management account: an empty listing is not an empty organization.
    if (organization.available && seen.size === 0 && runErrors.length === 0) {
      runErrors.push({
        code: 'EMPTY_LISTING',
        message: `organizations:ListAccounts listed no account at all in ${pages} page(s); an organization always lists at least its management account, so nothing was audited. Check the caller's access to Organizations and run again.`,
      });
    }

    for (const id of config.accounts ?? []) {
      if (!seen.has(id) && organization.available && !runErrors.some((r) => r.code === 'LISTING_INCOMPLETE' || r.code === 'EMPTY_LISTING')) {
        runErrors.push({ code: 'ACCOUNT_NOT_FOUND', message: `Account ${id} was selected by configuration but is not in the organization.` });
      }
    }

    const accounts = await Promise.all(entries);
    const finished = Date.now();
    return {
      schemaVersion: REPORT_SCHEMA_VERSION,
      tool: { name: 'trailcheck', version: VERSION },
      run: {
        id: runId,
        startedAt: new Date(started).toISOString(),
        finishedAt: new Date(finished).toISOString(),
        durationMs: finished - started,
        callerAccountId,
        callerArn: identity.Arn,
        partition,
        region: config.region,
        roleName: config.roleName,
        strict: config.strict,
        organization,
        filters: {
          ...(config.accounts ? { accounts: config.accounts } : {}),
          ...(config.excludeAccounts ? { excludeAccounts: config.excludeAccounts } : {}),
          ...(config.ous ? { ous: config.ous } : {}),
        },
        deadlineReached: signal.aborted,
        errors: runErrors,
        notes: [...new Set(notes)],
      },
      summary: summarize(accounts, runErrors.length),
      accounts,
    };
  } finally {
    restoreRetries();
    if (deadlineTimer) clearTimeout(deadlineTimer);
    if (!options.clients) clients.close();
  }
}

/** Sortable and valid in an STS session name: `20261122T015200Z-3f9a`. */
function makeRunId(at: number): string {
  const iso = new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${iso}-${Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0')}`;
}

/**
 * What the owner's own DescribeTrails says of an organization trail a member sees: nothing when it
 * agrees; a malformed-response error when the owner does not list it, lists it as not an
 * organization trail, or disagrees on multi-region. A failed listing is an ordinary call error.
 */
async function ownerContradicts(listings: TrailListings, trail: TrailFacts, signal: AbortSignal): Promise<CallError | undefined> {
  const where = { accountId: trail.ownerAccountId, region: trail.homeRegion };
  let own: TrailFacts[];
  try {
    own = await listings.forAccount(trail.ownerAccountId);
  } catch (err) {
    return toCallError(err, 'cloudtrail:DescribeTrails', where, signal);
  }
  const mine = own.find((t) => t.arn === trail.arn);
  const problem = !mine
    ? 'does not list it'
    : !mine.isOrganizationTrail
      ? 'lists it as not an organization trail'
      : mine.isMultiRegionTrail !== trail.isMultiRegionTrail
        ? `lists it with IsMultiRegionTrail ${mine.isMultiRegionTrail}`
        : undefined;
  if (!problem) return undefined;
  return { call: 'cloudtrail:DescribeTrails', code: 'MalformedResponse', message: `the owner account's own DescribeTrails ${problem}, so it is not an organization trail this account can rely on`, ...where };
}
