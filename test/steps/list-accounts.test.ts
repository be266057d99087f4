/** Step 2, list accounts (lambda/audit/list-accounts.ts), against a mocked Organizations client. */
import { ListAccountsCommand, OrganizationsClient, type Account } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { ListedAccounts } from '../../lambda/audit/account-scope';
import { listAccounts, type ListAccountsInput } from '../../lambda/audit/list-accounts';
import type { OrgAccount } from '../../lambda/aws/accounts';
import { accountId, CALLER } from '../unit/report-fixtures';

const org = mockClient(OrganizationsClient);
const client = new OrganizationsClient({ region: 'us-east-1' });

beforeEach(() => org.reset());

const acct = (id: string, extra: Partial<Account> = {}): Account => ({
  Id: id,
  Name: `name-${id}`,
  Arn: `arn:aws:organizations::${CALLER}:account/o-abc123def4/${id}`,
  State: 'ACTIVE',
  ...extra,
});

const error = (name: string, message = name) => Object.assign(new Error(message), { name });

/** The step with its inputs; every account handed on is recorded, with whether the listing had ended then. */
function listing(overrides: Omit<Partial<ListAccountsInput>, 'config'> & { config?: Partial<ListAccountsInput['config']> } = {}) {
  const handed: Array<{ account: OrgAccount; afterEnd: boolean }> = [];
  const listed = new ListedAccounts();
  const never = new Promise<'deadline'>(() => undefined);
  const input: ListAccountsInput = {
    org: client,
    callerAccountId: CALLER,
    listed,
    signal: new AbortController().signal,
    deadlineReached: never,
    onAccount: (account) => handed.push({ account, afterEnd: listed.complete }),
    ...overrides,
    config: { region: 'us-east-1', requireOrganization: false, ...overrides.config },
  };
  return { input, listed, handed, ids: () => handed.map((h) => h.account.id) };
}

test('pages are followed; each account is handed on as its page arrives, before the next page is asked for', async () => {
  const t = listing();
  let pagesSeen = 0;
  const handedAtPage: number[] = [];
  org
    .on(ListAccountsCommand)
    .callsFake(async (input: { NextToken?: string }) => {
      handedAtPage.push(t.handed.length);
      if (!input.NextToken) return { Accounts: [acct(CALLER), acct(accountId(1))], NextToken: 't1' };
      if (input.NextToken === 't1') return { Accounts: [acct(accountId(2), { State: 'SUSPENDED' })], NextToken: 't2' };
      return { Accounts: [acct(accountId(3))] };
    });
  const out = await listAccounts({ ...t.input, onPage: () => (pagesSeen += 1) });
  expect(t.ids()).toEqual([CALLER, accountId(1), accountId(2), accountId(3)]);
  expect(handedAtPage).toEqual([0, 2, 3]);
  expect(t.handed.every((h) => !h.afterEnd)).toBe(true);
  expect(t.handed[2].account).toEqual({ id: accountId(2), name: `name-${accountId(2)}`, state: 'SUSPENDED', arn: acct(accountId(2)).Arn });
  expect(out).toEqual({ organization: { available: true, id: 'o-abc123def4', managementAccountId: CALLER }, pages: 3, errors: [], notes: [] });
  expect(pagesSeen).toBe(3);
  expect(org.commandCalls(ListAccountsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 't1', 't2']);
  expect(t.listed.complete).toBe(true);
  expect(t.listed.size).toBe(4);
});

test('an account listed twice is handed on once, with a note', async () => {
  org.on(ListAccountsCommand).resolvesOnce({ Accounts: [acct(accountId(1)), acct(accountId(2))], NextToken: 't1' }).resolvesOnce({ Accounts: [acct(accountId(1))] });
  const t = listing();
  const out = await listAccounts(t.input);
  expect(t.ids()).toEqual([accountId(1), accountId(2)]);
  expect(out.notes).toEqual([`Organizations listed account ${accountId(1)} more than once; it is reported once.`]);
  expect(out.errors).toEqual([]);
});

test('an entry without a valid Id is a MALFORMED_RESPONSE run error, never silently dropped; the rest are handed on', async () => {
  org.on(ListAccountsCommand).resolves({ Accounts: [acct(accountId(1)), { Name: 'ghost' }, acct('12345')] });
  const t = listing();
  const out = await listAccounts(t.input);
  expect(t.ids()).toEqual([accountId(1)]);
  expect(out.errors).toEqual([
    { code: 'MALFORMED_RESPONSE', message: 'ListAccounts page 1 entry 2 has no valid 12-digit Id (got null, name "ghost"); that account could not be audited.' },
    { code: 'MALFORMED_RESPONSE', message: `ListAccounts page 1 entry 3 has no valid 12-digit Id (got "12345", name "name-12345"); that account could not be audited.` },
  ]);
});

