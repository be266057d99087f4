import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import type { Simulator } from '../../simulator/server';
import { MEMBER, MEMBER_EU, MGMT, SUSPENDED, baseScenario, errorOf, sharedSimulator } from './helpers';

let sim: Simulator;
const clients = sharedSimulator((started) => (sim = started));
let member: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

const ORG_MR = `arn:aws:cloudtrail:us-east-1:${MGMT}:trail/org-mr`;
const ORG_SR = `arn:aws:cloudtrail:us-west-2:${MGMT}:trail/org-sr`;
const OWN_MR = `arn:aws:cloudtrail:eu-west-1:${MEMBER}:trail/own-mr`;
const OWN_SR = `arn:aws:cloudtrail:us-east-1:${MEMBER}:trail/own-sr`;

beforeAll(async () => {
  member = await clients.assume(MEMBER);
});

const arns = (out: { trailList?: Array<{ TrailARN?: string }> }) => (out.trailList ?? []).map((t) => t.TrailARN).sort();

describe('DescribeTrails', () => {
  test('account separation: the member sees its own trails and the org trails, not the management account others', async () => {
    const out = await clients.ct(member, 'us-east-1').send(new DescribeTrailsCommand({}));
    expect(arns(out)).toEqual([OWN_MR, OWN_SR, ORG_MR].sort());
    const mine = out.trailList!.find((t) => t.TrailARN === OWN_MR)!;
    expect(mine).toEqual({
      Name: 'own-mr',
      S3BucketName: expect.any(String),
      IncludeGlobalServiceEvents: true,
      IsMultiRegionTrail: true,
      HomeRegion: 'eu-west-1',
      TrailARN: OWN_MR,
      LogFileValidationEnabled: true,
      HasCustomEventSelectors: false,
      HasInsightSelectors: false,
      IsOrganizationTrail: false,
    });
    expect(out.trailList!.find((t) => t.TrailARN === ORG_MR)).toMatchObject({ IsOrganizationTrail: true, HomeRegion: 'us-east-1' });
    expect(out.trailList!.find((t) => t.TrailARN === OWN_SR)).toMatchObject({ HasCustomEventSelectors: true, IsMultiRegionTrail: false });

    // The management account sees its own org trails as its own, and nothing of the member.
    const mgmt = await clients.ct(undefined, 'us-east-1').send(new DescribeTrailsCommand({}));
    expect(arns(mgmt)).toEqual([ORG_MR]);
    expect(sim.calls.map((c) => c.account)).toEqual([MGMT, MEMBER, MGMT]);
  });

  test('shadow trails only with includeShadowTrails (default true)', async () => {
    const ct = clients.ct(member, 'us-west-2');
    expect(arns(await ct.send(new DescribeTrailsCommand({})))).toEqual([ORG_MR, ORG_SR, OWN_MR].sort());
    expect(arns(await ct.send(new DescribeTrailsCommand({ includeShadowTrails: true })))).toEqual([ORG_MR, ORG_SR, OWN_MR].sort());
    expect(arns(await ct.send(new DescribeTrailsCommand({ includeShadowTrails: false })))).toEqual([ORG_SR]);
    const eu = clients.ct(member, 'eu-west-1');
    expect(arns(await eu.send(new DescribeTrailsCommand({ includeShadowTrails: false })))).toEqual([OWN_MR]);
  });

  test('org trails reach ACTIVE members only; single-region ones only in their home region', async () => {
    const eu = await clients.assume(MEMBER_EU);
    expect(arns(await clients.ct(eu, 'eu-west-1').send(new DescribeTrailsCommand({})))).toEqual(
      [ORG_MR, `arn:aws:cloudtrail:eu-west-1:${MEMBER_EU}:trail/eu-trail`].sort(),
    );
    const suspended = await clients.assume(SUSPENDED);
    expect(arns(await clients.ct(suspended, 'us-east-1').send(new DescribeTrailsCommand({})))).toEqual([]);
  });

  test('trailNameList takes own names in the region and ARNs', async () => {
    const ct = clients.ct(member, 'us-east-1');
    expect(arns(await ct.send(new DescribeTrailsCommand({ trailNameList: ['own-sr'] })))).toEqual([OWN_SR]);
    expect(arns(await ct.send(new DescribeTrailsCommand({ trailNameList: ['own-mr'] })))).toEqual([]); // homed elsewhere
    expect(arns(await ct.send(new DescribeTrailsCommand({ trailNameList: [OWN_MR, ORG_MR, 'nope'] })))).toEqual([OWN_MR, ORG_MR].sort());
    expect(sim.calls.at(-1)?.params).toEqual({ trailNameList: [OWN_MR, ORG_MR, 'nope'] });
  });

  test('a region the scenario does not enable is refused like a disabled opt-in region', async () => {
    const e = await errorOf(clients.ct(member, 'ap-east-1').send(new DescribeTrailsCommand({})));
    expect(e.name).toBe('UnrecognizedClientException');
  });
});

