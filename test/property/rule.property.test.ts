/**
 * Properties of the rule (lambda/rule/evaluate.ts) over generated, realistic trail facts: classic
 * and advanced selectors, organization trails, single- and multi-region, logging or not, details
 * read or failed. Table tests (test/rule) pin each case of RULE.md; these pin how verdicts relate.
 */
import fc from 'fast-check';
import { ERROR_CODES, FAIL_CODES } from '../../lambda/rule/codes';
import { evaluateAccount } from '../../lambda/rule/evaluate';
import type { AccountVerdict, AdvancedSelector, ClassicSelector, FieldSelector, SelectorConfig, TrailDetails, TrailFacts } from '../../lambda/rule/types';
import { MANAGEMENT, MEMBER } from '../rule/fixtures';

const RUNS = { numRuns: 400 };
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'];
const SOURCES = ['kms.amazonaws.com', 'rdsdata.amazonaws.com'];

// --- Arbitraries -------------------------------------------------------------------------------

/** `value` three times in four, else one of `others`: compliant facts are common, so PASS is too. */
const mostly = <T>(value: T, ...others: T[]): fc.Arbitrary<T> => fc.oneof({ weight: 3, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: fc.constantFrom(...others) });
/** Present one time in `n`. */
const sometimes = <T>(arb: fc.Arbitrary<T>, n = 4): fc.Arbitrary<T | undefined> => fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

const classicSelector: fc.Arbitrary<ClassicSelector> = fc.record(
  {
    ReadWriteType: mostly('All', 'ReadOnly', 'WriteOnly'),
    IncludeManagementEvents: mostly(true, false),
    ExcludeManagementEventSources: mostly([], ...SOURCES.map((x) => [x]), SOURCES),
    DataResources: fc.constantFrom([], [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }]),
  },
  { requiredKeys: [] },
);

const readOnlyField: fc.Arbitrary<FieldSelector> = fc.oneof(
  fc.record({ Field: fc.constant('readOnly'), Equals: fc.constantFrom<string[]>(['true'], ['false'], ['true', 'false']) }),
  fc.record({ Field: fc.constant('readOnly'), NotEquals: fc.constantFrom<string[]>(['true'], ['false']) }),
  fc.record({ Field: fc.constant('readOnly'), StartsWith: fc.constantFrom<string[]>(['t'], ['f']) }),
);

const advancedSelector: fc.Arbitrary<AdvancedSelector> = fc
  .record({
    // The name is free text: "read-only" here must change nothing.
    name: fc.option(fc.constantFrom('Management events selector', 'Log all management events', 'read-only', ''), { nil: undefined }),
    category: mostly(['Management'], ['Data'], ['Management', 'Data']),
    readOnly: sometimes(readOnlyField),
    excluded: sometimes(fc.subarray(SOURCES, { minLength: 1 })),
    resourcesType: sometimes(fc.constantFrom('AWS::S3::Object', 'AWS::Lambda::Function')),
  })
  .map(({ name, category, readOnly, excluded, resourcesType }) => ({
    ...(name === undefined ? {} : { Name: name }),
    FieldSelectors: [
      { Field: 'eventCategory', Equals: category },
      ...(readOnly ? [readOnly] : []),
      ...(excluded ? [{ Field: 'eventSource', NotEquals: excluded }] : []),
      ...(resourcesType ? [{ Field: 'resources.type', Equals: [resourcesType] }] : []),
    ],
  }));

const selectorConfig: fc.Arbitrary<SelectorConfig> = fc.oneof(
  fc.array(classicSelector, { minLength: 0, maxLength: 3 }).map((selectors) => ({ kind: 'classic' as const, selectors })),
  fc.array(advancedSelector, { minLength: 1, maxLength: 3 }).map((selectors) => ({ kind: 'advanced' as const, selectors })),
);

