/**
 * The OU each account sits in, for the accounts an alert is about. One ListParents per account
 * and one DescribeOrganizationalUnit per distinct OU, slowly (Organizations throttles hard), capped:
 * the OU helps a person route an alert, it never decides a verdict, so a failure here only leaves
 * the OU out.
 */
import { DescribeOrganizationalUnitCommand, ListParentsCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { createPool } from '../concurrency';

export interface AccountOu {
  id: string;
  /** Absent for the root, or when the OU's name could not be read. */
  name?: string;
}

export interface OuLookup {
  ous: Map<string, AccountOu>;
  /** Accounts not looked up because of the cap, and lookups that failed (with the first error). */
  skipped: number;
  failed: number;
  firstError?: string;
}

/** A parent's id, as the Organizations API reference documents it: a root, or an OU. */
const PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

export const OU_LOOKUP_DEFAULTS = { maxAccounts: 200, concurrency: 2 };

export async function lookUpOus(client: Pick<OrganizationsClient, 'send'>, accountIds: string[], options = OU_LOOKUP_DEFAULTS, abortSignal?: AbortSignal): Promise<OuLookup> {
  const wanted = [...new Set(accountIds)];
  const pool = createPool(options.concurrency);
  const names = new Map<string, Promise<string | undefined>>();
  const result: OuLookup = { ous: new Map(), skipped: Math.max(0, wanted.length - options.maxAccounts), failed: 0 };
  const fail = (err: unknown) => {
    result.failed += 1;
    result.firstError ??= `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`;
  };
  const nameOf = (ouId: string) => {
    let pending = names.get(ouId);
    if (!pending) {
      pending = pool(() => client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: ouId }), { abortSignal })).then(
        (out) => out.OrganizationalUnit?.Name,
        () => undefined, // the id alone still routes the alert
      );
      names.set(ouId, pending);
    }
    return pending;
  };
  await Promise.all(
    wanted.slice(0, options.maxAccounts).map(async (accountId) => {
      try {
        const out = await pool(() => client.send(new ListParentsCommand({ ChildId: accountId }), { abortSignal }));
        const parent = out.Parents?.[0];
        if (!parent?.Id) throw Object.assign(new Error(`ListParents for ${accountId} returned no parent`), { name: 'MalformedResponse' });
        if (!PARENT_ID.test(parent.Id) || (parent.Type === 'ROOT') !== parent.Id.startsWith('r-')) {
          throw Object.assign(new Error(`ListParents for ${accountId}: Parents[0].Id is not a root or OU id (${JSON.stringify(parent.Id.slice(0, 80))}, Type ${JSON.stringify(String(parent.Type).slice(0, 40))})`), { name: 'MalformedResponse' });
        }
        const name = parent.Type === 'ORGANIZATIONAL_UNIT' ? await nameOf(parent.Id) : undefined;
        result.ous.set(accountId, { id: parent.Id, ...(name ? { name } : {}) });
      } catch (err) {
        fail(err);
      }
    }),
  );
  return result;
}
