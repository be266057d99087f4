/** How the run reads an organization trail for the cache (lambda/audit/org-trail-reads.ts). */
import { ListedAccounts } from '../../lambda/audit/account-scope';
import { orgTrailCacheFor } from '../../lambda/audit/org-trail-reads';
import { accountId, CALLER } from '../unit/report-fixtures';
import { awsError, fakeRun, trail, type World } from './step-fakes';

/** A delegated administrator owns the organization trail; two members see it. */
const OWNER = accountId(50);
const [MEMBER, OTHER_MEMBER] = [accountId(1), accountId(2)];
const orgTrail = trail(OWNER, 'org', { homeRegion: 'eu-west-1', isOrganizationTrail: true });
const asOwnerSeesIt = [orgTrail];

function cache(world: Partial<World>, ownerAudited: (id: string) => Promise<boolean> = async () => true) {
  const run = fakeRun({ caller: CALLER, trails: { [OWNER]: asOwnerSeesIt }, ...world });
  return { run, orgTrails: orgTrailCacheFor({ clients: run.clients, credentials: run.credentials, listings: run.listings, signal: run.signal, ownerAudited }) };
}

const reads = (as: string, arn = orgTrail.arn, region = 'eu-west-1') => [
  { as, region, call: 'GetTrailStatus', arn },
  { as, region, call: 'GetEventSelectors', arn },
];

test('read once, as the owner, in the home region, after the owner’s own listing confirms it; shared with every member', async () => {
  const { run, orgTrails } = cache({});
  const first = await orgTrails.details(orgTrail, MEMBER);
  expect(first).toEqual({ ok: true, status: { isLogging: true }, selectors: { kind: 'classic', selectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] }, source: 'owner' });
  expect(await orgTrails.details(orgTrail, OTHER_MEMBER)).toEqual(first);
  expect(await orgTrails.details(orgTrail, OWNER)).toEqual({ ...first, source: 'self' });
  expect(run.reads).toEqual(reads(OWNER));
  expect(run.assumed).toEqual([OWNER]);
  expect(run.listed).toEqual([OWNER]);
});

test('owned by the run’s own account: read with its own credentials, no AssumeRole', async () => {
  const mine = trail(CALLER, 'org', { homeRegion: 'ap-southeast-2', isOrganizationTrail: true });
  const { run, orgTrails } = cache({ trails: { [CALLER]: [mine] } });
  await expect(orgTrails.details(mine, MEMBER)).resolves.toMatchObject({ ok: true, source: 'owner' });
  expect(run.reads).toEqual(reads(CALLER, mine.arn, 'ap-southeast-2'));
  expect(run.assumed).toEqual([]);
});

describe('the owner’s own listing contradicts what members see: a malformed response, and no member reading overrides it', () => {
  test.each<[string, World['trails'][string], string]>([
    ['does not list the trail', [], 'does not list it'],
    ['lists it as not an organization trail', [{ ...orgTrail, isOrganizationTrail: false }], 'lists it as not an organization trail'],
    ['disagrees on multi-region', [{ ...orgTrail, isMultiRegionTrail: false }], 'lists it with IsMultiRegionTrail false'],
  ])('the owner %s', async (_name, ownersView, problem) => {
    const { run, orgTrails } = cache({ trails: { [OWNER]: ownersView } });
    const expected = {
      ok: false,
      error: {
        call: 'cloudtrail:DescribeTrails',
        code: 'MalformedResponse',
        message: `the owner account's own DescribeTrails ${problem}, so it is not an organization trail this account can rely on`,
        accountId: OWNER,
        region: 'eu-west-1',
      },
    };
    expect(await orgTrails.details(orgTrail, MEMBER)).toEqual(expected);
    expect(await orgTrails.details(orgTrail, OWNER)).toEqual(expected);
    expect(run.reads).toEqual([]);
  });
});

