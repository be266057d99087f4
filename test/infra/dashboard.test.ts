/**
 * The dashboard `trailcheck` and the ERROR-share alarm (lib/dashboard.ts) in the synthesized
 * template: the widgets and what they read, the alarm's metric math, threshold and actions, the
 * setting validated at synth, and cdk-nag clean.
 */
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../../lambda/metric-names';
import { NAMES } from '../../lib/audit-stack';
import { parseConfig, TrailcheckConfigError } from '../../lib/config';
import { ATTENTION_MESSAGE, DASHBOARD_NAMES } from '../../lib/dashboard';
import { BASE, logicalIdOf, synth, type Synthesized } from './helpers';

/** A reference in the body, as text JSON can hold: `<Ref:Id>`, `<Fn::GetAtt:Id,Arn>`. */
const placeholder = (p: unknown) => `<${Object.entries(p as Record<string, unknown>).map(([k, v]) => `${k}:${String(v)}`).join('')}>`;

/** The dashboard body, its Fn::Join resolved with placeholders for the references. */
function dashboardBody(s: Synthesized): { widgets: Array<{ type: string; width: number; height: number; properties: Record<string, any> }> } {
  const dashboards = Object.values<any>(s.auditJson.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  expect(dashboards[0].Properties.DashboardName).toBe(DASHBOARD_NAMES.dashboard);
  const body = dashboards[0].Properties.DashboardBody;
  const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : placeholder(p))).join('');
  return JSON.parse(text);
}

const alarmNamed = (s: Synthesized, name: string) => s.auditJson.Resources[logicalIdOf(s.auditJson, 'AWS::CloudWatch::Alarm', (p) => p.AlarmName === name)].Properties;
const titled = (body: ReturnType<typeof dashboardBody>, start: string) => {
  const w = body.widgets.find((x) => typeof x.properties.title === 'string' && x.properties.title.startsWith(start));
  expect(w).toBeDefined();
  return w as ReturnType<typeof dashboardBody>['widgets'][number];
};
/** The metric rows of a graph widget, as [namespace, name, ...dimensions, options]. */
const metricRows = (w: { properties: Record<string, any> }) => w.properties.metrics as unknown[][];

describe('the dashboard', () => {
  let s: Synthesized;
  let body: ReturnType<typeof dashboardBody>;
  const ROUTE_OUS = ['ou-a1b2-payments1', 'ou-a1b2-dataplat1'];
  beforeAll(() => {
    s = synth({ routes: [{ name: 'payments', ous: [ROUTE_OUS[0]], emails: ['pay@example.com'] }, { name: 'data', ous: [ROUTE_OUS[1], ROUTE_OUS[0]], emails: ['data@example.com'] }] });
    body = dashboardBody(s);
  });

  it('compliance over time: PASS, FAIL, ERROR and SKIPPED stacked, from the run metrics without dimensions', () => {
    const w = titled(body, 'Accounts by status');
    expect(w.properties.stacked).toBe(true);
    expect(metricRows(w).map((r) => [r[0], r[1], r.length])).toEqual([
      [METRICS_NAMESPACE, METRIC.pass, 3],
      [METRICS_NAMESPACE, METRIC.fail, 3],
      [METRICS_NAMESPACE, METRIC.error, 3],
      [METRICS_NAMESPACE, METRIC.skipped, 3],
    ]);
  });

  it('exempt accounts beside it (not stacked on FAIL/ERROR, which count them), and FAIL + ERROR per route OU, each OU once', () => {
    const w = titled(body, 'Exempt accounts');
    expect(w.properties.stacked).toBeFalsy();
    const rows = metricRows(w);
    expect(rows.some((r) => r[0] === METRICS_NAMESPACE && r[1] === METRIC.exempt)).toBe(true);
    for (const ou of ROUTE_OUS) {
      expect(rows.filter((r) => r[1] === METRIC.fail && r[2] === DIMENSION.ou && r[3] === ou)).toHaveLength(1);
      expect(rows.filter((r) => r[1] === METRIC.error && r[2] === DIMENSION.ou && r[3] === ou)).toHaveLength(1);
      expect(rows.some((r) => (r[0] as { expression?: string }).expression !== undefined && JSON.stringify(r).includes(`${ou}: FAIL + ERROR`))).toBe(true);
    }
  });

  it('run duration, and API calls and throttles by service (every service the runs called)', () => {
    expect(metricRows(titled(body, 'Run duration'))[0].slice(0, 2)).toEqual([METRICS_NAMESPACE, METRIC.runDuration]);
    const api = JSON.stringify(metricRows(titled(body, 'API throttles')));
    expect(api).toContain(`SEARCH('{${METRICS_NAMESPACE},${DIMENSION.service}} MetricName=\\"${METRIC.apiThrottles}\\"', 'Sum', 3600)`);
    expect(api).toContain(`MetricName=\\"${METRIC.apiCalls}\\"`);
  });

  it('the heartbeat: the successful runs its alarm watches, and every alarm by state, the new one included', () => {
    const hb = JSON.stringify(metricRows(titled(body, 'Heartbeat')));
    expect(hb).toContain('invocations - FILL(errors, 0)');
    const status = body.widgets.find((w) => w.type === 'alarm');
    expect(status).toBeDefined();
    // Each entry is the alarm's ARN: <Fn::GetAtt:LogicalId,Arn>, resolved to the alarm's name.
    const names = (status?.properties.alarms as string[]).map((ref) => {
      const id = /^<Fn::GetAtt:([A-Za-z0-9]+),Arn>$/.exec(ref)?.[1] as string;
      return s.auditJson.Resources[id].Properties.AlarmName;
    });
    expect(names).toEqual([NAMES.alarmErrors, NAMES.alarmHeartbeat, NAMES.alarmFailedRuns, DASHBOARD_NAMES.alarmErrorShare]);
  });

  it('a Logs Insights table of the accounts needing attention, from the function log group', () => {
    const w = body.widgets.find((x) => x.type === 'log');
    expect(w).toBeDefined();
    const q = w?.properties.query as string;
    const fn = s.auditJson.Resources[logicalIdOf(s.auditJson, 'AWS::Lambda::Function', (p) => p.FunctionName === NAMES.function)].Properties;
    expect(q.startsWith(`SOURCE '<Ref:${fn.LoggingConfig.LogGroup.Ref}>' | `)).toBe(true);
    expect(q).toContain(`filter message = '${ATTENTION_MESSAGE}'`);
    expect(q).toContain('by accountId');
    for (const f of ['latest(status)', 'latest(accountName)', 'latest(reasons.0)', 'max(@timestamp) as lastSeen']) expect(q).toContain(f);
    expect(q).toContain('sort lastSeen desc');
    expect(w?.properties.view).toBe('table');
  });

  it('reads the message the function really logs for a FAIL or ERROR account', () => {
    const source = require('node:fs').readFileSync(require('node:path').join(__dirname, '../../lambda/run/scheduled-run.ts'), 'utf8') as string;
    expect(source).toContain(`log.warn('${ATTENTION_MESSAGE}', { accountId: a.accountId, accountName: a.accountName, status: a.status, reasons:`);
  });

  it('no per-account anything: no account id in the dashboard', () => {
    expect(JSON.stringify(body)).not.toMatch(/\b\d{12}\b/);
  });

  it('is cdk-nag clean', () => {
    expect(s.nagViolations).toEqual([]);
  });
});

