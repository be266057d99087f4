/**
 * How this run reads an organization trail for the cache (org-trails.ts): as the account asked, in
 * the trail's home region, and, when that account is the owner, only once the owner's own listing
 * confirms the trail is the organization trail members see.
 */
import type { AwsClients } from '../aws/clients';
import type { AccountCredentials } from '../aws/credentials';
import { toCallError } from '../aws/errors';
import type { CallError, TrailFacts } from '../rule/types';
import { fetchTrailDetails } from './account-audit';
import { OrgTrailCache } from './org-trails';
import type { TrailListings } from './trail-listings';

export interface OrgTrailReads {
  clients: AwsClients;
  credentials: AccountCredentials;
  listings: TrailListings;
  signal: AbortSignal;
  /** Whether an owner account is audited in this run (listed by Organizations, not filtered out). */
  ownerAudited: (accountId: string) => Promise<boolean>;
}

export function orgTrailCacheFor(deps: OrgTrailReads): OrgTrailCache {
  const { clients, credentials, listings, signal } = deps;
  return new OrgTrailCache(async (accountId, trail) => {
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
  }, deps.ownerAudited);
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
