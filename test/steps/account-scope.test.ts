/** Which listed accounts the configuration selects, and the accounts listed so far (lambda/audit/account-scope.ts). */
import { ListAccountsForParentCommand, ListOrganizationalUnitsForParentCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { accountScope, ListedAccounts, resolveOuFilter } from '../../lambda/audit/account-scope';
import { RunError } from '../../lambda/audit/run-types';
import { accountId } from '../unit/report-fixtures';

const org = mockClient(OrganizationsClient);
const client = new OrganizationsClient({ region: 'us-east-1' });
const live = () => new AbortController().signal;

beforeEach(() => org.reset());

describe('accountScope: why an account is filtered out, or undefined when it is selected', () => {
  const [a, b, c] = [accountId(1), accountId(2), accountId(3)];

  test('no filter selects every account', () => {
    const scope = accountScope({}, undefined);
    expect([a, b, c].map(scope)).toEqual([undefined, undefined, undefined]);
  });

  test('accounts: only those named are selected; the others say why', () => {
    const scope = accountScope({ accounts: [a, c] }, undefined);
    expect([a, b, c].map(scope)).toEqual([undefined, 'not in the accounts selected by configuration (accounts)', undefined]);
  });

  test('exclude-accounts: those named are filtered out, and exclusion wins over being named in accounts', () => {
    expect([a, b].map(accountScope({ excludeAccounts: [b] }, undefined))).toEqual([undefined, 'excluded by configuration (exclude-accounts)']);
    expect(accountScope({ accounts: [a, b], excludeAccounts: [b] }, undefined)(b)).toBe('excluded by configuration (exclude-accounts)');
  });

  test('OUs: only accounts under the OUs are selected; the reason names the OUs', () => {
    const scope = accountScope({ ous: ['ou-ab12-prod0000', 'ou-ab12-dev00000'] }, new Map([[a, 'ou-ab12-prod0000']]));
    expect([a, b].map(scope)).toEqual([undefined, 'not under the selected OUs (ou-ab12-prod0000, ou-ab12-dev00000)']);
  });

  test('every filter applies: an account must be named, not excluded, and under the OUs', () => {
    const scope = accountScope({ accounts: [a, b, c], excludeAccounts: [c], ous: ['ou-ab12-prod0000'] }, new Map([[a, 'ou-ab12-prod0000'], [c, 'ou-ab12-prod0000']]));
    expect([a, b, c, accountId(4)].map(scope)).toEqual([
      undefined,
      'not under the selected OUs (ou-ab12-prod0000)',
      'excluded by configuration (exclude-accounts)',
      'not in the accounts selected by configuration (accounts)',
    ]);
  });

  test('an OU filter that resolved to no account selects nothing (never everything)', () => {
    const scope = accountScope({ ous: ['ou-ab12-empty000'] }, new Map());
    expect([a, b].map(scope)).toEqual(['not under the selected OUs (ou-ab12-empty000)', 'not under the selected OUs (ou-ab12-empty000)']);
  });
});

describe('resolveOuFilter', () => {
  test('no OU filter: undefined, and no call', async () => {
    await expect(resolveOuFilter(client, { region: 'us-east-1' }, live())).resolves.toBeUndefined();
    expect(org.calls()).toHaveLength(0);
  });

  test('the accounts under the OUs, nested OUs included, each mapped to the OU it sits in directly', async () => {
    org.on(ListAccountsForParentCommand, { ParentId: 'ou-ab12-prod0000' }).resolves({ Accounts: [{ Id: accountId(1) }] });
    org.on(ListAccountsForParentCommand, { ParentId: 'ou-ab12-child000' }).resolves({ Accounts: [{ Id: accountId(2) }, { Id: accountId(3) }] });
    org.on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-ab12-prod0000' }).resolves({ OrganizationalUnits: [{ Id: 'ou-ab12-child000' }] });
    org.on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-ab12-child000' }).resolves({ OrganizationalUnits: [] });
    const members = await resolveOuFilter(client, { ous: ['ou-ab12-prod0000'], region: 'us-east-1' }, live());
    expect([...(members ?? [])]).toEqual([
      [accountId(1), 'ou-ab12-prod0000'],
      [accountId(2), 'ou-ab12-child000'],
      [accountId(3), 'ou-ab12-child000'],
    ]);
  });

  test('a failed look-up is a RunError naming the OUs, the calls and the AWS code: the run never audits an unfiltered organization', async () => {
    org.on(ListAccountsForParentCommand).rejects(Object.assign(new Error('parent not found'), { name: 'ParentNotFoundException' }));
    const run = resolveOuFilter(client, { ous: ['ou-ab12-gone0000', 'ou-ab12-prod0000'], region: 'eu-west-1' }, live());
    await expect(run).rejects.toBeInstanceOf(RunError);
    await expect(run).rejects.toThrow(
      'Could not resolve the OU filter ou-ab12-gone0000, ou-ab12-prod0000 (organizations:ListAccountsForParent/ListOrganizationalUnitsForParent in eu-west-1 failed: ParentNotFoundException: parent not found). Check the OU ids, and that these credentials may read the organization.',
    );
  });

  test('OU pages that repeat their NextToken stop the look-up as a RunError, not a loop', async () => {
    org.on(ListAccountsForParentCommand).resolves({ Accounts: [{ Id: accountId(1) }], NextToken: 'same' });
    await expect(resolveOuFilter(client, { ous: ['ou-ab12-prod0000'], region: 'us-east-1' }, live())).rejects.toThrow(/Could not resolve the OU filter ou-ab12-prod0000 \(.*RepeatedPageToken: .*NextToken that page 1 returned/);
    expect(org.commandCalls(ListAccountsForParentCommand)).toHaveLength(2);
  });
});

describe('ListedAccounts', () => {
  test('each account is recorded once: add says whether it is new; size and has follow', () => {
    const listed = new ListedAccounts();
    expect([listed.add(accountId(1)), listed.add(accountId(2)), listed.add(accountId(1))]).toEqual([true, true, false]);
    expect(listed.size).toBe(2);
    expect([listed.has(accountId(1)), listed.has(accountId(3))]).toEqual([true, false]);
    expect(listed.complete).toBe(false);
  });

  test('includes: true at once for a listed account; for any other, waits for the end of the listing', async () => {
    const listed = new ListedAccounts();
    listed.add(accountId(1));
    await expect(listed.includes(accountId(1))).resolves.toBe(true);
    const settled: Array<[string, boolean]> = [];
    const later = listed.includes(accountId(2)).then((v) => settled.push([accountId(2), v]));
    const never = listed.includes(accountId(3)).then((v) => settled.push([accountId(3), v]));
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual([]);
    listed.add(accountId(2)); // listed on a later page, before the end
    listed.end();
    await Promise.all([later, never]);
    expect(settled.sort()).toEqual([
      [accountId(2), true],
      [accountId(3), false],
    ]);
    expect(listed.complete).toBe(true);
    await expect(listed.includes(accountId(4))).resolves.toBe(false);
  });
});
