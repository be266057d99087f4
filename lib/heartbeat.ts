/**
 * The heartbeat: "no audit succeeded for heartbeatHours hours", notified once the function has
 * run at all, never on the day it is deployed.
 *
 * Why not one metric alarm: a heartbeat has to treat missing data as breaching, or a schedule that
 * silently stopped would never alarm; and right after deployment every datapoint is missing, so
 * that alarm is in ALARM before the first run was even due. FILL (metric math) does not help: it
 * cannot tell "not run yet" from "stopped running", both are gaps in the same window, so it either
 * alarms at deployment too (gaps filled with 0) or never notices a stopped schedule once the last
 * run has left the window. What tells the two apart is whether the function has run at all, and
 * that is a second alarm; a composite alarm combines them:
 *
 *   window   (metric)    no successful run (invocations - errors) in any of the last heartbeatHours
 *                        hours; missing data breaches. No actions of its own.
 *   invoked  (metric)    no invocation at all in the last 7 days (CloudWatch's longest window);
 *                        missing data breaches, so it is OK only once the function has run.
 *   overdue  (composite) ALARM(window) AND OK(invoked): notifies the topic.
 *
 * Right after deployment `invoked` is in ALARM (nothing ran yet), so `overdue` stays OK however
 * long the first run takes; the first run (lib/first-run.ts, at deployment, else the first
 * scheduled run) puts `invoked` in OK, and from then on `overdue` fires heartbeatHours after the
 * last successful run, the first run included. OK(invoked), not NOT ALARM(invoked): at creation
 * `invoked` is INSUFFICIENT_DATA for a moment, and `window` may reach ALARM first.
 * After 7 days without a single invocation `overdue` returns to OK; by then it has notified (at
 * heartbeatHours), and `window` stays in ALARM.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface HeartbeatProps {
  readonly function: lambda.IFunction;
  readonly heartbeatHours: number;
  readonly names: { readonly window: string; readonly invoked: string; readonly overdue: string };
  /** Says what to check, in the notification. */
  readonly description: string;
}

/** CloudWatch evaluates an alarm over at most 7 days. */
const INVOKED_WINDOW_HOURS = 168;

export class Heartbeat extends Construct {
  readonly window: cloudwatch.Alarm;
  readonly invoked: cloudwatch.Alarm;
  /** The alarm that notifies. */
  readonly overdue: cloudwatch.CompositeAlarm;

  constructor(scope: Construct, id: string, props: HeartbeatProps) {
    super(scope, id);
    const hourly = { period: Duration.hours(1), statistic: cloudwatch.Stats.SUM };
    const successes = new cloudwatch.MathExpression({
      expression: 'invocations - FILL(errors, 0)',
      usingMetrics: { invocations: props.function.metricInvocations(hourly), errors: props.function.metricErrors(hourly) },
      label: 'successful audit runs',
      period: Duration.hours(1),
    });
    this.window = new cloudwatch.Alarm(this, 'Window', {
      alarmName: props.names.window,
      alarmDescription: `No trailcheck audit succeeded in the last ${props.heartbeatHours} hours. No actions: ${props.names.overdue} notifies, once the function has run at all (${props.names.invoked} OK).`,
      metric: successes,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: props.heartbeatHours,
      datapointsToAlarm: props.heartbeatHours,
      // A schedule that stopped invoking leaves no data at all: that must alarm.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.invoked = new cloudwatch.Alarm(this, 'Invoked', {
      alarmName: props.names.invoked,
      alarmDescription: `The trailcheck audit function has not been invoked in the last 7 days (right after deployment: not yet). No actions: it keeps ${props.names.overdue} from alarming before the first run.`,
      metric: props.function.metricInvocations(hourly),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: INVOKED_WINDOW_HOURS,
      datapointsToAlarm: INVOKED_WINDOW_HOURS,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.overdue = new cloudwatch.CompositeAlarm(this, 'Overdue', {
      compositeAlarmName: props.names.overdue,
      alarmDescription: props.description,
      alarmRule: cloudwatch.AlarmRule.allOf(cloudwatch.AlarmRule.fromAlarm(this.window, cloudwatch.AlarmState.ALARM), cloudwatch.AlarmRule.fromAlarm(this.invoked, cloudwatch.AlarmState.OK)),
    });
  }
}
