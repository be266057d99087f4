/**
 * Which listed accounts the configuration selects (accounts, exclude-accounts, OUs), and the
 * accounts the listing has named so far. Plain inputs of the listing and audit steps.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { accountsUnderOus } from '../aws/accounts';
import { describeCallError, toCallError } from '../aws/errors';
import type { AuditConfig } from '../config';
import { RunError } from './run-types';

/** Why an account is filtered out by the configuration, or undefined when it is selected. */
export type AccountScope = (accountId: string) => string | undefined;

/** The accounts under the configured OUs (account → its OU), or undefined without an OU filter. */
export async function resolveOuFilter(org: OrganizationsClient, config: Pick<AuditConfig, 'ous' | 'region'>, signal: AbortSignal): Promise<Map<string, string> | undefined> {
  if (!config.ous) return undefined;
  try {
    return await accountsUnderOus(org, config.ous, signal);
  } catch (err) {
    const e = toCallError(err, 'organizations:ListAccountsForParent/ListOrganizationalUnitsForParent', { region: config.region }, signal);
    throw new RunError(`Could not resolve the OU filter ${config.ous.join(', ')} (${describeCallError(e)}). Check the OU ids, and that these credentials may read the organization.`);
  }
}

export function accountScope(config: Pick<AuditConfig, 'accounts' | 'excludeAccounts' | 'ous'>, ouMembers: Map<string, string> | undefined): AccountScope {
  return (id) => {
    if (config.excludeAccounts?.includes(id)) return 'excluded by configuration (exclude-accounts)';
    if (config.accounts && !config.accounts.includes(id)) return 'not in the accounts selected by configuration (accounts)';
    if (ouMembers && !ouMembers.has(id)) return `not under the selected OUs (${config.ous?.join(', ')})`;
    return undefined;
  };
}

/** The accounts Organizations has listed in this run, and whether the listing has ended. */
export class ListedAccounts {
  private readonly seen = new Set<string>();
  private ended: () => void = () => undefined;
  private readonly done = new Promise<void>((resolve) => (this.ended = resolve));
  complete = false;

  /** Records an account; false when it was listed already. */
  add(accountId: string): boolean {
    if (this.seen.has(accountId)) return false;
    this.seen.add(accountId);
    return true;
  }

  has(accountId: string): boolean {
    return this.seen.has(accountId);
  }

  get size(): number {
    return this.seen.size;
  }

  /** Whether Organizations lists the account in this run: at once when it has, else when the listing ends. */
  async includes(accountId: string): Promise<boolean> {
    return this.seen.has(accountId) || (await this.done, this.seen.has(accountId));
  }

  end(): void {
    this.complete = true;
    this.ended();
  }
}
