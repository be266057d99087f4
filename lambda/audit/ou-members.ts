/**
 * OU membership, for what is configured by OU (exemptions, alert routes): the accounts under each
 * OU, recursively, read from Organizations in this run (so an account that moved OU is where it
 * is now). An OU that could not be read is reported with its reason and holds no account: what is
 * configured for it then applies to nobody (an exemption does not silence, a route receives
 * nothing beyond the central topic), and the caller says so in the report.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { accountsUnderOus } from '../aws/accounts';
import { describeCallError, toCallError } from '../aws/errors';

export interface OuMembers {
  /** OU id → every account under it, at any depth. */
  members: Map<string, Set<string>>;
  /** OU id → why it could not be read. */
  failed: Map<string, string>;
}

/** The OUs an account sits under, of those asked about. */
export function ousOf(accountId: string, ous: OuMembers): string[] {
  return [...ous.members].filter(([, accounts]) => accounts.has(accountId)).map(([ou]) => ou);
}

export async function resolveOuMembers(org: Pick<OrganizationsClient, 'send'>, ouIds: string[], region: string, signal?: AbortSignal): Promise<OuMembers> {
  const out: OuMembers = { members: new Map(), failed: new Map() };
  // One OU after another: Organizations throttles hard, and each walk is already parallel by level.
  for (const ou of [...new Set(ouIds)]) {
    try {
      out.members.set(ou, new Set((await accountsUnderOus(org as OrganizationsClient, [ou], signal)).keys()));
    } catch (err) {
      out.failed.set(ou, describeCallError(toCallError(err, 'organizations:ListAccountsForParent/ListOrganizationalUnitsForParent', { region }, signal)));
    }
  }
  return out;
}