const details: fc.Arbitrary<TrailDetails> = fc.oneof(
  { weight: 4, arbitrary: fc.record({
    ok: fc.constant(true as const),
    status: fc.record({ isLogging: mostly(true, false), latestDeliveryError: sometimes(fc.constantFrom('AccessDenied', 'NoSuchBucket')) }).map(({ isLogging, latestDeliveryError }) => ({ isLogging, ...(latestDeliveryError ? { latestDeliveryError } : {}) })),
    selectors: selectorConfig,
    source: fc.constantFrom('self' as const, 'owner' as const, 'member' as const),
  }) },
  { weight: 1, arbitrary: fc.record({
    ok: fc.constant(false as const),
    error: fc.record({
      call: fc.constantFrom('cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'),
      code: fc.constantFrom('AccessDeniedException', 'ThrottlingException', 'TrailNotFoundException', 'TimeoutError', 'MalformedResponse'),
      message: fc.constant('injected'),
      region: fc.constantFrom(...REGIONS),
    }),
  }) },
);

/** One trail's facts, named by `index` so ARNs are distinct within a list. */
const trailAt = (index: number): fc.Arbitrary<TrailFacts> =>
  fc
    .record({
      org: fc.boolean(),
      homeRegion: fc.constantFrom(...REGIONS),
      multiRegion: mostly(true, false),
      globalEvents: sometimes(fc.boolean()),
      details,
    })
    .map(({ org, homeRegion, multiRegion, globalEvents, details: d }) => {
      const owner = org ? MANAGEMENT : MEMBER;
      const name = `${org ? 'org' : 'trail'}-${index}`;
      return {
        arn: `arn:aws:cloudtrail:${homeRegion}:${owner}:trail/${name}`,
        name,
        homeRegion,
        ownerAccountId: owner,
        isMultiRegionTrail: multiRegion,
        isOrganizationTrail: org,
        ...(globalEvents === undefined ? {} : { includeGlobalServiceEvents: globalEvents }),
        s3BucketName: `${name}-logs`,
        // As the adapters do: only multi-region trails have their details gathered.
        ...(multiRegion ? { details: d } : {}),
      };
    });

const trails: fc.Arbitrary<TrailFacts[]> = fc.integer({ min: 0, max: 5 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => trailAt(i))));
const strictness = fc.boolean().map((strict) => ({ strict }));

/** A trail that satisfies the rule in either mode: MR, logging, the default selector, no warnings. */
const compliant = (name = 'added-compliant'): TrailFacts => ({
  arn: `arn:aws:cloudtrail:us-east-1:${MEMBER}:trail/${name}`,
  name,
  homeRegion: 'us-east-1',
  ownerAccountId: MEMBER,
  isMultiRegionTrail: true,
  isOrganizationTrail: false,
  includeGlobalServiceEvents: true,
  details: { ok: true, status: { isLogging: true }, selectors: { kind: 'classic', selectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] }, source: 'self' },
});

/** Restricts every selector of a trail to reads or writes (a readOnly constraint, or ReadWriteType). */
function withReadOnlyConstraint(t: TrailFacts, side: 'true' | 'false'): TrailFacts {
  if (!t.details?.ok) return t;
  const s = t.details.selectors;
  const selectors: SelectorConfig =
    s.kind === 'advanced'
      ? { kind: 'advanced', selectors: s.selectors.map((a) => ({ ...a, FieldSelectors: [...(a.FieldSelectors ?? []), { Field: 'readOnly', Equals: [side] }] })) }
      : { kind: 'classic', selectors: (s.selectors.length ? s.selectors : [{}]).map((c) => ({ ...c, ReadWriteType: side === 'true' ? 'ReadOnly' : 'WriteOnly' })) };
  return { ...t, details: { ...t.details, selectors } };
}

