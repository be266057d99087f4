/**
 * Step 2, list accounts: Organizations' accounts page by page, each handed on as it arrives (so
 * audits start before the listing ends), each once. What the listing learnt about the organization
 * and what went wrong are plain data for the report. Without an organization, only the caller's
 * own account is handed on.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { listAccountPages, organizationFromAccountArn, type OrgAccount } from '../aws/accounts';
import { describeCallError, toCallError } from '../aws/errors';
import type { AuditConfig } from '../config';
import type { CallError as AwsCallError, Finding } from '../rule/types';
import type { RunInfo } from '../report-format';
import type { ListedAccounts } from './account-scope';

export interface AccountListing {
  organization: RunInfo['organization'];
  pages: number;
  errors: Finding[];
  notes: string[];
}

export interface ListAccountsInput {
  org: OrganizationsClient;
  config: Pick<AuditConfig, 'region' | 'requireOrganization' | 'accounts'>;
  callerAccountId: string;
  listed: ListedAccounts;
  signal: AbortSignal;
  deadlineReached: Promise<'deadline'>;
  /** Each account, once, as soon as it is listed. */
  onAccount: (account: OrgAccount) => void;
  onPage?: () => void;
}

export async function listAccounts(input: ListAccountsInput): Promise<AccountListing> {
  const { listed } = input;
  const out: AccountListing = { organization: { available: true }, pages: 0, errors: [], notes: [] };
  const hand = (account: OrgAccount) => {
    // A page that lands after the listing ended (the deadline won the race) is not in this report, as the error says.
    if (listed.complete) return;
    if (listed.add(account.id)) input.onAccount(account);
    else out.notes.push(`Organizations listed account ${account.id} more than once; it is reported once.`);
  };
  try {
    const listing = (async () => {
      for await (const page of listAccountPages(input.org, input.signal)) {
        out.pages += 1;
        if (out.pages === 1) {
          const o = organizationFromAccountArn(page.accounts[0]?.arn);
          if (o) out.organization = { available: true, ...o };
        }
        for (const m of page.malformed) out.errors.push({ code: 'MALFORMED_RESPONSE', message: `${m}; that account could not be audited.` });
        page.accounts.forEach(hand);
        input.onPage?.();
      }
    })();
    const outcome = await Promise.race([listing.then(() => 'listed' as const), input.deadlineReached]);
    if (outcome === 'deadline') {
      out.errors.push({ code: 'LISTING_INCOMPLETE', message: `The run reached its deadline while listing accounts: ${listed.size} accounts listed in ${out.pages} page(s); accounts after those are not in this report.` });
      listing.catch(() => undefined);
    }
  } catch (err) {
    listingFailed(toCallError(err, 'organizations:ListAccounts', { region: input.config.region }, input.signal), input, out, hand);
  }
  listed.end();
  checkListing(input, out);
  return out;
}

/** Not in an organization (or not allowed to list it): only the caller's account; any other failure: an incomplete listing. */
function listingFailed(e: AwsCallError, input: ListAccountsInput, out: AccountListing, hand: (a: OrgAccount) => void): void {
  const caller = input.callerAccountId;
  if (out.pages === 0 && /AWSOrganizationsNotInUse|AccessDenied/.test(e.code)) {
    const reason = e.code.includes('NotInUse')
      ? `account ${caller} is not in an AWS Organization`
      : `account ${caller} may not list the organization's accounts (${e.code}); run trailcheck in the management account or a delegated administrator`;
    out.organization = { available: false, reason };
    out.notes.push(`Only this account (${caller}) was audited: ${reason}.`);
    if (input.config.requireOrganization) out.errors.push({ code: 'ORGANIZATION_UNAVAILABLE', message: `Organizations: ${describeCallError(e)}; only ${caller} was audited.` });
    hand({ id: caller, name: '(this account)', state: 'ACTIVE' });
  } else {
    out.errors.push({ code: 'LISTING_INCOMPLETE', message: `${describeCallError(e)} after ${out.pages} page(s): ${input.listed.size} accounts listed; accounts after those are not in this report.` });
  }
}

/** An empty listing, and selected accounts the organization does not have, are run errors. */
function checkListing(input: ListAccountsInput, out: AccountListing): void {
  const { listed } = input;
  // ListAccounts always lists the management account: an empty listing is not an empty organization.
  if (out.organization.available && listed.size === 0 && out.errors.length === 0) {
    out.errors.push({
      code: 'EMPTY_LISTING',
      message: `organizations:ListAccounts listed no account at all in ${out.pages} page(s); an organization always lists at least its management account, so nothing was audited. Check the caller's access to Organizations and run again.`,
    });
  }
  for (const id of input.config.accounts ?? []) {
    if (listed.has(id)) continue;
    if (!out.organization.available) {
      // Without the organization only the caller is audited: a selected account must not vanish quietly.
      out.errors.push({ code: 'ACCOUNT_NOT_FOUND', message: `Account ${id} was selected by configuration but could not be audited: ${out.organization.reason}.` });
    } else if (!out.errors.some((r) => r.code === 'LISTING_INCOMPLETE' || r.code === 'EMPTY_LISTING')) {
      out.errors.push({ code: 'ACCOUNT_NOT_FOUND', message: `Account ${id} was selected by configuration but is not in the organization.` });
    }
  }
}
