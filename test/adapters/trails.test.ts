/** lambda/aws/trails.ts against a mocked CloudTrail client. */
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  TrailNotFoundException,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { MalformedResponseError } from '../../lambda/aws/errors';
import { describeTrails, TrailCallError, trailStatusAndSelectors } from '../../lambda/aws/trails';

const ct = mockClient(CloudTrailClient);
const client = new CloudTrailClient({ region: 'us-east-1' });

beforeEach(() => ct.reset());

const ARN = 'arn:aws:cloudtrail:eu-west-1:222222222222:trail/main';
const ORG_ARN = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail';

const trail = (extra: Partial<Trail> = {}): Trail => ({
  Name: 'main',
  TrailARN: ARN,
  HomeRegion: 'eu-west-1',
  IsMultiRegionTrail: true,
  IsOrganizationTrail: false,
  IncludeGlobalServiceEvents: true,
  S3BucketName: 'main-logs',
  ...extra,
});

describe('describeTrails', () => {
  test('sends includeShadowTrails: true', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [] });
    await describeTrails(client);
    const calls = ct.commandCalls(DescribeTrailsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({ includeShadowTrails: true });
  });

  test('no trails → empty list', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [] });
    await expect(describeTrails(client)).resolves.toEqual([]);
  });

  test('maps every field of a trail', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [trail()] });
    expect(await describeTrails(client)).toEqual([
      {
        arn: ARN,
        name: 'main',
        homeRegion: 'eu-west-1',
        ownerAccountId: '222222222222',
        isMultiRegionTrail: true,
        isOrganizationTrail: false,
        includeGlobalServiceEvents: true,
        s3BucketName: 'main-logs',
      },
    ]);
  });

  test('shadow copies of the same trail (same TrailARN) are deduplicated', async () => {
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [trail(), trail(), trail({ Name: 'other', TrailARN: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/other', HomeRegion: 'us-east-1' }), trail()],
    });
    const trails = await describeTrails(client);
    expect(trails.map((t) => t.arn)).toEqual([ARN, 'arn:aws:cloudtrail:us-east-1:222222222222:trail/other']);
  });

  test('two trails with the same name but different ARNs are both kept', async () => {
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [trail(), trail({ TrailARN: 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/main', IsOrganizationTrail: true })],
    });
    expect(await describeTrails(client)).toHaveLength(2);
  });

  test.each<[string, Partial<Trail>, string]>([
    ['HomeRegion when present', { HomeRegion: 'ap-south-1' }, 'ap-south-1'],
    ["the ARN's region when HomeRegion is absent", { HomeRegion: undefined }, 'eu-west-1'],
    ["the ARN's region when HomeRegion is empty", { HomeRegion: '' }, 'eu-west-1'],
  ])('home region: %s', async (_name, extra, expected) => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [trail(extra)] });
    const [t] = await describeTrails(client);
    expect(t.homeRegion).toBe(expected);
  });

  test('ownerAccountId is taken from the ARN (an organization trail seen from a member)', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [trail({ TrailARN: ORG_ARN, Name: 'org-trail', HomeRegion: 'us-east-1', IsOrganizationTrail: true })] });
    const [t] = await describeTrails(client);
    expect(t.ownerAccountId).toBe('111111111111');
    expect(t.isOrganizationTrail).toBe(true);
  });

  test.each<[string, unknown, boolean]>([
    ['true', true, true],
    ['false', false, false],
    ['absent', undefined, false],
    ['the string "true" (not a boolean)', 'true', false],
  ])('IsOrganizationTrail %s → isOrganizationTrail %s', async (_name, value, expected) => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [trail({ IsOrganizationTrail: value as boolean })] });
    const [t] = await describeTrails(client);
    expect(t.isOrganizationTrail).toBe(expected);
  });

  test('name falls back to the name in the ARN when Name is absent', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [trail({ Name: undefined })] });
    const [t] = await describeTrails(client);
    expect(t.name).toBe('main');
  });

  test('IncludeGlobalServiceEvents absent → undefined, false kept as false', async () => {
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [trail({ IncludeGlobalServiceEvents: undefined }), trail({ TrailARN: ORG_ARN, IncludeGlobalServiceEvents: false })],
    });
    const [a, b] = await describeTrails(client);
    expect(a.includeGlobalServiceEvents).toBeUndefined();
    expect(b.includeGlobalServiceEvents).toBe(false);
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['no trailList', {}, /trailList/],
    ['trailList not a list', { trailList: 'nope' }, /trailList/],
    ['missing TrailARN', { trailList: [trail({ TrailARN: undefined })] }, /trailList\[0\] has no valid TrailARN/],
    ['a TrailARN that is not a CloudTrail ARN', { trailList: [trail(), trail({ TrailARN: 'arn:aws:s3:::bucket' })] }, /trailList\[1\] has no valid TrailARN.*arn:aws:s3:::bucket/],
    ['IsMultiRegionTrail absent', { trailList: [trail({ IsMultiRegionTrail: undefined })] }, /IsMultiRegionTrail/],
    ['IsMultiRegionTrail a string', { trailList: [trail({ IsMultiRegionTrail: 'true' as unknown as boolean })] }, /IsMultiRegionTrail/],
  ])('malformed: %s → MalformedResponseError naming the field', async (_name, response, message) => {
    ct.on(DescribeTrailsCommand).resolves(response as never);
    const err = await describeTrails(client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect((err as Error).name).toBe('MalformedResponse');
    expect((err as Error).message).toMatch(message);
  });

  test('an API error propagates unchanged', async () => {
    ct.on(DescribeTrailsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(describeTrails(client)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('trailStatusAndSelectors', () => {
  const CLASSIC = [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }];
  const ADVANCED = [{ Name: 'mgmt', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }];

  test('calls GetTrailStatus with Name = the ARN and GetEventSelectors with TrailName = the ARN', async () => {
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).resolves({ TrailARN: ORG_ARN, EventSelectors: CLASSIC });
    await trailStatusAndSelectors(client, ORG_ARN);
    expect(ct.commandCalls(GetTrailStatusCommand).map((c) => c.args[0].input)).toEqual([{ Name: ORG_ARN }]);
    expect(ct.commandCalls(GetEventSelectorsCommand).map((c) => c.args[0].input)).toEqual([{ TrailName: ORG_ARN }]);
  });

  test('classic selectors → kind classic, status mapped', async () => {
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: CLASSIC });
    expect(await trailStatusAndSelectors(client, ARN)).toEqual({ status: { isLogging: true }, selectors: { kind: 'classic', selectors: CLASSIC } });
  });

  test('advanced selectors → kind advanced', async () => {
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    ct.on(GetEventSelectorsCommand).resolves({ AdvancedEventSelectors: ADVANCED });
    expect(await trailStatusAndSelectors(client, ARN)).toEqual({ status: { isLogging: false }, selectors: { kind: 'advanced', selectors: ADVANCED } });
  });

  test('an empty classic list beside advanced selectors is advanced', async () => {
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: [], AdvancedEventSelectors: ADVANCED });
    expect((await trailStatusAndSelectors(client, ARN)).selectors.kind).toBe('advanced');
  });

  test('LatestDeliveryError is carried into the status', async () => {
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true, LatestDeliveryError: 'AccessDenied' });
    ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: CLASSIC });
    expect((await trailStatusAndSelectors(client, ARN)).status).toEqual({ isLogging: true, latestDeliveryError: 'AccessDenied' });
  });

  async function failure(): Promise<TrailCallError> {
    const err = await trailStatusAndSelectors(client, ARN).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TrailCallError);
    return err as TrailCallError;
  }

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['both EventSelectors and AdvancedEventSelectors', { EventSelectors: CLASSIC, AdvancedEventSelectors: ADVANCED }, /both EventSelectors and AdvancedEventSelectors/],
    ['neither EventSelectors nor AdvancedEventSelectors', {}, /neither EventSelectors nor AdvancedEventSelectors/],
    ['EventSelectors not a list', { EventSelectors: { ReadWriteType: 'All' } }, /EventSelectors is not a list/],
    ['an advanced selector without FieldSelectors', { AdvancedEventSelectors: [{ Name: 'x' }] }, /AdvancedEventSelectors\[0\]/],
  ])('GetEventSelectors with %s is rejected as malformed, tagged with the call', async (_name, response, message) => {
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).resolves(response as never);
    const err = await failure();
    expect(err.call).toBe('cloudtrail:GetEventSelectors');
    expect(err.cause).toBeInstanceOf(MalformedResponseError);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(ARN);
  });

  // trails.ts promises "a malformed one is an error, never a guess"; the rule reads an absent
  // IncludeManagementEvents as true and spreads ExcludeManagementEventSources, so wrong types here
  // turn into a false PASS or a garbled warning unless the adapter rejects them.
  test.each<[string, Record<string, unknown>, RegExp]>([
    ['a null classic selector', { EventSelectors: [null] }, /EventSelectors\[0\]/],
    ['IncludeManagementEvents the string "false"', { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: 'false' }] }, /IncludeManagementEvents/],
    ['ExcludeManagementEventSources a string, not a list', { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, ExcludeManagementEventSources: 'kms.amazonaws.com' }] }, /ExcludeManagementEventSources/],
    ['an advanced field selector whose Equals is a string, not a list', { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: 'NotManagement' }] }] }, /Equals/],
  ])('GetEventSelectors with %s is rejected as malformed', async (_name, response, message) => {
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).resolves(response as never);
    const err = await failure();
    expect(err.call).toBe('cloudtrail:GetEventSelectors');
    expect(err.cause).toBeInstanceOf(MalformedResponseError);
    expect(err.message).toMatch(message);
  });

  test.each<[string, unknown]>([
    ['absent', undefined],
    ['a string', 'true'],
  ])('GetTrailStatus with IsLogging %s is rejected as malformed, tagged with the call', async (_name, isLogging) => {
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: isLogging as boolean });
    ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: CLASSIC });
    const err = await failure();
    expect(err.call).toBe('cloudtrail:GetTrailStatus');
    expect(err.cause).toBeInstanceOf(MalformedResponseError);
    expect(err.message).toMatch(/IsLogging/);
  });

  test('a failing GetTrailStatus is wrapped in TrailCallError naming the call, with the SDK error as cause', async () => {
    const sdkError = new TrailNotFoundException({ message: 'Unknown trail', $metadata: { httpStatusCode: 400 } });
    ct.on(GetTrailStatusCommand).rejects(sdkError);
    ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: CLASSIC });
    const err = await failure();
    expect(err.call).toBe('cloudtrail:GetTrailStatus');
    expect(err.cause).toBe(sdkError);
    expect(err.message).toBe('Unknown trail');
  });

  test('a failing GetEventSelectors is wrapped in TrailCallError naming the call', async () => {
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    const err = await failure();
    expect(err.call).toBe('cloudtrail:GetEventSelectors');
    expect((err.cause as Error).name).toBe('AccessDeniedException');
  });
});
