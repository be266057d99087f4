/** lambda/audit/org-trails.ts: organization trails read once from the owner, shared with members. */
import { OrgTrailCache, type FetchDetails } from '../../lambda/audit/org-trails';
import type { CallError, TrailDetails, TrailFacts } from '../../lambda/rule/types';

const OWNER = '111111111111';
const MEMBER_A = '222222222222';
const MEMBER_B = '333333333333';

const ORG_TRAIL: TrailFacts = {
  arn: `arn:aws:cloudtrail:us-east-1:${OWNER}:trail/org`,
  name: 'org',
  homeRegion: 'us-east-1',
  ownerAccountId: OWNER,
  isMultiRegionTrail: true,
  isOrganizationTrail: true,
};

const OK: TrailDetails = {
  ok: true,
  status: { isLogging: true },
  selectors: { kind: 'classic', selectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] },
  source: 'self',
};
const okFrom = (account: string): TrailDetails => ({ ...OK, status: { isLogging: true, latestDeliveryError: `read as ${account}` } });
const fail = (account: string, code: string, message: string): TrailDetails => ({
  ok: false,
  error: { call: 'cloudtrail:GetTrailStatus', code, message, accountId: account, region: 'us-east-1' },
});

/** A fetch that records who called it and answers from a table; answers arrive after a macrotask. */
function fakeFetch(answers: Record<string, (account: string) => TrailDetails>) {
  const calls: string[] = [];
  const fetch: FetchDetails = async (accountId, trail) => {
    calls.push(accountId);
    expect(trail).toBe(ORG_TRAIL);
    await new Promise((r) => setImmediate(r));
    const answer = answers[accountId];
    if (!answer) throw new Error(`unexpected fetch as ${accountId}`);
    return answer(accountId);
  };
  return { fetch, calls };
}

const audited = (...ids: string[]) => (id: string) => ids.includes(id);

