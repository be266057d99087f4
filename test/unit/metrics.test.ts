/** The run's CloudWatch metrics (lambda/run/metrics.ts): values, dimensions, cardinality, and the EMF lines. */
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { OuMembers } from '../../lambda/audit/ou-members';
import { alertsSent, DIMENSION, emitRunMetrics, METRIC, METRICS_NAMESPACE, runMetrics, type MetricValue, type RunMetricsInput } from '../../lambda/run/metrics';
import type { AuditReport } from '../../lambda/report-format';
import { account, accountId, report } from './report-fixtures';

const OU_DEV = 'ou-ab12-dev00001';
const OU_PROD = 'ou-ab12-prod0001';
/** An OU an exemption names, not a route: its membership is known, but it gets no metric. */
const OU_EXEMPT_ONLY = 'ou-ab12-exempt01';
const OU_UNREADABLE = 'ou-ab12-broken01';

const ids = Array.from({ length: 10 }, (_, i) => accountId(i + 1));
/** 3 PASS, 3 FAIL (one exempt), 2 ERROR, 2 SKIPPED; a hostile account name. */
function sample(): AuditReport {
  const accounts = [
    account(ids[0], 'PASS', { accountName: '<script>alert(1)</script>' }),
    account(ids[1], 'PASS'),
    account(ids[2], 'PASS'),
    account(ids[3], 'FAIL'),
    account(ids[4], 'FAIL'),
    account(ids[5], 'FAIL', { exemption: { id: 'legacy', reason: 'r', owner: 'o', expires: '2099-01-01', via: 'account' } }),
    account(ids[6], 'ERROR'),
    account(ids[7], 'ERROR'),
    account(ids[8], 'SKIPPED'),
    account(ids[9], 'SKIPPED'),
  ];
  const r = report(accounts);
  return { ...r, summary: { ...r.summary, exempt: 1 }, run: { ...r.run, durationMs: 12_345 } };
}

function ous(): OuMembers {
  return {
    members: new Map([
      [OU_DEV, new Set([ids[3], ids[6], ids[0]])],
      [OU_PROD, new Set([ids[1], ids[2]])],
      [OU_EXEMPT_ONLY, new Set([ids[5]])],
    ]),
    failed: new Map([[OU_UNREADABLE, 'AccessDenied: not allowed']]),
  };
}

function input(extra: Partial<RunMetricsInput> = {}): RunMetricsInput {
  return {
    report: sample(),
    published: 2,
    callCounts: { cloudtrail: { calls: 30, throttles: 4 }, organizations: { calls: 3, throttles: 0 }, sts: { calls: 11, throttles: 1 } },
    routeOus: [OU_DEV, OU_PROD, OU_UNREADABLE],
    ous: ous(),
    ...extra,
  };
}

const value = (ms: MetricValue[], name: string, dimensions: Record<string, string> = {}) => ms.find((m) => m.name === name && JSON.stringify(m.dimensions) === JSON.stringify(dimensions))?.value;

describe('runMetrics: the values', () => {
  test('accounts by status, exempt, duration and alerts sent, without dimensions', () => {
    const ms = runMetrics(input());
    expect(Object.fromEntries(ms.filter((m) => Object.keys(m.dimensions).length === 0).map((m) => [m.name, [m.value, m.unit]]))).toEqual({
      [METRIC.pass]: [3, 'Count'],
      [METRIC.fail]: [3, 'Count'],
      [METRIC.error]: [2, 'Count'],
      [METRIC.skipped]: [2, 'Count'],
      [METRIC.exempt]: [1, 'Count'],
      [METRIC.runDuration]: [12_345, 'Milliseconds'],
      [METRIC.alertsSent]: [2, 'Count'],
    });
  });

  test('no exemptions configured (summary.exempt absent): 0 exempt, not a gap', () => {
    const r = sample();
    delete r.summary.exempt;
    expect(value(runMetrics(input({ report: r })), METRIC.exempt)).toBe(0);
  });

  test('API calls and throttles per service, dimension service only', () => {
    const ms = runMetrics(input());
    expect(ms.filter((m) => m.dimensions.service).map((m) => [m.name, m.dimensions, m.value])).toEqual([
      [METRIC.apiCalls, { service: 'cloudtrail' }, 30],
      [METRIC.apiThrottles, { service: 'cloudtrail' }, 4],
      [METRIC.apiCalls, { service: 'organizations' }, 3],
      [METRIC.apiThrottles, { service: 'organizations' }, 0],
      [METRIC.apiCalls, { service: 'sts' }, 11],
      [METRIC.apiThrottles, { service: 'sts' }, 1],
    ]);
  });

  test('FAIL and ERROR per route OU, over the accounts under it now', () => {
    const ms = runMetrics(input());
    expect(value(ms, METRIC.fail, { ou: OU_DEV })).toBe(1);
    expect(value(ms, METRIC.error, { ou: OU_DEV })).toBe(1);
    expect(value(ms, METRIC.fail, { ou: OU_PROD })).toBe(0);
    expect(value(ms, METRIC.error, { ou: OU_PROD })).toBe(0);
    // Nothing else per OU: no PASS, no duration.
    expect(ms.filter((m) => m.dimensions.ou).map((m) => m.name).sort()).toEqual([METRIC.error, METRIC.error, METRIC.fail, METRIC.fail]);
  });
});