test('the owner’s listing fails: an ordinary call error, so the member reads the trail itself', async () => {
  const { run, orgTrails } = cache({ trails: { [OWNER]: awsError('AccessDeniedException', 'no DescribeTrails') } });
  await expect(orgTrails.details(orgTrail, MEMBER)).resolves.toMatchObject({ ok: true, source: 'member' });
  expect(run.reads).toEqual(reads(MEMBER));
});

test('the owner cannot be assumed and the member’s own reads fail: an error naming both, never a verdict', async () => {
  const { run, orgTrails } = cache({
    assumeFails: { [OWNER]: awsError('AccessDenied', 'not authorized to perform sts:AssumeRole') },
    status: { [`${MEMBER} ${orgTrail.arn}`]: awsError('TrailNotFoundException', 'Unknown trail') },
  });
  const out = await orgTrails.details(orgTrail, MEMBER);
  expect(out).toEqual({
    ok: false,
    error: {
      call: 'cloudtrail:GetTrailStatus',
      code: 'TrailNotFoundException',
      message: `Unknown trail; from the owner account ${OWNER}: sts:AssumeRole failed: AccessDenied: not authorized to perform sts:AssumeRole`,
      accountId: MEMBER,
      region: 'eu-west-1',
    },
  });
  expect(run.listed).toEqual([]); // the owner's listing needs the owner's credentials: not attempted
});

describe('the owner must be audited in this run to be read as the owner', () => {
  test('not audited: never assumed nor listed; the member reads the trail itself', async () => {
    const { run, orgTrails } = cache({}, async () => false);
    await expect(orgTrails.details(orgTrail, MEMBER)).resolves.toMatchObject({ ok: true, source: 'member' });
    expect(run.assumed).toEqual([MEMBER]);
    expect(run.listed).toEqual([]);
    expect(run.reads).toEqual(reads(MEMBER));
  });

  test('not audited and the member’s reads fail: ERROR evidence saying the owner is not audited', async () => {
    const { orgTrails } = cache({ status: { [`${MEMBER} ${orgTrail.arn}`]: awsError('CloudTrailARNInvalidException', 'bad arn') } }, async () => false);
    await expect(orgTrails.details(orgTrail, MEMBER)).resolves.toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'CloudTrailARNInvalidException', message: `bad arn; the owner account ${OWNER} is not audited in this run` }),
    });
  });

  test('an owner the listing never names (an ARN pointing outside the organization) is never assumed: the reading waits for the listing to end', async () => {
    const listed = new ListedAccounts();
    listed.add(MEMBER);
    const { run, orgTrails } = cache({}, (id) => listed.includes(id));
    let settled = false;
    const pending = orgTrails.details(orgTrail, MEMBER).then((d) => ((settled = true), d));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    expect(run.assumed).toEqual([]);
    listed.end();
    await expect(pending).resolves.toMatchObject({ ok: true, source: 'member' });
    expect(run.assumed).toEqual([MEMBER]);
  });

  test('an owner listed on a later page is read as the owner', async () => {
    const listed = new ListedAccounts();
    const { run, orgTrails } = cache({}, (id) => listed.includes(id));
    const pending = orgTrails.details(orgTrail, MEMBER);
    listed.add(OWNER);
    listed.end();
    await expect(pending).resolves.toMatchObject({ ok: true, source: 'owner' });
    expect(run.reads).toEqual(reads(OWNER));
  });
});

test('after the deadline: no AssumeRole, no read, and the error is the deadline (for the owner and the member), not a denied role', async () => {
  const controller = new AbortController();
  controller.abort();
  const { run, orgTrails } = cache({ signal: controller.signal });
  const out = await orgTrails.details(orgTrail, MEMBER);
  expect(out.ok).toBe(false);
  expect(out.ok ? undefined : [out.error.code, out.error.message]).toEqual([
    'DeadlineExceeded',
    `the run reached its deadline before this call finished; from the owner account ${OWNER}: sts:AssumeRole failed: DeadlineExceeded: the run reached its deadline before this call finished`,
  ]);
  expect([run.assumed, run.reads]).toEqual([[], []]);
});