describe('the ERROR-share alarm', () => {
  it('ERROR / (PASS + FAIL + ERROR) × 100 on the run metrics, above the default 20 %, notifying the alert topic like the others', () => {
    const s = synth({}, { nag: false });
    const alarm = alarmNamed(s, DASHBOARD_NAMES.alarmErrorShare);
    expect(alarm).toMatchObject({ Threshold: 20, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, DatapointsToAlarm: 1, TreatMissingData: 'ignore' });
    const expression = alarm.Metrics.find((m: any) => m.Expression);
    expect(expression).toMatchObject({ Expression: 'IF(e > 0, 100 * e / (p + f + e), 0)', ReturnData: true });
    const byId = Object.fromEntries(alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat]));
    expect(byId).toEqual({
      p: { Metric: { Namespace: METRICS_NAMESPACE, MetricName: METRIC.pass }, Period: 3600, Stat: 'Sum' },
      f: { Metric: { Namespace: METRICS_NAMESPACE, MetricName: METRIC.fail }, Period: 3600, Stat: 'Sum' },
      e: { Metric: { Namespace: METRICS_NAMESPACE, MetricName: METRIC.error }, Period: 3600, Stat: 'Sum' },
    });
    // The same action as the function-errors alarm: the alert topic.
    expect(alarm.AlarmActions).toEqual(alarmNamed(s, NAMES.alarmErrors).AlarmActions);
    expect(alarm.AlarmActions).toEqual([{ Ref: logicalIdOf(s.auditJson, 'AWS::SNS::Topic', (p) => p.TopicName === NAMES.topic) }]);
  });

  it('takes errorShareAlarmPercent as its threshold', () => {
    expect(alarmNamed(synth({ errorShareAlarmPercent: 5 }, { nag: false }), DASHBOARD_NAMES.alarmErrorShare).Threshold).toBe(5);
  });

  test.each([0, 101, 12.5, -1, '20%', 'twenty', true, [20]])('errorShareAlarmPercent %p fails at synth, naming the key and the range', (v) => {
    let message = '';
    try {
      parseConfig({ ...BASE, errorShareAlarmPercent: v });
    } catch (err) {
      expect(err).toBeInstanceOf(TrailcheckConfigError);
      message = (err as Error).message;
    }
    expect(message).toBe(`trailcheck.errorShareAlarmPercent: expected a whole number from 1 to 100, got ${JSON.stringify(v)}`);
  });

  it('null fails too, naming the key', () => {
    expect(() => parseConfig({ ...BASE, errorShareAlarmPercent: null })).toThrow(/^trailcheck\.errorShareAlarmPercent: /);
  });

  it('from -c it is text: its digits are a value', () => {
    expect(parseConfig({ ...BASE, errorShareAlarmPercent: '35' }).errorShareAlarmPercent).toBe(35);
    expect(parseConfig({ ...BASE }).errorShareAlarmPercent).toBe(20);
  });
});
