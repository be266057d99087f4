/**
 * Step 3, audit accounts: each account handed in is audited in the pool (bounded concurrency),
 * raced against the deadline, and becomes one AccountReport. The credentials (with their AssumeRole
 * pacing), the org-trail cache and the trail listings are inputs: one run shares them across its
 * accounts, and a single-account audit passes its own.
 */
import type { OrgAccount } from '../aws/accounts';
import type { AwsClients } from '../aws/clients';
import type { AccountCredentials } from '../aws/credentials';
import type { AuditConfig } from '../config';
import { createPool } from '../concurrency';
import { errorVerdict, skippedVerdict } from '../rule/evaluate';
import type { AccountVerdict, Finding } from '../rule/types';
import type { AccountReport } from '../report-format';
import type { AccountScope } from './account-scope';
import { auditAccount, timeoutVerdict } from './account-audit';
import type { OrgTrailCache } from './org-trails';
import type { Logger } from './run-types';
import type { TrailListings } from './trail-listings';

export interface AuditAccountsInput {
  config: Pick<AuditConfig, 'concurrency' | 'region' | 'strict' | 'roleName'>;
  clients: AwsClients;
  credentials: AccountCredentials;
  orgTrails: OrgTrailCache;
  listings: TrailListings;
  scope: AccountScope;
  /** Account → OU id, from the OU filter. */
  ouMembers?: Map<string, string>;
  callerAccountId: string;
  signal: AbortSignal;
  deadlineReached: Promise<'deadline'>;
  log: Logger;
  /** Called as each account's report is ready, with how many are done. */
  onDone?: (done: number) => void;
}

export interface AccountAudits {
  /** Starts (or skips) one account's audit. */
  audit(account: OrgAccount): void;
  /** Every account's report, in the order handed in. */
  reports(): Promise<AccountReport[]>;
  done(): number;
}

export function auditAccounts(input: AuditAccountsInput): AccountAudits {
  const pool = createPool(input.config.concurrency);
  const entries: Array<Promise<AccountReport>> = [];
  let done = 0;
  const finish = (entry: AccountReport) => {
    done += 1;
    input.onDone?.(done);
    return entry;
  };
  const audit = (account: OrgAccount) => {
    const warnings: Finding[] = [];
    const report = (verdict: AccountVerdict, durationMs?: number) => finish(accountReport(account, verdict, warnings, input, durationMs));
    if (account.state !== undefined && account.state !== 'ACTIVE') {
      entries.push(Promise.resolve(report(skippedVerdict('NOT_ACTIVE', `The account is ${account.state} in Organizations, not ACTIVE.`))));
      return;
    }
    const why = input.scope(account.id);
    if (why) {
      entries.push(Promise.resolve(report(skippedVerdict('EXCLUDED', `The account is ${why}.`))));
      return;
    }
    if (account.state === undefined) {
      warnings.push({ code: 'ACCOUNT_STATE_UNKNOWN', message: 'Organizations reported no State for this account; it was evaluated as if ACTIVE.' });
    }
    entries.push(pool(() => auditInTime(account, input).then(({ verdict, ms }) => report(verdict, ms))));
  };
  return { audit, reports: () => Promise.all(entries), done: () => done };
}

/** One account's verdict, or TIMEOUT when the deadline comes first. */
async function auditInTime(account: OrgAccount, input: AuditAccountsInput): Promise<{ verdict: AccountVerdict; ms?: number }> {
  if (input.signal.aborted) {
    return { verdict: errorVerdict('TIMEOUT', 'The run reached its deadline before this account could start.', ['Raise the function timeout or the concurrency, or audit fewer accounts per run.']) };
  }
  const { config, clients, credentials, orgTrails, listings, signal } = input;
  const t0 = Date.now();
  const verdict = await Promise.race([
    auditAccount(account, { clients, credentials, orgTrails, listings, region: config.region, rule: { strict: config.strict }, roleName: config.roleName, abortSignal: signal }).catch(
      (err: unknown) => errorVerdict('INTERNAL_ERROR', `trailcheck failed on this account: ${(err as Error)?.message ?? String(err)}`),
    ),
    input.deadlineReached.then(() => timeoutVerdict('the account audit')),
  ]);
  input.log.debug('account audited', { accountId: account.id, status: verdict.status, ms: Date.now() - t0 });
  return { verdict, ms: Date.now() - t0 };
}

function accountReport(account: OrgAccount, verdict: AccountVerdict, warnings: Finding[], input: AuditAccountsInput, durationMs?: number): AccountReport {
  const ouId = input.ouMembers?.get(account.id);
  return {
    accountId: account.id,
    accountName: account.name,
    ...(account.state ? { state: account.state } : {}),
    ...(ouId ? { ouId } : {}),
    status: verdict.status,
    reasons: verdict.reasons,
    warnings: [...warnings, ...verdict.warnings],
    ...(verdict.qualifyingTrailArn ? { qualifyingTrailArn: verdict.qualifyingTrailArn } : {}),
    ...(verdict.closestTrailArn ? { closestTrailArn: verdict.closestTrailArn } : {}),
    trails: verdict.trails,
    remediation: verdict.remediation,
    ...(verdict.status === 'SKIPPED' ? {} : { auditedWith: account.id === input.callerAccountId ? 'own-credentials' : 'assumed-role' }),
    ...(durationMs !== undefined ? { durationMs } : {}),
  };
}
