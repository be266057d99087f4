/**
 * The organization's accounts, from Organizations. Pages are yielded as they arrive so the
 * audit can start before the last page (ListAccounts returns at most 20 accounts a page).
 */
import {
  DescribeAccountCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';

export interface OrgAccount {
  id: string;
  name: string;
  /** Organizations `State` (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED); undefined when not reported. */
  state?: string;
  arn?: string;
}

export interface AccountPage {
  accounts: OrgAccount[];
  /** Entries that could not be read (no valid Id): reported, never silently dropped. */
  malformed: string[];
}

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Pages followed at most in one listing: 1,000,000 accounts at ListAccounts' 20 a page, far
 * beyond any organization's quota. A service that hands out new tokens forever is stopped here,
 * even without a deadline (the CLI without --timeout).
 */
export const MAX_PAGES = 50_000;

/** A paginated listing that handed back a page token it had given before: followed, it would never end. */
export class RepeatedPageTokenError extends Error {
  override readonly name = 'RepeatedPageToken';
}

/**
 * Remembers the page tokens of one listing: a token seen before means the listing loops (the
 * same page again, or pages in a circle) and must stop, not run until the process is killed.
 */
function pageTokens(call: string, maxPages = MAX_PAGES) {
  const seen = new Map<string, number>();
  return (token: string | undefined, page: number): string | undefined => {
    if (!token) return undefined;
    if (page >= maxPages) {
      throw new RepeatedPageTokenError(`${call} returned a new NextToken on each of ${page} pages, more than any organization has (at most ${maxPages} pages are followed), so the listing stopped`);
    }
    const first = seen.get(token);
    if (first !== undefined) {
      throw new RepeatedPageTokenError(`${call} page ${page} returned the NextToken that page ${first} returned; following it would list the same pages forever, so the listing stopped`);
    }
    seen.set(token, page);
    return token;
  };
}

export async function* listAccountPages(client: OrganizationsClient, abortSignal?: AbortSignal, maxPages = MAX_PAGES): AsyncGenerator<AccountPage> {
  const follow = pageTokens('ListAccounts', maxPages);
  let nextToken: string | undefined;
  let page = 0;
  do {
    page += 1;
    const out = await client.send(new ListAccountsCommand({ NextToken: nextToken }), { abortSignal });
    if (!Array.isArray(out.Accounts)) {
      throw Object.assign(new Error(`ListAccounts page ${page} has no Accounts list`), { name: 'MalformedResponse' });
    }
    const accounts: OrgAccount[] = [];
    const malformed: string[] = [];
    out.Accounts.forEach((a, i) => {
      if (typeof a?.Id !== 'string' || !ACCOUNT_ID.test(a.Id)) {
        malformed.push(`ListAccounts page ${page} entry ${i + 1} has no valid 12-digit Id (got ${JSON.stringify(a?.Id ?? null)}, name ${JSON.stringify(a?.Name ?? null)})`);
        return;
      }
      // `State` replaces the retired `Status`; fall back to Status only when State is absent.
      const state = typeof a.State === 'string' ? a.State : typeof a.Status === 'string' ? a.Status : undefined;
      accounts.push({ id: a.Id, name: typeof a.Name === 'string' ? a.Name : '', state, arn: a.Arn });
    });
    yield { accounts, malformed };
    nextToken = follow(out.NextToken, page);
  } while (nextToken);
}

/**
 * Accounts under the given OUs (recursively), mapped to the OU they sit in directly.
 * Walks only the named subtrees: two paginated calls per OU, nothing per account.
 */
export async function accountsUnderOus(client: OrganizationsClient, ouIds: string[], abortSignal?: AbortSignal): Promise<Map<string, string>> {
  const members = new Map<string, string>();
  const queue = [...new Set(ouIds)];
  const seen = new Set<string>(queue);
  while (queue.length > 0) {
    // One level at a time, OUs of a level in parallel (Organizations throttles: keep it small).
    const level = queue.splice(0, queue.length);
    await Promise.all(
      level.map(async (ou) => {
        for await (const id of paginate((NextToken) => client.send(new ListAccountsForParentCommand({ ParentId: ou, NextToken }), { abortSignal }), 'Accounts', `ListAccountsForParent ${ou}`)) {
          if (typeof id?.Id !== 'string' || !/^\d{12}$/.test(id.Id)) {
            throw Object.assign(new Error(`ListAccountsForParent ${ou} listed an account whose Id is not 12 digits (${JSON.stringify(String(id?.Id)).slice(0, 40)})`), { name: 'MalformedResponse' });
          }
          members.set(id.Id, ou);
        }
        for await (const child of paginate(
          (NextToken) => client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: ou, NextToken }), { abortSignal }),
          'OrganizationalUnits',
          `ListOrganizationalUnitsForParent ${ou}`,
        )) {
          if (typeof child?.Id !== 'string' || !/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/.test(child.Id)) {
            throw Object.assign(new Error(`ListOrganizationalUnitsForParent ${ou} listed an OU whose Id is not an OU id (${JSON.stringify(String(child?.Id)).slice(0, 80)})`), { name: 'MalformedResponse' });
          }
          if (!seen.has(child.Id)) {
            seen.add(child.Id);
            queue.push(child.Id);
          }
        }
      }),
    );
  }
  return members;
}

async function* paginate<K extends string, T>(
  call: (token: string | undefined) => Promise<{ NextToken?: string } & { [k in K]?: T[] }>,
  key: K,
  name: string,
): AsyncGenerator<T> {
  const follow = pageTokens(name);
  let token: string | undefined;
  let page = 0;
  do {
    page += 1;
    const out = await call(token);
    for (const item of out[key] ?? []) yield item;
    token = follow(out.NextToken, page);
  } while (token);
}

/** `arn:aws:organizations::111111111111:account/o-abc/222222222222` → organization id and management account. */
export function organizationFromAccountArn(arn: string | undefined): { id: string; managementAccountId: string } | undefined {
  const m = arn?.match(/^arn:[\w-]+:organizations::(\d{12}):account\/(o-[a-z0-9]+)\//);
  return m ? { id: m[2], managementAccountId: m[1] } : undefined;
}

/**
 * One account, from Organizations (`DescribeAccount`): what the real-time audit reads instead of
 * listing the whole organization. `left` when Organizations does not know it
 * (AccountNotFoundException): it is not, or no longer, in the organization. Other failures throw.
 */
export async function describeAccount(client: Pick<OrganizationsClient, 'send'>, accountId: string, abortSignal?: AbortSignal): Promise<OrgAccount | { left: true }> {
  let out;
  try {
    out = await client.send(new DescribeAccountCommand({ AccountId: accountId }), { abortSignal });
  } catch (err) {
    if ((err as Error).name === 'AccountNotFoundException') return { left: true };
    throw err;
  }
  const a = out.Account;
  if (!a || a.Id !== accountId) {
    throw Object.assign(new Error(`DescribeAccount ${accountId} answered for account ${JSON.stringify(String(a?.Id ?? null)).slice(0, 40)}`), { name: 'MalformedResponse' });
  }
  const state = typeof a.State === 'string' ? a.State : typeof a.Status === 'string' ? a.Status : undefined;
  return { id: a.Id, name: typeof a.Name === 'string' ? a.Name : '', state, arn: a.Arn };
}
