/**
 * One account, end to end: credentials → trails → status and selectors → verdict.
 * Every failure becomes evidence in the verdict (ERROR with the call and AWS's code); nothing throws.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import type { OrgAccount } from '../aws/accounts';
import type { AwsClients, CloudTrailApi } from '../aws/clients';
import type { AccountCredentials } from '../aws/credentials';
import { describeCallError, isAccessDenied, toCallError } from '../aws/errors';
import { TrailCallError, trailStatusAndSelectors } from '../aws/trails';
import { errorVerdict, evaluateAccount } from '../rule/evaluate';
import type { AccountVerdict, RuleOptions, TrailDetails, TrailFacts } from '../rule/types';
import type { OrgTrailCache } from './org-trails';
import type { TrailListings } from './trail-listings';

export interface AccountAuditDeps {
  clients: AwsClients;
  credentials: AccountCredentials;
  orgTrails: OrgTrailCache;
  /** Each account's DescribeTrails (shadow trails included, in `region`), read once per run. */
  listings: TrailListings;
  /** The region DescribeTrails is called in. */
  region: string;
  rule: RuleOptions;
  roleName: string;
  abortSignal: AbortSignal;
}

export async function auditAccount(account: OrgAccount, deps: AccountAuditDeps): Promise<AccountVerdict> {
  let credentials: AwsCredentialIdentity | undefined;
  try {
    credentials = await deps.credentials.forAccount(account.id);
  } catch (err) {
    const e = toCallError(err, 'sts:AssumeRole', { accountId: account.id }, deps.abortSignal);
    if (e.code === 'DeadlineExceeded') return timeoutVerdict('AssumeRole');
    return errorVerdict(
      'ASSUME_ROLE_FAILED',
      `Could not assume ${deps.credentials.roleArnFor(account.id)}: ${e.code}: ${e.message}`,
      [
        `Deploy the audit role ${deps.roleName} in account ${account.id} (the member-roles StackSet does this for every account of the organization) and check that its trust policy allows the audit function's role${
          e.code === 'AccessDenied' ? ' and the ExternalId, if one is configured' : ''
        }.`,
      ],
    );
  }

  const clientFor = (region: string) => deps.clients.cloudTrail(region, credentials);

  let trails: TrailFacts[];
  try {
    trails = await deps.listings.forAccount(account.id);
  } catch (err) {
    const e = toCallError(err, 'cloudtrail:DescribeTrails', { accountId: account.id, region: deps.region }, deps.abortSignal);
    if (e.code === 'DeadlineExceeded') return timeoutVerdict('DescribeTrails');
    const code = isAccessDenied(e.code) ? 'ACCESS_DENIED' : e.code === 'MalformedResponse' ? 'MALFORMED_RESPONSE' : 'API_ERROR';
    return errorVerdict(code, `${describeCallError(e)}.`, code === 'ACCESS_DENIED' ? [`Allow cloudtrail:DescribeTrails to ${deps.roleName} in account ${account.id}.`] : []);
  }

  const withDetails = await Promise.all(
    trails.map(async (trail): Promise<TrailFacts> => {
      if (!trail.isMultiRegionTrail) return trail; // can never qualify: no calls spent on it
      const details =
        trail.isOrganizationTrail || trail.ownerAccountId !== account.id
          ? await deps.orgTrails.details(trail, account.id)
          : await fetchTrailDetails(clientFor(trail.homeRegion), account.id, trail, deps.abortSignal);
      return { ...trail, details };
    }),
  );
  if (deps.abortSignal.aborted) return timeoutVerdict('GetTrailStatus/GetEventSelectors');
  return evaluateAccount(withDetails, deps.rule);
}

/** Status and selectors as `accountId`, in the trail's home region; failures become evidence. */
export async function fetchTrailDetails(client: CloudTrailApi, accountId: string, trail: TrailFacts, abortSignal: AbortSignal): Promise<TrailDetails> {
  try {
    const { status, selectors } = await trailStatusAndSelectors(client, trail.arn, abortSignal);
    return { ok: true, status, selectors, source: 'self' };
  } catch (err) {
    const call = err instanceof TrailCallError ? err.call : 'cloudtrail:GetTrailStatus';
    const cause = err instanceof TrailCallError ? err.cause : err;
    return { ok: false, error: toCallError(cause, call, { accountId, region: trail.homeRegion }, abortSignal) };
  }
}

export function timeoutVerdict(stage: string): AccountVerdict {
  return errorVerdict('TIMEOUT', `The run reached its deadline before this account finished (during ${stage}).`, [
    'Raise the function timeout or the concurrency, or audit fewer accounts per run.',
  ]);
}