describe('OrgTrailCache', () => {
  test('owner audited: 50 concurrent members → the owner is read exactly once and its result (source owner) is reused', async () => {
    const { fetch, calls } = fakeFetch({ [OWNER]: okFrom });
    const cache = new OrgTrailCache(fetch, audited(OWNER));
    const members = Array.from({ length: 50 }, (_, i) => String(200000000000 + i));
    const results = await Promise.all(members.map((m) => cache.details(ORG_TRAIL, m)));
    expect(calls).toEqual([OWNER]);
    for (const r of results) {
      expect(r).toEqual({ ...okFrom(OWNER), source: 'owner' });
    }
  });

  test('the owner auditing itself and members share the single read (self for the owner, owner for the members)', async () => {
    const { fetch, calls } = fakeFetch({ [OWNER]: okFrom });
    const cache = new OrgTrailCache(fetch, audited(OWNER));
    const [a, own, b] = await Promise.all([cache.details(ORG_TRAIL, MEMBER_A), cache.details(ORG_TRAIL, OWNER), cache.details(ORG_TRAIL, MEMBER_B)]);
    expect(calls).toEqual([OWNER]);
    expect(own).toMatchObject({ ok: true, source: 'self' });
    expect(a).toMatchObject({ ok: true, source: 'owner' });
    expect(b).toMatchObject({ ok: true, source: 'owner' });
  });

  test('viewer is the owner → source self', async () => {
    const { fetch, calls } = fakeFetch({ [OWNER]: okFrom });
    const cache = new OrgTrailCache(fetch, audited(OWNER));
    expect(await cache.details(ORG_TRAIL, OWNER)).toEqual({ ...okFrom(OWNER), source: 'self' });
    expect(calls).toEqual([OWNER]);
  });

  test('viewer is the owner and its read fails → the failure, unchanged', async () => {
    const { fetch } = fakeFetch({ [OWNER]: (a) => fail(a, 'ThrottlingException', 'Rate exceeded') });
    const cache = new OrgTrailCache(fetch, audited(OWNER));
    expect(await cache.details(ORG_TRAIL, OWNER)).toEqual(fail(OWNER, 'ThrottlingException', 'Rate exceeded'));
  });

  test("owner's read fails → the member's own read is used (source member) and cached for the next member", async () => {
    const { fetch, calls } = fakeFetch({ [OWNER]: (a) => fail(a, 'AccessDenied', 'cannot assume'), [MEMBER_A]: okFrom, [MEMBER_B]: okFrom });
    const cache = new OrgTrailCache(fetch, audited(OWNER));
    const a = await cache.details(ORG_TRAIL, MEMBER_A);
    expect(a).toEqual({ ...okFrom(MEMBER_A), source: 'member' });
    const b = await cache.details(ORG_TRAIL, MEMBER_B);
    expect(b).toEqual({ ...okFrom(MEMBER_A), source: 'member' });
    // Owner once (its failure is cached too), member A once, member B never.
    expect(calls).toEqual([OWNER, MEMBER_A]);
  });

  test('owner not audited → the member reads the trail itself; the owner is never read', async () => {
    const { fetch, calls } = fakeFetch({ [MEMBER_A]: okFrom });
    const cache = new OrgTrailCache(fetch, audited(MEMBER_A));
    expect(await cache.details(ORG_TRAIL, MEMBER_A)).toEqual({ ...okFrom(MEMBER_A), source: 'member' });
    expect(calls).toEqual([MEMBER_A]);
  });

  test('owner not audited and the member read fails → error naming the trail owner as not audited', async () => {
    const { fetch } = fakeFetch({ [MEMBER_A]: (a) => fail(a, 'TrailNotFoundException', 'Unknown trail') });
    const cache = new OrgTrailCache(fetch, audited(MEMBER_A));
    const r = await cache.details(ORG_TRAIL, MEMBER_A);
    expect(r.ok).toBe(false);
    const e = (r as { error: CallError }).error;
    expect(e.code).toBe('TrailNotFoundException');
    expect(e.accountId).toBe(MEMBER_A);
    expect(e.message).toContain('Unknown trail');
    expect(e.message).toContain(`owner account ${OWNER} is not audited`);
  });

  test("both fail → error whose message names the owner account and both failures (the owner's call and code)", async () => {
    const { fetch } = fakeFetch({
      [OWNER]: (a) => fail(a, 'AccessDenied', 'not authorized to perform sts:AssumeRole'),
      [MEMBER_A]: (a) => fail(a, 'CloudTrailARNInvalidException', 'ARN is invalid'),
    });
    const cache = new OrgTrailCache(fetch, audited(OWNER));
    const r = await cache.details(ORG_TRAIL, MEMBER_A);
    expect(r.ok).toBe(false);
    const e = (r as { error: CallError }).error;
    expect(e.code).toBe('CloudTrailARNInvalidException');
    expect(e.message).toContain('ARN is invalid');
    expect(e.message).toContain(OWNER);
    expect(e.message).toContain('AccessDenied');
    expect(e.message).toContain('not authorized to perform sts:AssumeRole');
    expect(e.message).toContain('cloudtrail:GetTrailStatus');
  });

  test('a failed member read is not cached: the next member tries its own read', async () => {
    let n = 0;
    const { fetch, calls } = fakeFetch({
      [MEMBER_A]: (a) => fail(a, 'TrailNotFoundException', 'Unknown trail'),
      [MEMBER_B]: (a) => (n++, okFrom(a)),
    });
    const cache = new OrgTrailCache(fetch, audited(MEMBER_A, MEMBER_B));
    expect((await cache.details(ORG_TRAIL, MEMBER_A)).ok).toBe(false);
    expect(await cache.details(ORG_TRAIL, MEMBER_B)).toEqual({ ...okFrom(MEMBER_B), source: 'member' });
    expect(calls).toEqual([MEMBER_A, MEMBER_B]);
    expect(n).toBe(1);
  });

  test('different trails are cached separately', async () => {
    const other: TrailFacts = { ...ORG_TRAIL, arn: `arn:aws:cloudtrail:us-east-1:${OWNER}:trail/second`, name: 'second' };
    const seen: string[] = [];
    const cache = new OrgTrailCache(async (account, t) => {
      seen.push(`${account} ${t.name}`);
      return okFrom(account);
    }, audited(OWNER));
    await Promise.all([cache.details(ORG_TRAIL, MEMBER_A), cache.details(other, MEMBER_A), cache.details(ORG_TRAIL, MEMBER_B), cache.details(other, MEMBER_B)]);
    expect(seen.sort()).toEqual([`${OWNER} org`, `${OWNER} second`]);
  });
});
