import { DescribeOrganizationalUnitCommand, ListParentsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { lookUpOus } from '../../lambda/aws/ous';

const org = mockClient(OrganizationsClient);
const client = new OrganizationsClient({ region: 'us-east-1' });

beforeEach(() => org.reset());

test('one ListParents per account and one DescribeOrganizationalUnit per distinct OU; accounts under the root get the root id, no name', async () => {
  org.on(ListParentsCommand, { ChildId: '111111111111' }).resolves({ Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] });
  org.on(ListParentsCommand, { ChildId: '222222222222' }).resolves({ Parents: [{ Id: 'ou-ab12-prod0000', Type: 'ORGANIZATIONAL_UNIT' }] });
  org.on(ListParentsCommand, { ChildId: '333333333333' }).resolves({ Parents: [{ Id: 'ou-ab12-prod0000', Type: 'ORGANIZATIONAL_UNIT' }] });
  org.on(DescribeOrganizationalUnitCommand).resolves({ OrganizationalUnit: { Id: 'ou-ab12-prod0000', Name: 'Prod' } });
  const r = await lookUpOus(client, ['111111111111', '222222222222', '333333333333', '222222222222']);
  expect(Object.fromEntries(r.ous)).toEqual({
    '111111111111': { id: 'r-ab12' },
    '222222222222': { id: 'ou-ab12-prod0000', name: 'Prod' },
    '333333333333': { id: 'ou-ab12-prod0000', name: 'Prod' },
  });
  expect(org.commandCalls(ListParentsCommand)).toHaveLength(3);
  expect(org.commandCalls(DescribeOrganizationalUnitCommand)).toHaveLength(1);
  expect(r).toMatchObject({ skipped: 0, failed: 0 });
});

test('a failed look-up leaves that account out and is counted with its error; a failed name keeps the id', async () => {
  org.on(ListParentsCommand, { ChildId: '111111111111' }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
  org.on(ListParentsCommand, { ChildId: '222222222222' }).resolves({ Parents: [{ Id: 'ou-ab12-dev00000', Type: 'ORGANIZATIONAL_UNIT' }] });
  org.on(ListParentsCommand, { ChildId: '333333333333' }).resolves({ Parents: [] });
  org.on(DescribeOrganizationalUnitCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
  const r = await lookUpOus(client, ['111111111111', '222222222222', '333333333333']);
  expect(Object.fromEntries(r.ous)).toEqual({ '222222222222': { id: 'ou-ab12-dev00000' } });
  expect(r.failed).toBe(2);
  expect(r.firstError).toMatch(/TooManyRequestsException: Rate exceeded|MalformedResponse/);
});

test('capped: accounts beyond maxAccounts are not looked up, and counted', async () => {
  org.on(ListParentsCommand).resolves({ Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] });
  const ids = Array.from({ length: 10 }, (_, i) => String(200000000000 + i));
  const r = await lookUpOus(client, ids, { maxAccounts: 4, concurrency: 2 });
  expect(r.ous.size).toBe(4);
  expect(r.skipped).toBe(6);
  expect(org.commandCalls(ListParentsCommand)).toHaveLength(4);
});

test('never more look-ups in flight than the concurrency allows', async () => {
  let inFlight = 0;
  let most = 0;
  org.on(ListParentsCommand).callsFake(async () => {
    inFlight += 1;
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight -= 1;
    return { Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] };
  });
  await lookUpOus(client, Array.from({ length: 12 }, (_, i) => String(300000000000 + i)), { maxAccounts: 100, concurrency: 3 });
  expect(most).toBe(3);
});

test('a parent id that is not a root or OU id (or a type that does not match it) is not shown: the look-up fails, malformed', async () => {
  const bad = ['ou-ab12-prod0000; rm -rf /', 'r-ab12\n', 'arn:aws:organizations::111111111111:ou/o-x/ou-ab12-prod0000', 'ou-AB12-prod0000', ''];
  bad.forEach((id, i) => org.on(ListParentsCommand, { ChildId: accountId(i) }).resolves({ Parents: [{ Id: id, Type: 'ORGANIZATIONAL_UNIT' }] }));
  org.on(ListParentsCommand, { ChildId: accountId(9) }).resolves({ Parents: [{ Id: 'ou-ab12-prod0000', Type: 'ROOT' }] });
  org.on(DescribeOrganizationalUnitCommand).resolves({ OrganizationalUnit: { Id: 'ou-ab12-prod0000', Name: 'Prod' } });
  const r = await lookUpOus(client, [...bad.map((_, i) => accountId(i)), accountId(9)]);
  expect(r.ous.size).toBe(0);
  expect(r.failed).toBe(bad.length + 1);
  expect(r.firstError).toMatch(/^MalformedResponse: /);
  expect(org.commandCalls(DescribeOrganizationalUnitCommand)).toHaveLength(0);
});

test('documented root and OU ids pass the check', async () => {
  org.on(ListParentsCommand, { ChildId: accountId(1) }).resolves({ Parents: [{ Id: 'r-0abc', Type: 'ROOT' }] });
  org.on(ListParentsCommand, { ChildId: accountId(2) }).resolves({ Parents: [{ Id: `ou-${'a'.repeat(32)}-${'0'.repeat(32)}`, Type: 'ORGANIZATIONAL_UNIT' }] });
  org.on(DescribeOrganizationalUnitCommand).resolves({ OrganizationalUnit: { Name: 'Prod' } });
  const r = await lookUpOus(client, [accountId(1), accountId(2)]);
  expect(r.failed).toBe(0);
  expect(r.ous.size).toBe(2);
});

function accountId(n: number): string {
  return String(300000000000 + n);
}
