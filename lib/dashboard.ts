/**
 * The CloudWatch dashboard `trailcheck`, and the one alarm on the run's own metrics: ERROR
 * accounts above a share of the audited ones (`errorShareAlarmPercent`).
 *
 * The metrics are those each run writes in Embedded Metric Format (lambda/run/metrics.ts, names in
 * lambda/metric-names.ts): namespace `trailcheck`, no dimension on the run's counts, `service` on
 * the API calls and throttles, `ou` on FAIL and ERROR per alert-route OU. The "accounts needing
 * attention" table reads the function's structured log lines (`account needs attention`, with
 * accountId, accountName, status and reasons) with Logs Insights. docs/deploy.md "Dashboard and
 * metrics" says what each widget shows.
 *
 * Periods are an hour: a run writes one datapoint per metric, at most a few runs an hour (the run
 * lock keeps them apart), and a daily schedule leaves one datapoint a day.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../lambda/metric-names';
import type { Heartbeat } from './heartbeat';

/** Fixed names: the docs refer to them. */
export const DASHBOARD_NAMES = {
  dashboard: 'trailcheck',
  alarmErrorShare: 'trailcheck-error-accounts',
} as const;

/** The log line each FAIL or ERROR account gets (lambda/run/scheduled-run.ts logAttention). */
export const ATTENTION_MESSAGE = 'account needs attention';

/**
 * The accounts needing attention, latest first: each account's last such line in the dashboard's
 * time range. The rows of the latest run lead; an account fixed since shows an older `lastSeen`.
 */
export const ATTENTION_QUERY = [
  'fields @timestamp, accountId, accountName, status, reasons.0',
  `filter message = '${ATTENTION_MESSAGE}'`,
  'stats latest(status) as lastStatus, latest(accountName) as name, latest(reasons.0) as firstReason, latest(reasons.1) as secondReason, max(@timestamp) as lastSeen by accountId',
  'sort lastSeen desc',
  'limit 1000',
];

const PERIOD = Duration.hours(1);

export interface DashboardProps {
  /** The audit function's log group (the EMF lines and the structured log). */
  readonly logGroup: logs.ILogGroup;
  readonly heartbeat: Heartbeat;
  /** The stack's alarms, shown by state; the ERROR-share alarm is added to them. */
  readonly alarms: cloudwatch.IAlarm[];
  /** What the ERROR-share alarm notifies (the alert topic, as the other alarms). */
  readonly action: cloudwatch.IAlarmAction;
  /** Validated at synth: a whole number from 1 to 100. */
  readonly errorShareAlarmPercent: number;
  /** The OU ids the alert routes name: their FAIL and ERROR are graphed. */
  readonly routeOus: readonly string[];
}

/** One of the run's metrics. */
export function runMetric(name: string, statistic: string, label: string, dimensions?: Record<string, string>): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, statistic, period: PERIOD, label, ...(dimensions ? { dimensionsMap: dimensions } : {}) });
}

export class TrailcheckDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  /** ERROR accounts above `errorShareAlarmPercent` of the audited accounts. */
  readonly errorShare: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    this.errorShare = errorShareAlarm(this, props.errorShareAlarmPercent);
    this.errorShare.addAlarmAction(props.action);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: DASHBOARD_NAMES.dashboard,
      defaultInterval: Duration.days(14),
      widgets: [
        [complianceWidget(), exemptAndOusWidget(props.routeOus)],
        [durationWidget(), apiWidget(), heartbeatWidget(props.heartbeat)],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms, this.errorShare], width: 24, height: 3 })],
        [
          new cloudwatch.LogQueryWidget({
            title: 'Accounts needing attention (FAIL or ERROR), latest first: the latest run leads, an account fixed since shows an older lastSeen',
            logGroupNames: [props.logGroup.logGroupName],
            queryLines: ATTENTION_QUERY,
            view: cloudwatch.LogQueryVisualizationType.TABLE,
            width: 24,
            height: 8,
          }),
        ],
      ],
    });
  }
}