test('the same NextToken again: LISTING_INCOMPLETE naming the repeat, the listing ends, and the accounts already listed are kept', async () => {
  org.on(ListAccountsCommand).resolvesOnce({ Accounts: [acct(accountId(1))], NextToken: 'loop' }).resolves({ Accounts: [acct(accountId(2))], NextToken: 'loop' });
  const t = listing();
  const out = await listAccounts(t.input);
  expect(org.commandCalls(ListAccountsCommand)).toHaveLength(2);
  expect(t.ids()).toEqual([accountId(1), accountId(2)]);
  expect(out.pages).toBe(2);
  expect(out.errors).toEqual([
    {
      code: 'LISTING_INCOMPLETE',
      message:
        'organizations:ListAccounts in us-east-1 failed: RepeatedPageToken: ListAccounts page 2 returned the NextToken that page 1 returned; following it would list the same pages forever, so the listing stopped after 2 page(s): 2 accounts listed; accounts after those are not in this report.',
    },
  ]);
  expect(t.listed.complete).toBe(true);
});

test('a page that fails after the first: LISTING_INCOMPLETE with the AWS code; the caller is not handed on as a standalone account', async () => {
  org.on(ListAccountsCommand).resolvesOnce({ Accounts: [acct(accountId(1))], NextToken: 't1' }).rejects(error('AccessDeniedException', 'not allowed'));
  const t = listing({ config: { accounts: [accountId(9)] } });
  const out = await listAccounts(t.input);
  expect(t.ids()).toEqual([accountId(1)]);
  expect(out.organization).toEqual({ available: true, id: 'o-abc123def4', managementAccountId: CALLER });
  // An incomplete listing cannot say a selected account is missing: no ACCOUNT_NOT_FOUND beside it.
  expect(out.errors).toEqual([
    { code: 'LISTING_INCOMPLETE', message: 'organizations:ListAccounts in us-east-1 failed: AccessDeniedException: not allowed after 1 page(s): 1 accounts listed; accounts after those are not in this report.' },
  ]);
});

test('a first page that is not a page (no Accounts list): LISTING_INCOMPLETE, never an empty organization', async () => {
  org.on(ListAccountsCommand).resolves({});
  const t = listing();
  const out = await listAccounts(t.input);
  expect(t.ids()).toEqual([]);
  expect(out.errors).toEqual([
    { code: 'LISTING_INCOMPLETE', message: 'organizations:ListAccounts in us-east-1 failed: MalformedResponse: ListAccounts page 1 has no Accounts list after 0 page(s): 0 accounts listed; accounts after those are not in this report.' },
  ]);
});

test('a listing of no account at all is EMPTY_LISTING: an organization always lists its management account', async () => {
  org.on(ListAccountsCommand).resolves({ Accounts: [] });
  const t = listing({ config: { accounts: [accountId(1)] } });
  const out = await listAccounts(t.input);
  expect(t.ids()).toEqual([]);
  expect(out.errors.map((e) => e.code)).toEqual(['EMPTY_LISTING']);
  expect(out.errors[0].message).toMatch(/^organizations:ListAccounts listed no account at all in 1 page\(s\); /);
  expect(out.organization).toEqual({ available: true });
});

test('a selected account the organization does not list is ACCOUNT_NOT_FOUND; a listed one is not', async () => {
  org.on(ListAccountsCommand).resolves({ Accounts: [acct(CALLER), acct(accountId(1))] });
  const t = listing({ config: { accounts: [accountId(1), accountId(9)] } });
  const out = await listAccounts(t.input);
  expect(out.errors).toEqual([{ code: 'ACCOUNT_NOT_FOUND', message: `Account ${accountId(9)} was selected by configuration but is not in the organization.` }]);
});

describe('no organization to list', () => {
  test.each([
    ['AWSOrganizationsNotInUseException', `account ${CALLER} is not in an AWS Organization`],
    ['AccessDeniedException', `account ${CALLER} may not list the organization's accounts (AccessDeniedException); run trailcheck in the management account or a delegated administrator`],
  ])('%s on the first page: only the caller is handed on, with a note saying why', async (code, reason) => {
    org.on(ListAccountsCommand).rejects(error(code));
    const t = listing();
    const out = await listAccounts(t.input);
    expect(t.handed.map((h) => h.account)).toEqual([{ id: CALLER, name: '(this account)', state: 'ACTIVE' }]);
    expect(out).toEqual({ organization: { available: false, reason }, pages: 0, errors: [], notes: [`Only this account (${CALLER}) was audited: ${reason}.`] });
  });

  test('with requireOrganization, the same is also a run error ORGANIZATION_UNAVAILABLE', async () => {
    org.on(ListAccountsCommand).rejects(error('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.'));
    const t = listing({ config: { requireOrganization: true } });
    const out = await listAccounts(t.input);
    expect(t.ids()).toEqual([CALLER]);
    expect(out.errors).toEqual([
      {
        code: 'ORGANIZATION_UNAVAILABLE',
        message: `Organizations: organizations:ListAccounts in us-east-1 failed: AWSOrganizationsNotInUseException: Your account is not a member of an organization.; only ${CALLER} was audited.`,
      },
    ]);
  });

  test('any other failure of the first page (throttled, server) is LISTING_INCOMPLETE, not a standalone account', async () => {
    org.on(ListAccountsCommand).rejects(error('TooManyRequestsException', 'Rate exceeded'));
    const t = listing();
    const out = await listAccounts(t.input);
    expect(t.ids()).toEqual([]);
    expect(out.organization).toEqual({ available: true });
    expect(out.errors.map((e) => e.code)).toEqual(['LISTING_INCOMPLETE']);
  });

  // Without an organization, a selected account that is not the caller cannot be audited: a run
  // error says so (never a run that ends with no error having audited nothing asked for).
  test('a selected account that is not the caller is a run error when there is no organization', async () => {
    org.on(ListAccountsCommand).rejects(error('AWSOrganizationsNotInUseException'));
    const t = listing({ config: { accounts: [accountId(9)] } });
    const out = await listAccounts(t.input);
    expect(out.errors.map((e) => e.code)).toEqual(['ACCOUNT_NOT_FOUND']);
  });
});