const OPERATORS = ['Equals', 'StartsWith', 'EndsWith', 'NotEquals', 'NotStartsWith', 'NotEndsWith'] as const;
const DOCUMENTED = ['eventCategory', 'eventSource', 'readOnly'];
const value = fc.oneof(fc.constantFrom('ConsoleLogin', 'AwsApiCall', 'true', 'Management', 'Data', 'iam.amazonaws.com', 's3.amazonaws.com', ...SOURCES), fc.string({ maxLength: 12 }));
const fieldWith = (field: fc.Arbitrary<string>, ops: readonly (typeof OPERATORS)[number][], values: fc.Arbitrary<string[]>) =>
  fc.tuple(field, fc.constantFrom(...ops), values).map(([Field, op, vs]): FieldSelector => ({ Field, [op]: vs }));

/**
 * A constraint a management selector may not carry and still record every management event
 * (RULE.md, "Selectors that only look compliant"), for an advanced selector (a field selector) or a
 * classic one (an exclusion beyond KMS / RDS Data).
 */
type Narrowing = { advanced: FieldSelector; classicExclusion: string };
const undocumentedConstraint: fc.Arbitrary<Narrowing> = fc.record({
  advanced: fc.oneof(
    // Another field: data-event and event-data-store fields, misspellings, anything at all.
    fieldWith(
      fc.oneof(
        fc.constantFrom('eventName', 'eventType', 'userIdentity.arn', 'resources.type', 'resources.ARN', 'errorCode', 'sessionCredentialFromConsole', 'vpcEndpointId', 'readonly', 'ReadOnly', 'EventCategory', 'eventsource'),
        fc.string({ minLength: 1, maxLength: 20 }).filter((f) => !DOCUMENTED.includes(f)),
      ),
      OPERATORS,
      fc.array(value, { minLength: 1, maxLength: 3 }),
    ),
    // eventSource other than NotEquals on the two documented sources.
    fieldWith(fc.constant('eventSource'), OPERATORS.filter((o) => o !== 'NotEquals'), fc.array(value, { minLength: 1, maxLength: 3 })),
    fieldWith(fc.constant('eventSource'), ['NotEquals'], fc.array(value, { minLength: 1, maxLength: 3 }).filter((vs) => vs.some((v) => !SOURCES.includes(v)))),
    // A second eventCategory, whatever it says.
    fieldWith(fc.constant('eventCategory'), OPERATORS, fc.array(value, { minLength: 1, maxLength: 2 })),
  ),
  classicExclusion: value.filter((v) => !SOURCES.includes(v)),
});

/** Adds the constraint to every selector of the trail. */
function withConstraint(t: TrailFacts, n: Narrowing): TrailFacts {
  if (!t.details?.ok) return t;
  const s = t.details.selectors;
  const selectors: SelectorConfig =
    s.kind === 'advanced'
      ? { kind: 'advanced', selectors: s.selectors.map((a) => ({ ...a, FieldSelectors: [...(a.FieldSelectors ?? []), n.advanced] })) }
      : { kind: 'classic', selectors: (s.selectors.length ? s.selectors : [{}]).map((c) => ({ ...c, ExcludeManagementEventSources: [...(c.ExcludeManagementEventSources ?? []), n.classicExclusion] })) };
  return { ...t, details: { ...t.details, selectors } };
}

const shuffled = <T>(xs: T[]) => fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length });

/** The parts of a verdict that must not depend on presentation order. */
const essence = (v: AccountVerdict) => ({
  status: v.status,
  trails: [...v.trails].sort((a, b) => a.arn.localeCompare(b.arn)).map((t) => ({ arn: t.arn, result: t.result, failures: t.failures.map((f) => f.code).sort() })),
});

// --- Properties --------------------------------------------------------------------------------

