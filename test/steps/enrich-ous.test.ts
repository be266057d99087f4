import { DescribeOrganizationalUnitCommand, ListParentsCommand } from '@aws-sdk/client-organizations';
import { enrichOus, ouLookupBudgetMs, OU_LOOKUP_MIN_MS } from '../../lambda/audit/enrich-ous';
import { account, accountId, report } from '../unit/report-fixtures';

type Send = (command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown>;
const organizations = (send: Send) => ({ send }) as never;

/** Answers from a table: the account's parent, and every OU's name. */
function answering(parents: Record<string, string>, names: Record<string, string> = {}, delayMs = 0): { send: Send; calls: string[] } {
  const calls: string[] = [];
  const send: Send = async (command, options) => {
    await new Promise((resolve, reject) => {
      if (options?.abortSignal?.aborted) return reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      const t = setTimeout(resolve, delayMs);
      options?.abortSignal?.addEventListener('abort', () => (clearTimeout(t), reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
    });
    if (command instanceof ListParentsCommand) {
      calls.push(`ListParents ${command.input.ChildId}`);
      const id = parents[command.input.ChildId!];
      return { Parents: id ? [{ Id: id, Type: id.startsWith('r-') ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }] : [] };
    }
    if (command instanceof DescribeOrganizationalUnitCommand) {
      calls.push(`DescribeOrganizationalUnit ${command.input.OrganizationalUnitId}`);
      return { OrganizationalUnit: { Name: names[command.input.OrganizationalUnitId!] } };
    }
    throw new Error('unexpected command');
  };
  return { send, calls };
}

const withOrg = (r: ReturnType<typeof report>) => ({ ...r, run: { ...r.run, organization: { available: true as const } } }) as typeof r;

test('the accounts needing attention get their OU, in a new report; the input report is not changed', async () => {
  const input = withOrg(report([account(accountId(1), 'FAIL'), account(accountId(2), 'ERROR'), account(accountId(3), 'PASS')]));
  const before = JSON.stringify(input);
  const aws = answering({ [accountId(1)]: 'ou-ab12-prod0000', [accountId(2)]: 'r-ab12' }, { 'ou-ab12-prod0000': 'Prod' });
  const out = await enrichOus(input, { organizations: organizations(aws.send), budgetMs: 5_000 });
  expect(JSON.stringify(input)).toBe(before);
  expect(out).not.toBe(input);
  expect(out.accounts.map((a) => [a.accountId, a.ouId, a.ouName])).toEqual([
    [accountId(1), 'ou-ab12-prod0000', 'Prod'],
    [accountId(2), 'r-ab12', undefined],
    [accountId(3), undefined, undefined],
  ]);
  expect(aws.calls).not.toContain(`ListParents ${accountId(3)}`);
  expect(out.run.notes).toEqual(input.run.notes);
});

test('nothing to look up (no account needing attention, or no organization): the same report, no call', async () => {
  const aws = answering({});
  const passing = withOrg(report([account(accountId(1), 'PASS')]));
  expect(await enrichOus(passing, { organizations: organizations(aws.send), budgetMs: 5_000 })).toBe(passing);
  const standalone = report([account(accountId(1), 'FAIL')]);
  standalone.run.organization = { available: false, reason: 'not in an organization' } as never;
  expect(await enrichOus(standalone, { organizations: organizations(aws.send), budgetMs: 5_000 })).toBe(standalone);
  expect(aws.calls).toEqual([]);
});

test('too little time: no call, and a note naming who ran short and the budget', async () => {
  const aws = answering({ [accountId(1)]: 'r-ab12' });
  const input = withOrg(report([account(accountId(1), 'FAIL')]));
  const out = await enrichOus(input, { organizations: organizations(aws.send), budgetMs: OU_LOOKUP_MIN_MS - 1, runner: 'the run' });
  expect(aws.calls).toEqual([]);
  expect(out.run.notes.at(-1)).toBe(`The OU is not shown for the 1 accounts needing attention: the run had too little time left to look it up (${OU_LOOKUP_MIN_MS - 1} ms).`);
  expect(out.accounts[0].ouId).toBeUndefined();
});

test('look-ups slower than the budget are cut at the budget, and the note says the time ran out', async () => {
  const ids = Array.from({ length: 6 }, (_, i) => accountId(i));
  const aws = answering(Object.fromEntries(ids.map((id) => [id, 'r-ab12'])), {}, 200);
  const started = Date.now();
  const out = await enrichOus(withOrg(report(ids.map((id) => account(id, 'FAIL')))), { organizations: organizations(aws.send), budgetMs: 300 });
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(out.run.notes.at(-1)).toMatch(/^The OU is shown for [0-2] of the 6 accounts needing attention: the time left for looking it up \(300 ms\) ran out\.$/);
});

test('a failed look-up: the account is shown without its OU, and the note carries the first error', async () => {
  const aws = answering({ [accountId(1)]: 'ou-ab12-prod0000' }, { 'ou-ab12-prod0000': 'Prod' });
  const out = await enrichOus(withOrg(report([account(accountId(1), 'FAIL'), account(accountId(2), 'FAIL')])), { organizations: organizations(aws.send), budgetMs: 5_000 });
  expect(out.accounts.map((a) => a.ouId)).toEqual(['ou-ab12-prod0000', undefined]);
  expect(out.run.notes.at(-1)).toMatch(/^The OU is shown for 1 of the 2 accounts needing attention: look-ups failed \(MalformedResponse: ListParents for \d{12} returned no parent\)\.$/);
});

test('the budget: a quarter of what is left, at most 5 s, never negative', () => {
  expect([ouLookupBudgetMs(-1), ouLookupBudgetMs(0), ouLookupBudgetMs(999), ouLookupBudgetMs(8_000), ouLookupBudgetMs(60_000)]).toEqual([0, 0, 249, 2_000, 5_000]);
});