describe('GetTrailStatus / GetEventSelectors', () => {
  test('by name in the home region; by ARN of the own trail', async () => {
    const eu = clients.ct(member, 'eu-west-1');
    const st = await eu.send(new GetTrailStatusCommand({ Name: 'own-mr' }));
    expect(st.IsLogging).toBe(true);
    expect(st.LatestDeliveryError).toBe('AccessDenied');
    expect(st.LatestDeliveryTime).toBeInstanceOf(Date);
    expect(st.StartLoggingTime).toBeInstanceOf(Date);
    const st2 = await eu.send(new GetTrailStatusCommand({ Name: OWN_MR }));
    expect(st2.IsLogging).toBe(true);
    const stopped = await clients.ct(member, 'us-east-1').send(new GetTrailStatusCommand({ Name: 'own-sr' }));
    expect(stopped.IsLogging).toBe(false);
    expect(stopped.LatestDeliveryError).toBeUndefined();
    expect(stopped.StopLoggingTime).toBeInstanceOf(Date);
  });

  test('outside the home region: a multi-region trail answers by ARN (its shadow copy), never by name; a single-region trail not at all', async () => {
    const us = clients.ct(member, 'us-east-1');
    expect((await us.send(new GetTrailStatusCommand({ Name: OWN_MR }))).IsLogging).toBe(true);
    expect((await us.send(new GetEventSelectorsCommand({ TrailName: OWN_MR }))).TrailARN).toBe(OWN_MR);
    expect((await errorOf(us.send(new GetTrailStatusCommand({ Name: 'own-mr' })))).name).toBe('TrailNotFoundException');
    const eu = clients.ct(member, 'eu-west-1');
    const e1 = await errorOf(eu.send(new GetTrailStatusCommand({ Name: OWN_SR })));
    expect(e1.name).toBe('TrailNotFoundException');
    expect(e1.message).toBe(`Unknown trail: ${OWN_SR} for the user: ${MEMBER}`);
    expect((await errorOf(eu.send(new GetEventSelectorsCommand({ TrailName: OWN_SR })))).name).toBe('TrailNotFoundException');
    expect(sim.calls.find((c) => c.region === 'eu-west-1' && c.action === 'GetTrailStatus')).toMatchObject({ outcome: 'error', errorCode: 'TrailNotFoundException', params: { trail: OWN_SR } });
  });

  test('org trails by ARN: memberAccess allow returns the owner data, otherwise that error', async () => {
    const us = clients.ct(member, 'us-east-1');
    const st = await us.send(new GetTrailStatusCommand({ Name: ORG_MR }));
    expect(st.IsLogging).toBe(true);
    const sel = await us.send(new GetEventSelectorsCommand({ TrailName: ORG_MR }));
    expect(sel.TrailARN).toBe(ORG_MR);
    // By name, an org trail is not the member's own.
    expect((await errorOf(us.send(new GetTrailStatusCommand({ Name: 'org-mr' })))).name).toBe('TrailNotFoundException');

    const w2 = clients.ct(member, 'us-west-2');
    expect((await errorOf(w2.send(new GetTrailStatusCommand({ Name: ORG_SR })))).name).toBe('AccessDeniedException');
    for (const access of ['TrailNotFoundException', 'CloudTrailARNInvalidException'] as const) {
      const s = baseScenario();
      s.accounts[0].trails![1].memberAccess = access;
      sim.setScenario(s);
      expect((await errorOf(w2.send(new GetEventSelectorsCommand({ TrailName: ORG_SR })))).name).toBe(access);
    }
    // The owner itself is never subject to memberAccess.
    await expect(clients.ct(undefined, 'us-west-2').send(new GetTrailStatusCommand({ Name: ORG_SR }))).resolves.toMatchObject({ IsLogging: true });
  });

  test("another account's non-organization trail is TrailNotFoundException", async () => {
    const euMember = await clients.assume(MEMBER_EU);
    const e = await errorOf(clients.ct(euMember, 'eu-west-1').send(new GetTrailStatusCommand({ Name: OWN_MR })));
    expect(e.name).toBe('TrailNotFoundException');
  });

  test('malformed ARNs and names', async () => {
    const us = clients.ct(member, 'us-east-1');
    expect((await errorOf(us.send(new GetTrailStatusCommand({ Name: 'arn:aws:cloudtrail:us-east-1:123:trail/x' })))).name).toBe(
      'CloudTrailARNInvalidException',
    );
    expect((await errorOf(us.send(new GetTrailStatusCommand({ Name: 'arn:aws:s3:::bucket' })))).name).toBe('CloudTrailARNInvalidException');
    expect((await errorOf(us.send(new GetEventSelectorsCommand({ TrailName: '-bad name-' })))).name).toBe('InvalidTrailNameException');
  });

  test('selectors: default classic, custom classic, advanced — never both', async () => {
    const dflt = await clients.ct(member, 'us-east-1').send(new GetEventSelectorsCommand({ TrailName: ORG_MR }));
    expect(dflt.EventSelectors).toEqual([{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }]);
    expect(dflt.AdvancedEventSelectors).toBeUndefined();

    const adv = await clients.ct(member, 'us-east-1').send(new GetEventSelectorsCommand({ TrailName: 'own-sr' }));
    expect(adv.EventSelectors).toBeUndefined();
    expect(adv.AdvancedEventSelectors).toEqual([{ Name: 'mgmt', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }]);

    const eu = await clients.assume(MEMBER_EU);
    const classic = await clients.ct(eu, 'eu-west-1').send(new GetEventSelectorsCommand({ TrailName: 'eu-trail' }));
    expect(classic).toMatchObject({
      TrailARN: `arn:aws:cloudtrail:eu-west-1:${MEMBER_EU}:trail/eu-trail`,
      EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: ['kms.amazonaws.com'] }],
    });
    expect(classic.AdvancedEventSelectors).toBeUndefined();
  });
});