describe('the deadline', () => {
  test('reached while listing: LISTING_INCOMPLETE with what was listed, the step returns, and the listing is closed', async () => {
    const controller = new AbortController();
    const reached = new Promise<'deadline'>((resolve) => controller.signal.addEventListener('abort', () => resolve('deadline')));
    let calls = 0;
    org.on(ListAccountsCommand).callsFake(() => {
      calls += 1;
      if (calls === 1) return Promise.resolve({ Accounts: [acct(accountId(1)), acct(accountId(2))], NextToken: 't1' });
      // The second page never comes: the deadline is reached while it is asked for.
      setTimeout(() => controller.abort(), 10);
      return new Promise(() => undefined);
    });
    const t = listing({ signal: controller.signal, deadlineReached: reached, config: { accounts: [accountId(9)] } });
    const started = Date.now();
    const out = await listAccounts(t.input);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(t.ids()).toEqual([accountId(1), accountId(2)]);
    expect(out.pages).toBe(1);
    expect(out.errors).toEqual([
      { code: 'LISTING_INCOMPLETE', message: 'The run reached its deadline while listing accounts: 2 accounts listed in 1 page(s); accounts after those are not in this report.' },
    ]);
    expect(t.listed.complete).toBe(true);
  });

  test('reached before the first page: LISTING_INCOMPLETE with 0 accounts, never EMPTY_LISTING or a standalone account', async () => {
    const controller = new AbortController();
    controller.abort();
    org.on(ListAccountsCommand).callsFake(() => new Promise(() => undefined));
    const t = listing({ signal: controller.signal, deadlineReached: Promise.resolve('deadline') });
    const out = await listAccounts(t.input);
    expect(t.ids()).toEqual([]);
    expect(out.errors.map((e) => e.code)).toEqual(['LISTING_INCOMPLETE']);
    expect(out.errors[0].message).toContain('0 accounts listed in 0 page(s)');
  });

  test('a page whose call fails because of the deadline is reported as the deadline, not as a denied listing', async () => {
    const controller = new AbortController();
    org.on(ListAccountsCommand).callsFake(async () => {
      controller.abort();
      throw error('AccessDeniedException', 'aborted mid-call');
    });
    const t = listing({ signal: controller.signal, deadlineReached: new Promise(() => undefined) });
    const out = await listAccounts(t.input);
    expect(t.ids()).toEqual([]);
    expect(out.organization).toEqual({ available: true });
    expect(out.errors).toEqual([
      {
        code: 'LISTING_INCOMPLETE',
        message: 'organizations:ListAccounts in us-east-1 failed: DeadlineExceeded: the run reached its deadline before this call finished after 0 page(s): 0 accounts listed; accounts after those are not in this report.',
      },
    ]);
  });

  // A page whose answer arrives after the deadline outcome is dropped: the listing has ended and
  // the LISTING_INCOMPLETE error already says later accounts are not in the report.
  test('a page answered after the deadline outcome is not handed on: the listing has ended, and the report says accounts after those are not in it', async () => {
    const controller = new AbortController();
    const reached = new Promise<'deadline'>((resolve) => controller.signal.addEventListener('abort', () => resolve('deadline')));
    let answer: (v: unknown) => void = () => undefined;
    org.on(ListAccountsCommand).callsFake(() => new Promise((resolve) => (answer = resolve))); // ignores the signal
    const t = listing({ signal: controller.signal, deadlineReached: reached });
    const step = listAccounts(t.input);
    await new Promise((r) => setImmediate(r));
    controller.abort();
    const out = await step;
    expect(out.errors[0].message).toContain('0 accounts listed in 0 page(s)');
    answer({ Accounts: [acct(accountId(1))] });
    await new Promise((r) => setImmediate(r));
    expect(t.handed).toEqual([]);
    expect(t.input.listed.has(accountId(1))).toBe(false);
  });
});
