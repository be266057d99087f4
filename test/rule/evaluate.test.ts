/**
 * Every case of RULE.md's table, then the combinations found on the way. Each row is
 * trail facts in, verdict out.
 */
import { evaluateAccount, evaluateTrail } from '../../lambda/rule/evaluate';
import type { TrailFacts } from '../../lambda/rule/types';
import { DEFAULT_CLASSIC, management, MANAGEMENT, MEMBER, trail } from './fixtures';

const DEFAULT = { strict: false };
const STRICT = { strict: true };

function codes(findings: Array<{ code: string }>): string[] {
  return findings.map((f) => f.code);
}

describe('RULE.md cases', () => {
  const cases: Array<{ name: string; trails: TrailFacts[]; status: string; reasons?: string[]; warnings?: string[]; strict?: string }> = [
    { name: 'no trails', trails: [], status: 'FAIL', reasons: ['NO_TRAILS'] },
    { name: 'baseline', trails: [trail()], status: 'PASS', reasons: [], warnings: [] },
    { name: 'stopped', trails: [trail({ logging: false })], status: 'FAIL', reasons: ['NOT_LOGGING'] },
    {
      name: 'single-region everywhere',
      trails: ['us-east-1', 'eu-west-1', 'ap-south-1'].map((r) => trail({ name: `t-${r}`, homeRegion: r, multiRegion: false })),
      status: 'FAIL',
      reasons: ['NO_MULTI_REGION_TRAIL'],
    },
    { name: 'write-only', trails: [trail({ classic: [{ ...DEFAULT_CLASSIC, ReadWriteType: 'WriteOnly' }] })], status: 'FAIL', reasons: ['MANAGEMENT_EVENTS_WRITE_ONLY'] },
    {
      name: 'data events only',
      trails: [trail({ classic: [{ ReadWriteType: 'All', IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }] }] })],
      status: 'FAIL',
      reasons: ['NO_MANAGEMENT_EVENTS'],
    },
    { name: 'advanced, console name', trails: [trail({ advanced: [management()] })], status: 'PASS', warnings: [] },
    { name: 'advanced, another name', trails: [trail({ advanced: [management({ Name: 'whatever; readOnly' })] })], status: 'PASS', warnings: [] },
    { name: 'advanced, no name', trails: [trail({ advanced: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] })], status: 'PASS' },
    {
      name: 'advanced read-only',
      trails: [trail({ advanced: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] }] }] })],
      status: 'FAIL',
      reasons: ['MANAGEMENT_EVENTS_READ_ONLY'],
    },
    {
      name: 'split read/write, classic',
      trails: [trail({ classic: [{ ...DEFAULT_CLASSIC, ReadWriteType: 'ReadOnly' }, { ...DEFAULT_CLASSIC, ReadWriteType: 'WriteOnly' }] })],
      status: 'FAIL',
      reasons: ['MANAGEMENT_EVENTS_SPLIT'],
    },
    {
      name: 'split read/write, advanced',
      trails: [
        trail({
          advanced: [
            { Name: 'reads', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] }] },
            { Name: 'writes', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['false'] }] },
          ],
        }),
      ],
      status: 'FAIL',
      reasons: ['MANAGEMENT_EVENTS_SPLIT'],
    },
    {
      name: 'advanced data only',
      trails: [trail({ advanced: [{ Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }] }] })],
      status: 'FAIL',
      reasons: ['NO_MANAGEMENT_EVENTS'],
    },
    {
      name: 'KMS excluded',
      trails: [trail({ classic: [{ ...DEFAULT_CLASSIC, ExcludeManagementEventSources: ['kms.amazonaws.com'] }] })],
      status: 'PASS',
      warnings: ['EXCLUDED_EVENT_SOURCES'],
      strict: 'FAIL',
    },
    {
      name: 'advanced exclusion',
      trails: [trail({ advanced: [management({ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', NotEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] }] })] })],
      status: 'PASS',
      warnings: ['EXCLUDED_EVENT_SOURCES'],
      strict: 'FAIL',
    },
    { name: 'shadow only (homed elsewhere)', trails: [trail({ homeRegion: 'eu-west-1' })], status: 'PASS' },
    { name: 'org trail, member', trails: [trail({ org: true, name: 'org-trail' })], status: 'PASS' },
    { name: "org trail, member calls failed, owner's verdict reused", trails: [trail({ org: true, name: 'org-trail', source: 'owner' })], status: 'PASS' },
    {
      name: 'org trail, owner unknown',
      trails: [
        {
          ...trail({ org: true, name: 'org-trail' }),
          details: { ok: false, error: { call: 'cloudtrail:GetTrailStatus', code: 'TrailNotFoundException', message: 'Unknown trail', region: 'us-east-1' } },
        },
      ],
      status: 'ERROR',
      reasons: ['ORG_TRAIL_UNVERIFIABLE'],
    },
    { name: 'delivery error', trails: [trail({ deliveryError: 'AccessDenied' })], status: 'PASS', warnings: ['DELIVERY_ERROR'], strict: 'FAIL' },
    { name: 'one good of two', trails: [trail({ name: 'a', logging: false }), trail({ name: 'b' })], status: 'PASS' },
    {
      name: 'no single trail has all',
      trails: [trail({ name: 'a', classic: [{ ...DEFAULT_CLASSIC, ReadWriteType: 'WriteOnly' }] }), trail({ name: 'b', multiRegion: false })],
      status: 'FAIL',
      reasons: ['MANAGEMENT_EVENTS_WRITE_ONLY'],
    },
    { name: 'single-region org trail', trails: [trail({ org: true, name: 'org-trail', multiRegion: false })], status: 'FAIL', reasons: ['NO_MULTI_REGION_TRAIL'] },
    {
      name: 'narrowed by another field',
      trails: [trail({ advanced: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventName', Equals: ['ConsoleLogin'] }] }] })],
      status: 'FAIL',
      reasons: ['MANAGEMENT_EVENTS_FILTERED'],
    },
    {
      name: 'narrowed by userIdentity.arn',
      trails: [trail({ advanced: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'userIdentity.arn', NotStartsWith: ['arn:aws:iam::222222222222:role/Admin'] }] }] })],
      status: 'FAIL',
      reasons: ['MANAGEMENT_EVENTS_FILTERED'],
    },
    {
      name: 'narrowed source',
      trails: [trail({ advanced: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', Equals: ['s3.amazonaws.com'] }] }] })],
      status: 'FAIL',
      reasons: ['MANAGEMENT_EVENTS_FILTERED'],
    },
    {
      name: 'excluded beyond KMS/RDS Data, advanced',
      trails: [trail({ advanced: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', NotEquals: ['iam.amazonaws.com'] }] }] })],
      status: 'FAIL',
      reasons: ['MANAGEMENT_EVENTS_FILTERED'],
    },
    {
      name: 'excluded beyond KMS/RDS Data, classic',
      trails: [trail({ classic: [{ ...DEFAULT_CLASSIC, ExcludeManagementEventSources: ['iam.amazonaws.com'] }] })],
      status: 'FAIL',
      reasons: ['MANAGEMENT_EVENTS_FILTERED'],
    },
    {
      name: 'contradictory category, second eventCategory',
      trails: [trail({ advanced: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventCategory', Equals: ['Data'] }] }] })],
      status: 'FAIL',
      reasons: ['MANAGEMENT_EVENTS_FILTERED'],
    },
    {
      name: 'contradictory category, Equals and NotEquals',
      trails: [trail({ advanced: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'], NotEquals: ['Management'] }] }] })],
      status: 'FAIL',
      reasons: ['MANAGEMENT_EVENTS_FILTERED'],
    },
    {
      name: 'misspelled field',
      trails: [trail({ advanced: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readonly', Equals: ['true'] }] }] })],
      status: 'FAIL',
      reasons: ['MANAGEMENT_EVENTS_FILTERED'],
    },
  ];

  test.each(cases)('$name → $status', ({ trails, status, reasons, warnings, strict }) => {
    const verdict = evaluateAccount(trails, DEFAULT);
    expect(verdict.status).toBe(status);
    if (reasons) expect(codes(verdict.reasons)).toEqual(reasons);
    if (warnings) expect(codes(verdict.warnings)).toEqual(warnings);
    if (verdict.status === 'FAIL') expect(verdict.remediation.length).toBeGreaterThan(0);
    if (verdict.status === 'PASS') expect(verdict.qualifyingTrailArn).toBeDefined();
    const strictVerdict = evaluateAccount(trails, STRICT);
    expect(strictVerdict.status).toBe(strict ?? status);
  });
});

describe('verdict details', () => {
  test('the qualifying trail is named on PASS', () => {
    const v = evaluateAccount([trail({ name: 'a', logging: false }), trail({ name: 'b' })], DEFAULT);
    expect(v.qualifyingTrailArn).toBe(`arn:aws:cloudtrail:us-east-1:${MEMBER}:trail/b`);
  });

  test('shadow copies of one trail are one trail', () => {
    const t = trail();
    const v = evaluateAccount([t, { ...t, details: undefined }, t], DEFAULT);
    expect(v.trails).toHaveLength(1);
    expect(v.status).toBe('PASS');
  });

  test('the closest trail decides the reasons: the more specific shortfall wins', () => {
    const v = evaluateAccount([trail({ name: 'stopped', logging: false }), trail({ name: 'wo', classic: [{ ...DEFAULT_CLASSIC, ReadWriteType: 'WriteOnly' }] })], DEFAULT);
    expect(v.closestTrailArn).toContain('trail/wo');
    expect(codes(v.reasons)).toEqual(['MANAGEMENT_EVENTS_WRITE_ONLY']);
  });

  test('a trail with fewer shortfalls is closer than one with more', () => {
    const v = evaluateAccount(
      [trail({ name: 'both', logging: false, classic: [{ ...DEFAULT_CLASSIC, ReadWriteType: 'WriteOnly' }] }), trail({ name: 'stopped', logging: false })],
      DEFAULT,
    );
    expect(v.closestTrailArn).toContain('trail/stopped');
    expect(codes(v.reasons)).toEqual(['NOT_LOGGING']);
  });

  test('equally close trails: the own trail decides, whatever the order DescribeTrails gave', () => {
    const own = trail({ name: 'own', logging: false });
    const org = trail({ name: 'org-trail', org: true, logging: false });
    for (const order of [[own, org], [org, own]]) {
      const v = evaluateAccount(order, DEFAULT);
      expect(v.closestTrailArn).toBe(own.arn);
      expect(v.remediation).toEqual(['aws cloudtrail start-logging --name own --region us-east-1']);
    }
  });

  test('strict mode: the trail that only misses strict checks is closer than one that also fails the rule', () => {
    const excluded = trail({ name: 'a', deliveryError: 'NoSuchBucket', classic: [{ ...DEFAULT_CLASSIC, ExcludeManagementEventSources: ['kms.amazonaws.com'] }] });
    const filtered = trail({
      name: 'b',
      deliveryError: 'NoSuchBucket',
      advanced: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', StartsWith: ['t'] }] }],
    });
    for (const order of [[excluded, filtered], [filtered, excluded]]) {
      const v = evaluateAccount(order, STRICT);
      expect(v.closestTrailArn).toBe(excluded.arn);
      expect(codes(v.reasons).sort()).toEqual(['DELIVERY_ERROR', 'EXCLUDED_EVENT_SOURCES']);
    }
  });

  test('every shortfall of the closest trail is listed', () => {
    const v = evaluateAccount([trail({ logging: false, classic: [{ ...DEFAULT_CLASSIC, IncludeManagementEvents: false }] })], DEFAULT);
    expect(codes(v.reasons)).toEqual(['NOT_LOGGING', 'NO_MANAGEMENT_EVENTS']);
  });

  test('PASS through a clean trail carries no warning from a trail with an exclusion', () => {
    const v = evaluateAccount([trail({ name: 'kms', classic: [{ ...DEFAULT_CLASSIC, ExcludeManagementEventSources: ['kms.amazonaws.com'] }] }), trail({ name: 'clean' })], DEFAULT);
    expect(v.status).toBe('PASS');
    expect(v.qualifyingTrailArn).toContain('trail/clean');
    expect(v.warnings).toEqual([]);
  });

  test('strict mode: a clean second trail still passes', () => {
    const v = evaluateAccount([trail({ name: 'late', deliveryError: 'NoSuchBucket' }), trail({ name: 'clean' })], STRICT);
    expect(v.status).toBe('PASS');
    expect(v.qualifyingTrailArn).toContain('trail/clean');
  });

  test('strict mode FAIL names the strict reason and its trail', () => {
    const v = evaluateAccount([trail({ deliveryError: 'NoSuchBucket' })], STRICT);
    expect(v.reasons).toEqual([expect.objectContaining({ code: 'DELIVERY_ERROR', trailArn: expect.stringContaining('trail/main') })]);
    expect(v.reasons[0].message).toMatch(/NoSuchBucket.*strict mode/);
  });

  test('an unverifiable trail does not matter when another trail qualifies, but is warned about', () => {
    const broken: TrailFacts = { ...trail({ name: 'broken' }), details: { ok: false, error: { call: 'cloudtrail:GetEventSelectors', code: 'AccessDeniedException', message: 'denied' } } };
    const v = evaluateAccount([broken, trail({ name: 'good' })], DEFAULT);
    expect(v.status).toBe('PASS');
    expect(codes(v.warnings)).toEqual(['TRAIL_UNVERIFIED']);
    expect(v.warnings[0].message).toContain('AccessDeniedException');
  });

  test('an unverifiable trail turns a would-be FAIL into ERROR (it might have qualified)', () => {
    const broken: TrailFacts = { ...trail({ name: 'broken' }), details: { ok: false, error: { call: 'cloudtrail:GetTrailStatus', code: 'ThrottlingException', message: 'Rate exceeded', region: 'us-east-1' } } };
    const v = evaluateAccount([broken, trail({ name: 'stopped', logging: false })], DEFAULT);
    expect(v.status).toBe('ERROR');
    expect(v.reasons).toEqual([expect.objectContaining({ code: 'TRAIL_UNVERIFIED', trailArn: broken.arn })]);
    expect(v.reasons[0].message).toContain('cloudtrail:GetTrailStatus in us-east-1 failed: ThrottlingException');
  });

  test('a multi-region trail whose details were never gathered is UNKNOWN, never PASS or FAIL', () => {
    const v = evaluateAccount([{ ...trail(), details: undefined }], DEFAULT);
    expect(v.status).toBe('ERROR');
  });

  test('IncludeGlobalServiceEvents false on a multi-region trail: evaluated, warned, PASS even in strict mode', () => {
    const t = trail({ globalEvents: false });
    expect(evaluateAccount([t], DEFAULT)).toMatchObject({ status: 'PASS', warnings: [expect.objectContaining({ code: 'GLOBAL_SERVICE_EVENTS_OFF' })] });
    expect(evaluateAccount([t], STRICT).status).toBe('PASS');
  });

  test('an organization trail is preferred as the qualifying trail when both are clean', () => {
    const v = evaluateAccount([trail({ name: 'own' }), trail({ name: 'org-trail', org: true })], DEFAULT);
    expect(v.qualifyingTrailArn).toBe(`arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/org-trail`);
  });
});

describe('selector forms', () => {
  const adv = (...fs: Array<Record<string, unknown>>) => trail({ advanced: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, ...fs] }] });
  test.each([
    ['readOnly NotEquals ["true"] (writes only)', adv({ Field: 'readOnly', NotEquals: ['true'] }), 'WRITE_ONLY'],
    ['readOnly NotEquals ["false"] (reads only)', adv({ Field: 'readOnly', NotEquals: ['false'] }), 'READ_ONLY'],
    ['readOnly Equals ["true","false"] (any readOnly field fails)', adv({ Field: 'readOnly', Equals: ['true', 'false'] }), 'FILTERED'],
    ['readOnly StartsWith ["t"]', adv({ Field: 'readOnly', StartsWith: ['t'] }), 'FILTERED'],
    ['classic with no fields at all takes API defaults (All, management)', trail({ classic: [{}] }), 'ALL'],
    ['classic unknown ReadWriteType', trail({ classic: [{ ReadWriteType: 'Sometimes', IncludeManagementEvents: true }] }), 'FILTERED'],
    ['no selectors at all', trail({ classic: [] }), 'NONE'],
    ['eventCategory Management only in NotEquals does not select management events', trail({ advanced: [{ FieldSelectors: [{ Field: 'eventCategory', NotEquals: ['Management'] }] }] }), 'NONE'],
  ])('%s', (_name, t, coverage) => {
    expect(evaluateTrail(t, DEFAULT).managementEvents).toBe(coverage);
  });

  test('one full selector among partial ones qualifies', () => {
    const t = trail({ classic: [{ ...DEFAULT_CLASSIC, ReadWriteType: 'ReadOnly' }, DEFAULT_CLASSIC] });
    expect(evaluateTrail(t, DEFAULT).result).toBe('QUALIFIES');
  });

  test('the qualifying selector with fewest exclusions decides the warning', () => {
    const t = trail({ classic: [{ ...DEFAULT_CLASSIC, ExcludeManagementEventSources: ['kms.amazonaws.com'] }, DEFAULT_CLASSIC] });
    expect(evaluateTrail(t, DEFAULT).warnings).toEqual([]);
  });

  test('an eventSource constraint other than NotEquals on KMS / RDS Data narrows the selector: FILTERED, naming it', () => {
    const v = evaluateTrail(adv({ Field: 'eventSource', StartsWith: ['s3'] }), DEFAULT);
    expect(v.result).toBe('FAILS');
    expect(v.failures[0]).toMatchObject({ code: 'MANAGEMENT_EVENTS_FILTERED', message: expect.stringContaining('"eventSource" StartsWith ["s3"]') });
  });
});

describe('selectors that only look compliant (RULE.md): FILTERED in every mode, naming the constraint', () => {
  const mgmt = { Field: 'eventCategory', Equals: ['Management'] };
  const adv = (...fs: Array<Record<string, unknown>>) => trail({ advanced: [{ Name: 'Management events', FieldSelectors: [mgmt, ...fs] }] });
  const cases: Array<[string, TrailFacts, string]> = [
    ['eventName Equals [ConsoleLogin]', adv({ Field: 'eventName', Equals: ['ConsoleLogin'] }), '"eventName" Equals ["ConsoleLogin"]'],
    ['userIdentity.arn NotStartsWith [...]', adv({ Field: 'userIdentity.arn', NotStartsWith: ['arn:aws:sts::222222222222:assumed-role/Admin'] }), '"userIdentity.arn" NotStartsWith'],
    ['eventType Equals [AwsApiCall]', adv({ Field: 'eventType', Equals: ['AwsApiCall'] }), '"eventType"'],
    ['errorCode NotEquals [...]', adv({ Field: 'errorCode', NotEquals: ['AccessDenied'] }), '"errorCode"'],
    ['sessionCredentialFromConsole', adv({ Field: 'sessionCredentialFromConsole', Equals: ['true'] }), '"sessionCredentialFromConsole"'],
    ['resources.type on a management selector', adv({ Field: 'resources.type', Equals: ['AWS::S3::Object'] }), '"resources.type"'],
    ['a second eventCategory Equals [Data]', adv({ Field: 'eventCategory', Equals: ['Data'] }), '"eventCategory" Equals ["Data"]'],
    ['a second eventCategory Equals [Management]', adv({ Field: 'eventCategory', Equals: ['Management'] }), '"eventCategory"'],
    ['eventCategory with Equals and NotEquals [Management]', trail({ advanced: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'], NotEquals: ['Management'] }] }] }), 'NotEquals ["Management"]'],
    ['eventCategory Equals [Management, Data]', trail({ advanced: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management', 'Data'] }] }] }), '["Management","Data"]'],
    ['eventCategory Equals plus StartsWith', trail({ advanced: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'], StartsWith: ['M'] }] }] }), 'StartsWith ["M"]'],
    ['misspelled readonly (lower case) Equals [true]', adv({ Field: 'readonly', Equals: ['true'] }), '"readonly" Equals ["true"]'],
    ['ReadOnly (capitalized) Equals [false]', adv({ Field: 'ReadOnly', Equals: ['false'] }), '"ReadOnly"'],
    ['eventSource Equals [s3.amazonaws.com]', adv({ Field: 'eventSource', Equals: ['s3.amazonaws.com'] }), '"eventSource" Equals ["s3.amazonaws.com"]'],
    ['eventSource NotStartsWith [iam]', adv({ Field: 'eventSource', NotStartsWith: ['iam'] }), '"eventSource" NotStartsWith ["iam"]'],
    ['eventSource NotEquals [iam.amazonaws.com]', adv({ Field: 'eventSource', NotEquals: ['iam.amazonaws.com'] }), '["iam.amazonaws.com"]'],
    ['eventSource NotEquals [kms, iam]', adv({ Field: 'eventSource', NotEquals: ['kms.amazonaws.com', 'iam.amazonaws.com'] }), 'iam.amazonaws.com'],
    ['eventSource NotEquals [kms] and Equals [s3]', adv({ Field: 'eventSource', NotEquals: ['kms.amazonaws.com'], Equals: ['s3.amazonaws.com'] }), 'Equals ["s3.amazonaws.com"]'],
    ['eventSource NotEquals [] (no values)', adv({ Field: 'eventSource', NotEquals: [] }), '"eventSource" NotEquals []'],
    ['eventSource NotEquals [KMS.amazonaws.com] (case differs)', adv({ Field: 'eventSource', NotEquals: ['KMS.amazonaws.com'] }), 'KMS.amazonaws.com'],
    ['a field with no operator', adv({ Field: 'eventName' }), '"eventName" (no operator)'],
    ['classic exclusion of iam.amazonaws.com', trail({ classic: [{ ...DEFAULT_CLASSIC, ExcludeManagementEventSources: ['iam.amazonaws.com'] }] }), 'ExcludeManagementEventSources ["iam.amazonaws.com"]'],
    ['classic exclusion of kms and sts', trail({ classic: [{ ...DEFAULT_CLASSIC, ExcludeManagementEventSources: ['kms.amazonaws.com', 'sts.amazonaws.com'] }] }), '["sts.amazonaws.com"]'],
    ['readOnly and eventName together', adv({ Field: 'readOnly', Equals: ['false'] }, { Field: 'eventName', Equals: ['StopLogging'] }), '"eventName"'],
  ];
  test.each(cases)('%s → FAIL MANAGEMENT_EVENTS_FILTERED, strict or not', (_name, t, detail) => {
    for (const options of [DEFAULT, STRICT]) {
      const v = evaluateAccount([t], options);
      expect(v.status).toBe('FAIL');
      expect(codes(v.reasons)).toContain('MANAGEMENT_EVENTS_FILTERED');
      expect(v.reasons.find((r) => r.code === 'MANAGEMENT_EVENTS_FILTERED')?.message).toContain(detail);
      expect(v.remediation.some((r) => r.includes('put-event-selectors'))).toBe(true);
    }
  });

  test.each<[string, Record<string, unknown>]>([
    ['an operator CloudTrail does not have (NotEqual) on eventCategory', { Field: 'eventCategory', Equals: ['Management'], NotEqual: ['Management'] }],
    ['a look-alike operator (Cyrillic а in Equаls) on eventSource', { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'], ['Equ\u0430ls']: ['s3.amazonaws.com'] }],
  ])('%s → FILTERED, never PASS', (_name, field) => {
    const fields = field.Field === 'eventCategory' ? [field] : [mgmt, field];
    for (const options of [DEFAULT, STRICT]) {
      const v = evaluateAccount([trail({ advanced: [{ FieldSelectors: fields as never }] })], options);
      expect(v.status).toBe('FAIL');
      expect(codes(v.reasons)).toEqual(['MANAGEMENT_EVENTS_FILTERED']);
    }
  });

  test('a classic selector with a key CloudTrail does not document → FILTERED, never the API defaults', () => {
    const v = evaluateAccount([trail({ classic: [{ ['ReadWriteTyp\u0435']: 'WriteOnly', IncludeManagementEvents: true } as never] })], DEFAULT);
    expect(v.status).toBe('FAIL');
    expect(codes(v.reasons)).toEqual(['MANAGEMENT_EVENTS_FILTERED']);
  });

  test('a filtered management selector beside a clean one: the clean one qualifies', () => {
    const t = trail({ advanced: [{ FieldSelectors: [mgmt, { Field: 'eventName', Equals: ['ConsoleLogin'] }] }, { FieldSelectors: [mgmt] }] });
    expect(evaluateAccount([t], DEFAULT).status).toBe('PASS');
  });

  test('the documented exclusions, in any order and split over two field selectors, still only warn', () => {
    const t = adv({ Field: 'eventSource', NotEquals: ['rdsdata.amazonaws.com'] }, { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] });
    const v = evaluateAccount([t], DEFAULT);
    expect(v.status).toBe('PASS');
    expect(v.warnings[0].message).toContain('rdsdata.amazonaws.com, kms.amazonaws.com');
    expect(evaluateAccount([t], STRICT).status).toBe('FAIL');
  });

  test('the selector Name never decides (a Name that says management on a Data selector)', () => {
    const t = trail({ advanced: [{ Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }] }] });
    expect(evaluateAccount([t], DEFAULT).reasons.map((r) => r.code)).toEqual(['NO_MANAGEMENT_EVENTS']);
  });
});
