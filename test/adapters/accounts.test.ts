/** lambda/aws/accounts.ts against a mocked Organizations client. */
import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
  type Account,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { runAudit } from '../../lambda/audit/run-audit';
import { accountsUnderOus, listAccountPages, organizationFromAccountArn, type AccountPage } from '../../lambda/aws/accounts';
import { AwsClients } from '../../lambda/aws/clients';
import { parseConfig } from '../../lambda/config';
import { needsAttention } from '../../lambda/report-format';

const org = mockClient(OrganizationsClient);
const client = new OrganizationsClient({ region: 'us-east-1' });

beforeEach(() => org.reset());

const acct = (id: string, extra: Partial<Account> = {}): Account => ({
  Id: id,
  Name: `name-${id}`,
  Arn: `arn:aws:organizations::111111111111:account/o-abc123def4/${id}`,
  State: 'ACTIVE',
  ...extra,
});

async function collect(gen: AsyncGenerator<AccountPage>): Promise<AccountPage[]> {
  const pages: AccountPage[] = [];
  for await (const p of gen) pages.push(p);
  return pages;
}

describe('listAccountPages', () => {
  test('follows NextToken over 3 pages, sending each token back, and stops when none is returned', async () => {
    org
      .on(ListAccountsCommand)
      .resolvesOnce({ Accounts: [acct('111111111111'), acct('222222222222')], NextToken: 'tok-1' })
      .resolvesOnce({ Accounts: [acct('333333333333')], NextToken: 'tok-2' })
      .resolvesOnce({ Accounts: [acct('444444444444')] });

    const pages = await collect(listAccountPages(client));

    expect(pages.map((p) => p.accounts.map((a) => a.id))).toEqual([['111111111111', '222222222222'], ['333333333333'], ['444444444444']]);
    const calls = org.commandCalls(ListAccountsCommand);
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'tok-1', 'tok-2']);
  });

  test('yields each page as it arrives: the first page is available before the second is requested', async () => {
    org
      .on(ListAccountsCommand)
      .resolvesOnce({ Accounts: [acct('111111111111')], NextToken: 'tok-1' })
      .resolvesOnce({ Accounts: [acct('222222222222')], NextToken: 'tok-2' })
      .resolvesOnce({ Accounts: [acct('333333333333')] });

    const gen = listAccountPages(client);
    const first = await gen.next();
    expect(first.done).toBe(false);
    expect((first.value as AccountPage).accounts[0].id).toBe('111111111111');
    expect(org.commandCalls(ListAccountsCommand)).toHaveLength(1);

    const second = await gen.next();
    expect((second.value as AccountPage).accounts[0].id).toBe('222222222222');
    expect(org.commandCalls(ListAccountsCommand)).toHaveLength(2);

    await gen.next();
    expect((await gen.next()).done).toBe(true);
    expect(org.commandCalls(ListAccountsCommand)).toHaveLength(3);
  });

  test('an empty-string NextToken ends the listing', async () => {
    org.on(ListAccountsCommand).resolvesOnce({ Accounts: [acct('111111111111')], NextToken: '' }).resolves({ Accounts: [acct('999999999999')] });
    const pages = await collect(listAccountPages(client));
    expect(pages).toHaveLength(1);
    expect(org.commandCalls(ListAccountsCommand)).toHaveLength(1);
  });

  test.each<[string, Partial<Account>, string | undefined]>([
    ['State preferred over the legacy Status', { State: 'SUSPENDED', Status: 'ACTIVE' }, 'SUSPENDED'],
    ['State ACTIVE wins over Status SUSPENDED', { State: 'ACTIVE', Status: 'SUSPENDED' }, 'ACTIVE'],
    ['Status used when State is absent', { State: undefined, Status: 'SUSPENDED' }, 'SUSPENDED'],
    ['neither State nor Status: state undefined', { State: undefined, Status: undefined }, undefined],
  ])('%s', async (_name, fields, expected) => {
    org.on(ListAccountsCommand).resolves({ Accounts: [acct('222222222222', fields)] });
    const [page] = await collect(listAccountPages(client));
    expect(page.accounts).toHaveLength(1);
    expect(page.accounts[0].state).toBe(expected);
  });

  test('maps id, name and arn; a missing Name becomes the empty string', async () => {
    org.on(ListAccountsCommand).resolves({ Accounts: [acct('222222222222'), acct('333333333333', { Name: undefined })] });
    const [page] = await collect(listAccountPages(client));
    expect(page.accounts[0]).toEqual({
      id: '222222222222',
      name: 'name-222222222222',
      state: 'ACTIVE',
      arn: 'arn:aws:organizations::111111111111:account/o-abc123def4/222222222222',
    });
    expect(page.accounts[1].name).toBe('');
  });

  test.each<[string, Partial<Account>]>([
    ['missing Id', { Id: undefined }],
    ['short Id', { Id: '12345' }],
    ['non-numeric Id', { Id: 'abcdefghijkl' }],
    ['13-digit Id', { Id: '1234567890123' }],
  ])('an entry with a %s is reported in malformed, and the other entries are still yielded', async (_name, bad) => {
    org.on(ListAccountsCommand).resolves({ Accounts: [acct('111111111111'), acct('000000000000', { ...bad, Name: 'broken-one' }), acct('333333333333')] });
    const [page] = await collect(listAccountPages(client));
    expect(page.accounts.map((a) => a.id)).toEqual(['111111111111', '333333333333']);
    expect(page.malformed).toHaveLength(1);
    expect(page.malformed[0]).toContain('entry 2');
    expect(page.malformed[0]).toContain('broken-one');
  });

  test('a null entry is reported in malformed, not a crash', async () => {
    org.on(ListAccountsCommand).resolves({ Accounts: [null as unknown as Account, acct('333333333333')] });
    const [page] = await collect(listAccountPages(client));
    expect(page.accounts.map((a) => a.id)).toEqual(['333333333333']);
    expect(page.malformed).toHaveLength(1);
  });

  test('a page with no Accounts list throws MalformedResponse naming the page', async () => {
    org.on(ListAccountsCommand).resolvesOnce({ Accounts: [acct('111111111111')], NextToken: 't' }).resolvesOnce({});
    const gen = listAccountPages(client);
    await gen.next();
    await expect(gen.next()).rejects.toMatchObject({ name: 'MalformedResponse', message: expect.stringContaining('page 2') });
  });

  test('an API error propagates', async () => {
    org.on(ListAccountsCommand).rejects(Object.assign(new Error('nope'), { name: 'AccessDeniedException' }));
    await expect(collect(listAccountPages(client))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  test('the same NextToken returned again: the page is yielded once, then the listing stops with RepeatedPageToken saying so (no third call)', async () => {
    org
      .on(ListAccountsCommand)
      .resolvesOnce({ Accounts: [acct('111111111111')], NextToken: 'tok-1' })
      .resolves({ Accounts: [acct('222222222222')], NextToken: 'tok-1' });
    const gen = listAccountPages(client);
    expect(((await gen.next()).value as AccountPage).accounts.map((a) => a.id)).toEqual(['111111111111']);
    expect(((await gen.next()).value as AccountPage).accounts.map((a) => a.id)).toEqual(['222222222222']);
    await expect(gen.next()).rejects.toMatchObject({ name: 'RepeatedPageToken', message: expect.stringContaining('ListAccounts page 2 returned the NextToken that page 1 returned') });
    expect(org.commandCalls(ListAccountsCommand)).toHaveLength(2);
  });

  test('tokens in a circle (A, B, A) also stop the listing', async () => {
    org
      .on(ListAccountsCommand)
      .resolvesOnce({ Accounts: [acct('111111111111')], NextToken: 'A' })
      .resolvesOnce({ Accounts: [acct('222222222222')], NextToken: 'B' })
      .resolves({ Accounts: [acct('333333333333')], NextToken: 'A' });
    await expect(collect(listAccountPages(client))).rejects.toMatchObject({ name: 'RepeatedPageToken', message: expect.stringContaining('page 3 returned the NextToken that page 1 returned') });
    expect(org.commandCalls(ListAccountsCommand)).toHaveLength(3);
  });

  test('a new NextToken on every page stops at the page cap, even with no deadline', async () => {
    let n = 0;
    org.on(ListAccountsCommand).callsFake(async () => ({ Accounts: [], NextToken: `tok-${++n}` }));
    await expect(collect(listAccountPages(client, undefined, 25))).rejects.toMatchObject({ name: 'RepeatedPageToken', message: expect.stringContaining('a new NextToken on each of 25 pages') });
    expect(org.commandCalls(ListAccountsCommand)).toHaveLength(25);
  });

  test('an empty listing is one page with no account (the run decides what that means)', async () => {
    org.on(ListAccountsCommand).resolves({ Accounts: [] });
    expect(await collect(listAccountPages(client))).toEqual([{ accounts: [], malformed: [] }]);
  });

  test('the abort signal is passed to every call', async () => {
    const controller = new AbortController();
    org.on(ListAccountsCommand).resolves({ Accounts: [acct('111111111111')] });
    await collect(listAccountPages(client, controller.signal));
    // aws-sdk-client-mock records the send options as the second argument.
    const call = org.commandCalls(ListAccountsCommand)[0];
    expect((call.args as unknown[])[1]).toMatchObject({ abortSignal: controller.signal });
  });
});

describe('accountsUnderOus', () => {
  /**
   * r-root
   *  └ ou-root-aaaaaaaa (A): accounts 1, 2
   *     ├ ou-root-bbbbbbbb (B): account 3
   *     │  └ ou-root-dddddddd (D): accounts 5, 6
   *     └ ou-root-cccccccc (C): account 4
   */
  const A = 'ou-root-aaaaaaaa';
  const B = 'ou-root-bbbbbbbb';
  const C = 'ou-root-cccccccc';
  const D = 'ou-root-dddddddd';
  const children: Record<string, string[]> = { [A]: [B, C], [B]: [D], [C]: [], [D]: [] };
  const accounts: Record<string, string[]> = {
    [A]: ['100000000001', '100000000002'],
    [B]: ['100000000003'],
    [C]: ['100000000004'],
    [D]: ['100000000005', '100000000006'],
  };

  function serveTree(pageSize: number) {
    const page = <T>(items: T[], token: string | undefined) => {
      const start = token ? Number(token) : 0;
      const next = start + pageSize < items.length ? String(start + pageSize) : undefined;
      return { items: items.slice(start, start + pageSize), next };
    };
    org.on(ListAccountsForParentCommand).callsFake((input: { ParentId: string; NextToken?: string }) => {
      const { items, next } = page(accounts[input.ParentId] ?? [], input.NextToken);
      return Promise.resolve({ Accounts: items.map((id) => acct(id)), NextToken: next });
    });
    org.on(ListOrganizationalUnitsForParentCommand).callsFake((input: { ParentId: string; NextToken?: string }) => {
      const { items, next } = page(children[input.ParentId] ?? [], input.NextToken);
      return Promise.resolve({ OrganizationalUnits: items.map((Id) => ({ Id, Name: Id })), NextToken: next });
    });
  }

  test('walks nested OUs and maps each account to the OU it sits in directly', async () => {
    serveTree(100);
    const members = await accountsUnderOus(client, [A]);
    expect(Object.fromEntries(members)).toEqual({
      '100000000001': A,
      '100000000002': A,
      '100000000003': B,
      '100000000004': C,
      '100000000005': D,
      '100000000006': D,
    });
  });

  test('makes exactly 2 calls per OU (one ListAccountsForParent, one ListOrganizationalUnitsForParent) and none per account', async () => {
    serveTree(100);
    await accountsUnderOus(client, [A]);
    const acctCalls = org.commandCalls(ListAccountsForParentCommand).map((c) => c.args[0].input.ParentId);
    const ouCalls = org.commandCalls(ListOrganizationalUnitsForParentCommand).map((c) => c.args[0].input.ParentId);
    expect(acctCalls.sort()).toEqual([A, B, C, D]);
    expect(ouCalls.sort()).toEqual([A, B, C, D]);
    expect(org.calls()).toHaveLength(8);
  });

  test('follows NextToken on both calls (one item per page)', async () => {
    serveTree(1);
    const members = await accountsUnderOus(client, [A]);
    expect(members.size).toBe(6);
    expect(members.get('100000000006')).toBe(D);
    // Pages: accounts A 2, B 1, C 1, D 2 = 6; child OUs A 2, B 1, C 1 (empty), D 1 (empty) = 5.
    expect(org.commandCalls(ListAccountsForParentCommand)).toHaveLength(6);
    expect(org.commandCalls(ListOrganizationalUnitsForParentCommand)).toHaveLength(5);
    const tokens = org.commandCalls(ListAccountsForParentCommand, { ParentId: A }).map((c) => c.args[0].input.NextToken);
    expect(tokens).toEqual([undefined, '1']);
  });

  test('a subtree only: a leaf OU yields just its accounts', async () => {
    serveTree(100);
    const members = await accountsUnderOus(client, [C]);
    expect(Object.fromEntries(members)).toEqual({ '100000000004': C });
    expect(org.calls()).toHaveLength(2);
  });

  test('an OU given twice, or given with its parent, is walked once', async () => {
    serveTree(100);
    const members = await accountsUnderOus(client, [A, D, D]);
    expect(members.size).toBe(6);
    expect(members.get('100000000005')).toBe(D);
    expect(org.commandCalls(ListAccountsForParentCommand, { ParentId: D })).toHaveLength(1);
    expect(org.calls()).toHaveLength(8);
  });

  test.each(['ListAccountsForParent', 'ListOrganizationalUnitsForParent'])('%s returning the same NextToken again rejects the walk instead of looping', async (command) => {
    serveTree(100);
    if (command === 'ListAccountsForParent') org.on(ListAccountsForParentCommand, { ParentId: C }).resolves({ Accounts: [acct('100000000004')], NextToken: 'again' });
    else org.on(ListOrganizationalUnitsForParentCommand, { ParentId: C }).resolves({ OrganizationalUnits: [], NextToken: 'again' });
    await expect(accountsUnderOus(client, [A])).rejects.toMatchObject({ name: 'RepeatedPageToken', message: expect.stringContaining(`ForParent ${C} page 2 returned the NextToken that page 1 returned`) });
  });

  test('a failing call rejects the walk', async () => {
    serveTree(100);
    org.on(ListOrganizationalUnitsForParentCommand, { ParentId: B }).rejects(Object.assign(new Error('no such parent'), { name: 'ParentNotFoundException' }));
    await expect(accountsUnderOus(client, [A])).rejects.toMatchObject({ name: 'ParentNotFoundException' });
  });
});

/**
 * RULE.md, "Cases the tests must cover": the listing rows, through the whole run (runAudit) with
 * Organizations and STS mocked. Every listed account is SUSPENDED, so nothing else is called.
 */
describe('RULE.md listing cases, through the run', () => {
  const sts = mockClient(STSClient);
  beforeEach(() => {
    sts.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111111111111', Arn: 'arn:aws:iam::111111111111:user/trailcheck' });
  });
  afterAll(() => sts.restore());
  const suspended = (id: string) => acct(id, { State: 'SUSPENDED' });

  test.each<[string, () => void, { codes: string[]; message: RegExp; total: number }]>([
    [
      'empty organization: ListAccounts returns no account at all → run error EMPTY_LISTING, never a clean pass',
      () => org.on(ListAccountsCommand).resolves({ Accounts: [] }),
      { codes: ['EMPTY_LISTING'], message: /listed no account at all/, total: 0 },
    ],
    [
      'empty organization over several empty pages → EMPTY_LISTING',
      () => org.on(ListAccountsCommand).resolvesOnce({ Accounts: [], NextToken: 't1' }).resolves({ Accounts: [] }),
      { codes: ['EMPTY_LISTING'], message: /in 2 page\(s\)/, total: 0 },
    ],
    [
      'endless pages: the same NextToken again → run error LISTING_INCOMPLETE saying the token repeated, and the run ends',
      () => org.on(ListAccountsCommand).resolvesOnce({ Accounts: [suspended('111111111111')], NextToken: 'same' }).resolves({ Accounts: [suspended('222222222222')], NextToken: 'same' }),
      { codes: ['LISTING_INCOMPLETE'], message: /RepeatedPageToken: ListAccounts page 2 returned the NextToken that page 1 returned/, total: 2 },
    ],
    [
      'endless pages from the first page: a page returning the token it was asked with → LISTING_INCOMPLETE',
      () => org.on(ListAccountsCommand).resolvesOnce({ Accounts: [], NextToken: 'loop' }).resolves({ Accounts: [], NextToken: 'loop' }),
      { codes: ['LISTING_INCOMPLETE'], message: /NextToken that page 1 returned/, total: 0 },
    ],
  ])('%s', async (_case, serve, expected) => {
    serve();
    const clients = new AwsClients({ maxAttempts: 1, callTimeoutMs: 1000, maxSockets: 4, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'x' } });
    const cfg = parseConfig({ region: { key: 'region', value: 'us-east-1' } }, undefined);
    const report = await runAudit(cfg, { clients, deadline: Date.now() + 10_000 }).finally(() => clients.close());
    expect(report.run.errors.map((e) => e.code)).toEqual(expected.codes);
    expect(report.run.errors[0].message).toMatch(expected.message);
    expect(report.summary).toMatchObject({ total: expected.total, PASS: 0, runErrors: 1 });
    expect(needsAttention(report)).toBe(true);
    expect(report.run.deadlineReached).toBe(false);
    expect(org.commandCalls(ListAccountsCommand).length).toBeLessThanOrEqual(2);
  });

  test('a listing with accounts is not EMPTY_LISTING', async () => {
    org.on(ListAccountsCommand).resolves({ Accounts: [suspended('222222222222')] });
    const clients = new AwsClients({ maxAttempts: 1, callTimeoutMs: 1000, maxSockets: 4, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'x' } });
    const report = await runAudit(parseConfig({ region: { key: 'region', value: 'us-east-1' } }, undefined), { clients }).finally(() => clients.close());
    expect(report.run.errors).toEqual([]);
    expect(report.summary).toMatchObject({ total: 1, SKIPPED: 1 });
  });
});

describe('organizationFromAccountArn', () => {
  test.each<[string | undefined, { id: string; managementAccountId: string } | undefined]>([
    ['arn:aws:organizations::111111111111:account/o-abc123def4/222222222222', { id: 'o-abc123def4', managementAccountId: '111111111111' }],
    ['arn:aws-us-gov:organizations::123456789012:account/o-exampleorgid/210987654321', { id: 'o-exampleorgid', managementAccountId: '123456789012' }],
    ['arn:aws-cn:organizations::123456789012:account/o-zz99/210987654321', { id: 'o-zz99', managementAccountId: '123456789012' }],
    [undefined, undefined],
    ['', undefined],
    ['arn:aws:iam::111111111111:role/x', undefined],
    ['arn:aws:organizations::111111111111:ou/o-abc123def4/ou-ab12-cd34ef56', undefined],
    ['arn:aws:organizations::1111:account/o-abc123def4/222222222222', undefined],
  ])('%s', (arn, expected) => {
    expect(organizationFromAccountArn(arn)).toEqual(expected);
  });
});
