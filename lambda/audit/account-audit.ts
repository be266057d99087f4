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
import { adviceFor, errorKind, type AdviceContext, type ErrorKind } from './advice';
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
  const advice: AdviceContext = { accountId: account.id, roleName: deps.roleName };
  let credentials: AwsCredentialIdentity | undefined;
  try {
    credentials = await deps.credentials.forAccount(account.id);
  } catch (err) {
    const e = toCallError(err, 'sts:AssumeRole', { accountId: account.id }, deps.abortSignal);
    if (e.code === 'DeadlineExceeded') return timeoutVerdict('AssumeRole');
    return errorVerdict('ASSUME_ROLE_FAILED', `Could not assume ${deps.credentials.roleArnFor(account.id)}: ${e.code}: ${e.message}`, adviceFor(e, advice));
  }

  const clientFor = (region: string) => deps.clients.cloudTrail(region, credentials);

  let trails: TrailFacts[];
  try {
    trails = await deps.listings.forAccount(account.id);
  } catch (err) {
    const e = toCallError(err, 'cloudtrail:DescribeTrails', { accountId: account.id, region: deps.region }, deps.abortSignal);
    if (e.code === 'DeadlineExceeded') return timeoutVerdict('DescribeTrails');
    const code = isAccessDenied(e.code) ? 'ACCESS_DENIED' : e.code === 'MalformedResponse' ? 'MALFORMED_RESPONSE' : 'API_ERROR';
    return errorVerdict(code, `${describeCallError(e)}.`, adviceFor(e, advice));
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
  return adviseOnFailedReads(evaluateAccount(withDetails, deps.rule), withDetails, advice);
}

/** Failures the rule's advice for unread trails (grant the reads) does not fix. */
const NOT_A_PERMISSION: ReadonlySet<ErrorKind> = new Set(['throttling', 'network', 'clock', 'server', 'malformed', 'credentials']);

/**
 * The rule advises granting the trail reads when a trail could not be read; that is the fix when
 * the reads were denied, not when they were throttled, could not connect or came back malformed:
 * those get the advice their error calls for (beside the rule's, if some reads were denied).
 */
function adviseOnFailedReads(verdict: AccountVerdict, trails: TrailFacts[], ctx: AdviceContext): AccountVerdict {
  if (verdict.status !== 'ERROR') return verdict;
  const errors = trails.flatMap((t) => (t.details && !t.details.ok ? [t.details.error] : []));
  const notPermissions = errors.filter((e) => NOT_A_PERMISSION.has(errorKind(e)));
  if (notPermissions.length === 0) return verdict;
  const advice = notPermissions.flatMap((e) => adviceFor(e, ctx));
  const remediation = notPermissions.length === errors.length ? advice : [...verdict.remediation, ...advice];
  return { ...verdict, remediation: [...new Set(remediation)] };
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