/** ERROR / (PASS + FAIL + ERROR) × 100 per hour; no ERROR is 0 % (and no run, no datapoint: the state stays). */
function errorShareAlarm(scope: Construct, percent: number): cloudwatch.Alarm {
  const share = new cloudwatch.MathExpression({
    expression: 'IF(e > 0, 100 * e / (p + f + e), 0)',
    usingMetrics: {
      p: runMetric(METRIC.pass, cloudwatch.Stats.SUM, 'PASS'),
      f: runMetric(METRIC.fail, cloudwatch.Stats.SUM, 'FAIL'),
      e: runMetric(METRIC.error, cloudwatch.Stats.SUM, 'ERROR'),
    },
    label: 'ERROR accounts, % of the audited (PASS, FAIL, ERROR)',
    period: PERIOD,
  });
  return new cloudwatch.Alarm(scope, 'ErrorShare', {
    alarmName: DASHBOARD_NAMES.alarmErrorShare,
    alarmDescription: `More than ${percent}% of the audited accounts were ERROR in a trailcheck run (their verdict could not be known: the audit role missing or not assumable, calls denied, throttled out or out of time). The report and the dashboard ${DASHBOARD_NAMES.dashboard} name them.`,
    metric: share,
    threshold: percent,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    // An hour without a run is no news: the alarm keeps its state until the next run says otherwise (the heartbeat watches for runs).
    treatMissingData: cloudwatch.TreatMissingData.IGNORE,
  });
}

function complianceWidget(): cloudwatch.GraphWidget {
  const avg = cloudwatch.Stats.AVERAGE;
  return new cloudwatch.GraphWidget({
    title: 'Accounts by status (stacked: the organization)',
    left: [
      runMetric(METRIC.pass, avg, 'PASS'),
      runMetric(METRIC.fail, avg, 'FAIL'),
      runMetric(METRIC.error, avg, 'ERROR'),
      runMetric(METRIC.skipped, avg, 'SKIPPED'),
    ],
    stacked: true,
    leftYAxis: { min: 0, label: 'accounts', showUnits: false },
    width: 12,
    height: 6,
  });
}

/** Exempt accounts (within FAIL and ERROR, so not stacked on them), and FAIL + ERROR under each route OU. */
function exemptAndOusWidget(routeOus: readonly string[]): cloudwatch.GraphWidget {
  const avg = cloudwatch.Stats.AVERAGE;
  // Ids unique within the graph: one pair per OU.
  const perOu = [...new Set(routeOus)].map(
    (ou, i) =>
      new cloudwatch.MathExpression({
        expression: `fail${i} + error${i}`,
        usingMetrics: { [`fail${i}`]: runMetric(METRIC.fail, avg, `${ou} FAIL`, { [DIMENSION.ou]: ou }), [`error${i}`]: runMetric(METRIC.error, avg, `${ou} ERROR`, { [DIMENSION.ou]: ou }) },
        label: `${ou}: FAIL + ERROR`,
        period: PERIOD,
      }),
  );
  return new cloudwatch.GraphWidget({
    title: perOu.length ? 'Exempt accounts (counted in FAIL/ERROR), and FAIL + ERROR per alert-route OU' : 'Exempt accounts (counted in FAIL/ERROR)',
    left: [runMetric(METRIC.exempt, avg, 'exempt'), ...perOu],
    leftYAxis: { min: 0, label: 'accounts', showUnits: false },
    width: 12,
    height: 6,
  });
}

function durationWidget(): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: 'Run duration',
    left: [runMetric(METRIC.runDuration, cloudwatch.Stats.MAXIMUM, 'run duration (ms)')],
    leftYAxis: { min: 0, showUnits: true },
    width: 8,
    height: 6,
  });
}

/** Every service's calls and throttles (SEARCH: whichever services the runs called). */
function apiWidget(): cloudwatch.GraphWidget {
  const search = (metric: string) => `SEARCH('{${METRICS_NAMESPACE},${DIMENSION.service}} MetricName="${metric}"', 'Sum', ${PERIOD.toSeconds()})`;
  return new cloudwatch.GraphWidget({
    title: 'API throttles (left) and calls (right) by service',
    left: [new cloudwatch.MathExpression({ expression: search(METRIC.apiThrottles), usingMetrics: {}, label: 'throttled', period: PERIOD })],
    right: [new cloudwatch.MathExpression({ expression: search(METRIC.apiCalls), usingMetrics: {}, label: 'calls', period: PERIOD })],
    leftYAxis: { min: 0, label: 'throttled answers', showUnits: false },
    rightYAxis: { min: 0, label: 'requests', showUnits: false },
    width: 8,
    height: 6,
  });
}

/** The heartbeat's own metric (successful runs per hour) and its alarm's line. */
function heartbeatWidget(heartbeat: Heartbeat): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: 'Heartbeat: successful runs per hour',
    left: [heartbeat.window.metric],
    leftAnnotations: [{ value: 1, label: 'a successful run', color: cloudwatch.Color.GREEN }],
    leftYAxis: { min: 0, showUnits: false },
    width: 8,
    height: 6,
  });
}