describe('runMetrics: cardinality', () => {
  test('per OU only for the OUs the routes name: not an exemption-only OU, not an OU that could not be read (no 0 that looks healthy)', () => {
    const ouValues = runMetrics(input()).flatMap((m) => (m.dimensions.ou ? [m.dimensions.ou] : []));
    expect([...new Set(ouValues)].sort()).toEqual([OU_DEV, OU_PROD]);
    expect(runMetrics(input({ routeOus: [] })).some((m) => m.dimensions.ou)).toBe(false);
    // A route OU Organizations was never asked about (not in the membership) is no datapoint either.
    expect(runMetrics(input({ routeOus: ['ou-ab12-notasked1'] })).some((m) => m.dimensions.ou)).toBe(false);
  });

  test('a route OU named twice (two routes) is one series', () => {
    const ms = runMetrics(input({ routeOus: [OU_DEV, OU_DEV] }));
    expect(ms.filter((m) => m.dimensions.ou === OU_DEV)).toHaveLength(2);
  });

  test('only the dimensions service and ou, one at a time; no account id or name anywhere', () => {
    const ms = runMetrics(input());
    for (const m of ms) {
      expect(Object.keys(m.dimensions).length).toBeLessThanOrEqual(1);
      for (const k of Object.keys(m.dimensions)) expect([DIMENSION.service, DIMENSION.ou]).toContain(k);
    }
    const text = JSON.stringify(ms);
    for (const id of ids) expect(text).not.toContain(id);
    expect(text).not.toContain('script');
  });

  test('hostile keys never become dimension values: a service key that is not a client name, an OU id that is not an OU id', () => {
    const hostileOu = 'ou-ab12-dev00001"}]';
    const m = ous();
    m.members.set(hostileOu, new Set([ids[3]]));
    const ms = runMetrics(
      input({
        callCounts: { [ids[0]]: { calls: 1, throttles: 0 }, 'Cloud Trail': { calls: 1, throttles: 0 }, sns: { calls: 1, throttles: 0 } },
        routeOus: [hostileOu],
        ous: m,
      }),
    );
    expect(ms.filter((x) => Object.keys(x.dimensions).length).map((x) => x.dimensions)).toEqual([{ service: 'sns' }, { service: 'sns' }]);
  });

  test('a value CloudWatch would refuse is left out, not sent as something else', () => {
    const r = sample();
    r.run.durationMs = Number.NaN;
    const ms = runMetrics(input({ report: r, callCounts: { sts: { calls: -1, throttles: 0 } } }));
    expect(value(ms, METRIC.runDuration)).toBeUndefined();
    expect(value(ms, METRIC.apiCalls, { service: 'sts' })).toBeUndefined();
    expect(value(ms, METRIC.apiThrottles, { service: 'sts' })).toBe(0);
  });
});

describe('emitRunMetrics: the EMF lines', () => {
  let lines: string[];
  let write: jest.SpyInstance;
  beforeEach(() => {
    lines = [];
    write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  });
  afterEach(() => write.mockRestore());

  const emf = () => lines.map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> } });

  test('one line per set of dimensions, namespace trailcheck, no default service dimension', () => {
    const result = emitRunMetrics(input());
    expect(result).toEqual({ emitted: runMetrics(input()).length });
    const docs = emf();
    // none; cloudtrail, organizations, sts; two OUs
    expect(docs).toHaveLength(6);
    for (const d of docs) {
      expect(d._aws.CloudWatchMetrics).toHaveLength(1);
      expect(d._aws.CloudWatchMetrics[0].Namespace).toBe(METRICS_NAMESPACE);
      expect(typeof d._aws.Timestamp).toBe('number');
    }
    const [run, ...rest] = docs;
    // EMF wants a dimension set; the empty one is "no dimension" (not Powertools' service: trailcheck).
    expect(run._aws.CloudWatchMetrics[0].Dimensions).toEqual([[]]);
    expect(run.service).toBeUndefined();
    expect(run).toMatchObject({ AccountsPass: 3, AccountsFail: 3, AccountsError: 2, AccountsSkipped: 2, AccountsExempt: 1, RunDuration: 12_345, AlertsSent: 2 });
    expect(run._aws.CloudWatchMetrics[0].Metrics).toContainEqual({ Name: 'RunDuration', Unit: 'Milliseconds' });
    expect(rest.map((d) => [d._aws.CloudWatchMetrics[0].Dimensions, d.service ?? d.ou])).toEqual([
      [[['service']], 'cloudtrail'],
      [[['service']], 'organizations'],
      [[['service']], 'sts'],
      [[['ou']], OU_DEV],
      [[['ou']], OU_PROD],
    ]);
    expect(rest[0]).toMatchObject({ ApiCalls: 30, ApiThrottles: 4 });
    expect(rest[3]).toMatchObject({ AccountsFail: 1, AccountsError: 1 });
    const all = lines.join('');
    for (const id of ids) expect(all).not.toContain(id);
  });

  test('a caller-supplied Metrics with default dimensions: they are cleared, so no metric gains a dimension', () => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'other', defaultDimensions: { environment: 'prod' } });
    emitRunMetrics(input({ callCounts: {}, routeOus: [] }), metrics);
    expect(emf().map((d) => d._aws.CloudWatchMetrics[0].Dimensions)).toEqual([[[]]]);
  });

  test('a failure to write never throws: the run goes on, and the result says why', () => {
    const broken = new Metrics({ namespace: METRICS_NAMESPACE });
    jest.spyOn(broken, 'publishStoredMetrics').mockImplementation(() => {
      throw new Error('stdout closed');
    });
    expect(emitRunMetrics(input(), broken)).toEqual({ emitted: 0, error: 'stdout closed' });
  });
});

test('alertsSent: the central publish and each route slice that went out', () => {
  const route = (published: boolean | undefined) => ({ route: 'r', accounts: 1, unresolvedOus: [], ...(published === undefined ? { error: 'boom' } : { result: { published } }) });
  expect(alertsSent({ published: true }, { deliveries: [route(true), route(false), route(undefined), route(true)] })).toBe(3);
  expect(alertsSent({ published: false }, { deliveries: [] })).toBe(0);
});