describe('the verdict', () => {
  test('does not depend on the order of the trails', () => {
    fc.assert(
      fc.property(trails.chain((ts) => fc.tuple(fc.constant(ts), shuffled(ts))), strictness, ([ts, reordered], opts) => {
        expect(essence(evaluateAccount(reordered, opts))).toEqual(essence(evaluateAccount(ts, opts)));
      }),
      RUNS,
    );
  });

  test('does not depend on shadow duplicates (the same trail seen again, with or without its details)', () => {
    const withShadows = trails.chain((ts) =>
      fc.tuple(
        fc.constant(ts),
        fc.array(fc.tuple(fc.nat({ max: 9 }), fc.boolean()), { maxLength: 6 }).chain((picks) => {
          const shadows = ts.length === 0 ? [] : picks.map(([i, keepDetails]) => (keepDetails ? ts[i % ts.length] : { ...ts[i % ts.length], details: undefined }));
          return shuffled([...ts, ...shadows]);
        }),
      ),
    );
    fc.assert(
      fc.property(withShadows, strictness, ([ts, seen], opts) => {
        expect(essence(evaluateAccount(seen, opts))).toEqual(essence(evaluateAccount(ts, opts)));
      }),
      RUNS,
    );
  });

  test('adding a compliant trail makes the account PASS (and so never turns PASS into FAIL)', () => {
    fc.assert(
      fc.property(trails, fc.nat(), strictness, (ts, at, opts) => {
        const added = [...ts];
        added.splice(at % (ts.length + 1), 0, compliant());
        const v = evaluateAccount(added, opts);
        expect(v.status).toBe('PASS');
        expect(v.qualifyingTrailArn).toBeDefined();
      }),
      RUNS,
    );
  });

  test('adding any trail never takes a PASS away', () => {
    fc.assert(
      fc.property(trails, trailAt(99), strictness, (ts, extra, opts) => {
        fc.pre(evaluateAccount(ts, opts).status === 'PASS');
        expect(evaluateAccount([...ts, extra], opts).status).toBe('PASS');
      }),
      { ...RUNS, numRuns: 300 },
    );
  });

  test('adding a readOnly constraint (or narrowing ReadWriteType) never turns FAIL into PASS', () => {
    fc.assert(
      fc.property(trails, fc.nat(), fc.constantFrom('true' as const, 'false' as const), strictness, (ts, which, side, opts) => {
        fc.pre(ts.length > 0);
        const i = which % ts.length;
        const before = evaluateAccount(ts, opts).status;
        const after = evaluateAccount(ts.map((t, j) => (j === i ? withReadOnlyConstraint(t, side) : t)), opts);
        if (before === 'FAIL') expect(after.status).toBe('FAIL');
        // And the constrained trail itself can no longer qualify.
        expect(after.trails.find((t) => t.arn === ts[i].arn)?.result).not.toBe('QUALIFIES');
      }),
      RUNS,
    );
  });

  test('adding any field selector other than the documented ones never turns FAIL into PASS, nor keeps a PASS through that trail', () => {
    fc.assert(
      fc.property(trails, fc.nat(), undocumentedConstraint, strictness, (ts, which, narrowing, opts) => {
        fc.pre(ts.length > 0);
        const i = which % ts.length;
        const before = evaluateAccount(ts, opts).status;
        const after = evaluateAccount(ts.map((t, j) => (j === i ? withConstraint(t, narrowing) : t)), opts);
        if (before === 'FAIL') expect(after.status).toBe('FAIL');
        expect(after.trails.find((t) => t.arn === ts[i].arn)?.result).not.toBe('QUALIFIES');
        if (after.status === 'PASS') expect(after.qualifyingTrailArn).not.toBe(ts[i].arn);
      }),
      RUNS,
    );
  });

  test('a compliant trail narrowed by any undocumented constraint fails, in every mode, with MANAGEMENT_EVENTS_FILTERED', () => {
    fc.assert(
      fc.property(undocumentedConstraint, fc.boolean(), strictness, (narrowing, advanced, opts) => {
        const base = compliant();
        const t: TrailFacts = advanced
          ? { ...base, details: { ok: true, status: { isLogging: true }, selectors: { kind: 'advanced', selectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] }, source: 'self' } }
          : base;
        const v = evaluateAccount([withConstraint(t, narrowing)], opts);
        expect(v.status).toBe('FAIL');
        expect(v.reasons.map((r) => r.code)).toEqual(['MANAGEMENT_EVENTS_FILTERED']);
      }),
      RUNS,
    );
  });

  test('strict mode never passes what the default mode fails', () => {
    fc.assert(
      fc.property(trails, (ts) => {
        const lenient = evaluateAccount(ts, { strict: false });
        const strict = evaluateAccount(ts, { strict: true });
        if (strict.status === 'PASS') expect(lenient.status).toBe('PASS');
        if (lenient.status === 'FAIL') expect(strict.status).toBe('FAIL');
      }),
      RUNS,
    );
  });

  test('every FAIL and ERROR carries a reason with a known code; every PASS names a qualifying trail', () => {
    fc.assert(
      fc.property(trails, strictness, (ts, opts) => {
        const v = evaluateAccount(ts, opts);
        switch (v.status) {
          case 'PASS': {
            expect(v.reasons).toEqual([]);
            const q = v.trails.find((t) => t.arn === v.qualifyingTrailArn);
            expect(q).toMatchObject({ result: 'QUALIFIES', isMultiRegionTrail: true, isLogging: true, managementEvents: 'ALL' });
            break;
          }
          case 'FAIL':
            expect(v.reasons.length).toBeGreaterThan(0);
            for (const r of v.reasons) expect(FAIL_CODES).toContain(r.code);
            // FAIL only on complete evidence.
            expect(v.trails.filter((t) => t.result === 'UNKNOWN')).toEqual([]);
            break;
          case 'ERROR':
            expect(v.reasons.length).toBeGreaterThan(0);
            for (const r of v.reasons) {
              expect(ERROR_CODES).toContain(r.code);
              expect(r.message).toMatch(/cloudtrail:Get(TrailStatus|EventSelectors) in [a-z0-9-]+ failed: \w+/);
            }
            break;
          default:
            throw new Error(`evaluateAccount returned ${v.status}`);
        }
        for (const r of v.reasons) expect(r.message.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });
});

/**
 * Found by the order property above when it also compared reasons (fast-check seed 42, 20 000 runs),
 * pinned here as a plain example so it fails deterministically: in strict mode, a trail that meets
 * all three CIS conditions but has an excluded source and a delivery error ties, in `closeness`,
 * with a trail that also filters readOnly (both: two failures, most specific DELIVERY_ERROR). The
 * account's reasons then depend on DescribeTrails' order.
 */
describe('the reasons of a FAIL', () => {
  const trailWith = (name: string, fields: FieldSelector[]): TrailFacts => ({
    ...compliant(name),
    details: {
      ok: true,
      status: { isLogging: true, latestDeliveryError: 'AccessDenied' },
      selectors: { kind: 'advanced', selectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, ...fields] }] },
      source: 'self',
    },
  });
  const onlyStrict = trailWith('excludes-rdsdata', [{ Field: 'eventSource', NotEquals: ['rdsdata.amazonaws.com'] }]);
  const filtered = trailWith('filters-readonly', [{ Field: 'readOnly', StartsWith: ['t'] }]);

  test.each([
    ['closest trail first', [onlyStrict, filtered]],
    ['closest trail last', [filtered, onlyStrict]],
  ])('strict: come from the trail that meets the CIS conditions and fails only strict checks (%s)', (_order, ts) => {
    const v = evaluateAccount(ts, { strict: true });
    expect(v.status).toBe('FAIL');
    expect(v.closestTrailArn).toBe(onlyStrict.arn);
    expect(v.reasons.map((r) => r.code).sort()).toEqual(['DELIVERY_ERROR', 'EXCLUDED_EVENT_SOURCES']);
  });
});
