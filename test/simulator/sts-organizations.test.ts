import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { Scenario, ScenarioAccount } from '../../simulator/scenario-types';
import type { Simulator } from '../../simulator/server';
import { CALLER, MEMBER, MEMBER_EU, MGMT, NO_ROLE, ROLE, SUSPENDED, baseScenario, errorOf, sharedSimulator } from './helpers';

let sim: Simulator;
const clients = sharedSimulator((s) => (sim = s));


describe('STS', () => {
  test('GetCallerIdentity for the caller and for an assumed role', async () => {
    const me = await clients.sts().send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe(MGMT);
    expect(me.Arn).toBe(`arn:aws:iam::${MGMT}:user/trailcheck`);
    expect(me.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);

    const creds = await clients.assume(MEMBER);
    expect(creds.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    const them = await clients.sts(creds).send(new GetCallerIdentityCommand({}));
    expect(them.Account).toBe(MEMBER);
    expect(them.Arn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/${ROLE}/trailcheck`);
    expect(them.UserId).toMatch(/^AROA[A-Z2-7]{17}:trailcheck$/);
  });

  test('AssumeRole returns credentials with an expiration and the assumed role user', async () => {
    const before = Date.now();
    const out = await clients.sts().send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/${ROLE}`, RoleSessionName: 's@x.y', DurationSeconds: 900 }),
    );
    expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
    const exp = out.Credentials!.Expiration!.getTime();
    expect(exp).toBeGreaterThan(before + 890_000);
    expect(exp).toBeLessThan(before + 910_000);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/${ROLE}/s@x.y`);
    expect(sim.calls[0]).toMatchObject({ service: 'sts', action: 'AssumeRole', account: MGMT, targetAccount: MEMBER, outcome: 'ok' });
  });

  test('AssumeRole AccessDenied: missing role, deny trust, wrong external id, unknown and closed accounts', async () => {
    const sts = clients.sts();
    const assume = (account: string, role: string, externalId?: string) =>
      errorOf(sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${role}`, RoleSessionName: 'trailcheck', ExternalId: externalId })));

    const e1 = await assume(NO_ROLE, ROLE);
    expect(e1.name).toBe('AccessDenied');
    expect(e1.$metadata?.httpStatusCode).toBe(403);
    expect(e1.message).toBe(
      `User: arn:aws:iam::${MGMT}:user/trailcheck is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${NO_ROLE}:role/${ROLE}`,
    );
    expect((await assume(MEMBER, 'Denied')).name).toBe('AccessDenied');
    expect((await assume(MEMBER, 'WithExternalId')).name).toBe('AccessDenied');
    expect((await assume(MEMBER, 'WithExternalId', 'wrong-ext')).name).toBe('AccessDenied');
    await expect(
      sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/WithExternalId`, RoleSessionName: 'ok', ExternalId: 'secret-ext' })),
    ).resolves.toBeDefined();
    expect((await assume('000000000000', ROLE)).name).toBe('AccessDenied');

    const s = baseScenario();
    s.accounts.find((a) => a.id === MEMBER)!.state = 'CLOSED';
    sim.setScenario(s);
    expect((await assume(MEMBER, ROLE)).name).toBe('AccessDenied');
    // SUSPENDED accounts can still be entered.
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${SUSPENDED}:role/${ROLE}`, RoleSessionName: 'ok' }))).resolves.toBeDefined();
  });

  test('AssumeRole ValidationError on bad session names, durations and ARNs', async () => {
    const sts = clients.sts();
    const bad = async (input: { RoleArn?: string; RoleSessionName?: string; DurationSeconds?: number }) =>
      errorOf(sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/${ROLE}`, RoleSessionName: 'ok', ...input })));
    const e = await bad({ RoleSessionName: 'has space' });
    expect(e.name).toBe('ValidationError');
    expect(e.message).toContain("at 'roleSessionName'");
    expect((await bad({ RoleSessionName: 'x' })).name).toBe('ValidationError');
    expect((await bad({ RoleSessionName: 'x'.repeat(65) })).name).toBe('ValidationError');
    expect((await bad({ DurationSeconds: 60 })).name).toBe('ValidationError');
    expect((await bad({ DurationSeconds: 7200 })).message).toContain('MaxSessionDuration');
    expect((await bad({ RoleArn: 'arn:aws:iam::123:role/x' })).name).toBe('ValidationError');
  });

  test('unknown access key is InvalidClientTokenId (query) / UnrecognizedClientException (JSON), 403', async () => {
    const bogus = { accessKeyId: 'AKIABOGUS00000000000', secretAccessKey: 'x' };
    const e1 = await errorOf(clients.sts(bogus).send(new GetCallerIdentityCommand({})));
    expect(e1.name).toBe('InvalidClientTokenId');
    expect(e1.$metadata?.httpStatusCode).toBe(403);
    const e2 = await errorOf(clients.orgs(bogus).send(new ListRootsCommand({})));
    expect(e2.name).toBe('UnrecognizedClientException');
    expect(e2.$metadata?.httpStatusCode).toBe(403);
    // A session key without its token is refused too.
    const creds = await clients.assume(MEMBER);
    const e3 = await errorOf(clients.sts({ accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey }).send(new GetCallerIdentityCommand({})));
    expect(e3.name).toBe('InvalidClientTokenId');
  });
});

describe('unmodified clients', () => {
  test('AWS_ENDPOINT_URL and fromTemporaryCredentials route every client to the simulator', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: sim.url,
      AWS_ACCESS_KEY_ID: CALLER.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CALLER.secretAccessKey,
      AWS_REGION: 'us-east-1',
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    const sts = new STSClient({});
    const credentials = fromTemporaryCredentials({ params: { RoleArn: `arn:aws:iam::${MEMBER}:role/${ROLE}`, RoleSessionName: 'tc' } });
    const ct = new CloudTrailClient({ region: 'eu-west-1', credentials });
    try {
      expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe(MGMT);
      const trails = await ct.send(new DescribeTrailsCommand({}));
      expect(trails.trailList?.map((t) => t.TrailARN)).toContain(`arn:aws:cloudtrail:eu-west-1:${MEMBER}:trail/own-mr`);
      expect(sim.calls.map((c) => [c.service, c.action, c.account, c.region])).toEqual([
        ['sts', 'GetCallerIdentity', MGMT, 'us-east-1'],
        ['sts', 'AssumeRole', MGMT, 'eu-west-1'],
        ['cloudtrail', 'DescribeTrails', MEMBER, 'eu-west-1'],
      ]);
    } finally {
      sts.destroy();
      ct.destroy();
      process.env = saved;
    }
  });
});

function bigOrg(n: number): Scenario {
  const s = baseScenario();
  const extra: ScenarioAccount[] = [];
  for (let i = 0; s.accounts.length + extra.length < n; i++) {
    extra.push({ id: String(600000000000 + i), name: `acct-${i}`, parentId: i % 2 ? 'ou-ab12-prod0000' : undefined, state: i === 3 ? 'PENDING_CLOSURE' : undefined });
  }
  s.accounts.push(...extra);
  // baseScenario has one unlisted account: make every account listed for the count.
  s.accounts.forEach((a) => delete a.listed);
  return s;
}

describe('Organizations', () => {
  test('ListAccounts paginates 45 accounts in pages of 20 with State and legacy Status', async () => {
    sim.setScenario(bigOrg(45));
    const orgs = clients.orgs();
    const pages = [];
    for await (const page of paginateListAccounts({ client: orgs, pageSize: 20 }, {})) pages.push(page);
    expect(pages.map((p) => p.Accounts?.length)).toEqual([20, 20, 5]);
    const all = pages.flatMap((p) => p.Accounts ?? []);
    expect(new Set(all.map((a) => a.Id)).size).toBe(45);
    const first = all[0];
    expect(first).toMatchObject({
      Id: MGMT,
      Arn: `arn:aws:organizations::${MGMT}:account/o-test000001/${MGMT}`,
      Name: 'management',
      State: 'ACTIVE',
      Status: 'ACTIVE',
    });
    expect(first.JoinedTimestamp).toBeInstanceOf(Date);
    expect(all.find((a) => a.Id === SUSPENDED)).toMatchObject({ State: 'SUSPENDED', Status: 'SUSPENDED' });
    expect(all.find((a) => a.Id === '600000000003')).toMatchObject({ State: 'PENDING_CLOSURE', Status: 'PENDING_CLOSURE' });
    expect(sim.calls.map((c) => c.params.nextToken)).toEqual([false, true, true]);
    expect(sim.callCount('organizations', 'ListAccounts')).toBe(3);
  });

  test('ListAccounts: default page size 20, MaxResults above 20 and bad tokens are InvalidInputException', async () => {
    sim.setScenario(bigOrg(25));
    const orgs = clients.orgs();
    const p1 = await orgs.send(new ListAccountsCommand({}));
    expect(p1.Accounts).toHaveLength(20);
    expect(p1.NextToken).toEqual(expect.any(String));
    const e1 = await errorOf(orgs.send(new ListAccountsCommand({ MaxResults: 21 })));
    expect(e1.name).toBe('InvalidInputException');
    expect(e1.Reason).toBe('MAX_VALUE_EXCEEDED');
    const e2 = await errorOf(orgs.send(new ListAccountsCommand({ NextToken: 'not-a-token' })));
    expect(e2.name).toBe('InvalidInputException');
    expect(e2.Reason).toBe('INVALID_PAGINATION_TOKEN');
    // A token of another action is invalid as well.
    const roots = await orgs.send(new ListAccountsForParentCommand({ ParentId: 'r-ab12', MaxResults: 1 }));
    expect((await errorOf(orgs.send(new ListAccountsCommand({ NextToken: roots.NextToken })))).name).toBe('InvalidInputException');
  });

  test('unlisted accounts are left out of ListAccounts', async () => {
    const out = await clients.orgs().send(new ListAccountsCommand({}));
    expect(out.Accounts?.map((a) => a.Id)).toEqual([MGMT, MEMBER, MEMBER_EU, NO_ROLE]);
  });

  test('roots, OUs, children and parents', async () => {
    const orgs = clients.orgs();
    const roots = await orgs.send(new ListRootsCommand({}));
    expect(roots.Roots).toEqual([{ Id: 'r-ab12', Arn: `arn:aws:organizations::${MGMT}:root/o-test000001/r-ab12`, Name: 'Root', PolicyTypes: [] }]);
    const top = await orgs.send(new ListOrganizationalUnitsForParentCommand({ ParentId: 'r-ab12' }));
    expect(top.OrganizationalUnits?.map((o) => o.Name)).toEqual(['Security', 'Workloads']);
    expect(top.OrganizationalUnits?.[0].Arn).toBe(`arn:aws:organizations::${MGMT}:ou/o-test000001/ou-ab12-security0`);
    const prod = await orgs.send(new ListAccountsForParentCommand({ ParentId: 'ou-ab12-prod0000' }));
    expect(prod.Accounts?.map((a) => a.Id)).toEqual([MEMBER]);
    const atRoot = await orgs.send(new ListChildrenCommand({ ParentId: 'r-ab12', ChildType: 'ACCOUNT' }));
    expect(atRoot.Children).toEqual([
      { Id: MGMT, Type: 'ACCOUNT' },
      { Id: NO_ROLE, Type: 'ACCOUNT' },
    ]);
    const ous = await orgs.send(new ListChildrenCommand({ ParentId: 'ou-ab12-workload0', ChildType: 'ORGANIZATIONAL_UNIT' }));
    expect(ous.Children).toEqual([{ Id: 'ou-ab12-prod0000', Type: 'ORGANIZATIONAL_UNIT' }]);
    expect((await orgs.send(new ListParentsCommand({ ChildId: MEMBER }))).Parents).toEqual([{ Id: 'ou-ab12-prod0000', Type: 'ORGANIZATIONAL_UNIT' }]);
    expect((await orgs.send(new ListParentsCommand({ ChildId: 'ou-ab12-prod0000' }))).Parents).toEqual([
      { Id: 'ou-ab12-workload0', Type: 'ORGANIZATIONAL_UNIT' },
    ]);
    expect((await orgs.send(new ListParentsCommand({ ChildId: NO_ROLE }))).Parents).toEqual([{ Id: 'r-ab12', Type: 'ROOT' }]);

    expect((await errorOf(orgs.send(new ListAccountsForParentCommand({ ParentId: 'ou-ab12-nothere0' })))).name).toBe('ParentNotFoundException');
    expect((await errorOf(orgs.send(new ListOrganizationalUnitsForParentCommand({ ParentId: 'r-zzzz' })))).name).toBe('ParentNotFoundException');
    expect((await errorOf(orgs.send(new ListParentsCommand({ ChildId: '000000000000' })))).name).toBe('ChildNotFoundException');
    const org = await orgs.send(new DescribeOrganizationCommand({}));
    expect(org.Organization).toMatchObject({ Id: 'o-test000001', MasterAccountId: MGMT, FeatureSet: 'ALL' });
  });

  test('members get AccessDeniedException, delegated administrators may list, no organization is AWSOrganizationsNotInUseException', async () => {
    const member = await clients.assume(MEMBER);
    const e = await errorOf(clients.orgs(member).send(new ListAccountsCommand({})));
    expect(e.name).toBe('AccessDeniedException');
    // Any member may describe its organization.
    await expect(clients.orgs(member).send(new DescribeOrganizationCommand({}))).resolves.toBeDefined();
    const delegated = await clients.assume(MEMBER_EU);
    await expect(clients.orgs(delegated).send(new ListAccountsCommand({}))).resolves.toMatchObject({ Accounts: expect.any(Array) });

    const s = baseScenario();
    delete s.organization;
    s.accounts.forEach((a) => {
      delete a.parentId;
      a.trails = (a.trails ?? []).filter((t) => !t.isOrganizationTrail);
    });
    sim.setScenario(s);
    const e2 = await errorOf(clients.orgs(CALLER).send(new ListAccountsCommand({})));
    expect(e2.name).toBe('AWSOrganizationsNotInUseException');
    expect(e2.message).toBe('Your account is not a member of an organization.');
  });
});
