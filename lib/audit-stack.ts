/**
 * The audit stack, deployed once in the management account or a delegated administrator:
 * the scheduled function, its least-privilege role, the encrypted alert topic with email
 * subscriptions, the failure queue, the alarms (errors, failed runs, the heartbeat), the
 * StackSet of member roles, and the rule that runs the first audit once all of it exists.
 */
import { exemptionsForRuntime } from '../lambda/exemptions';
import { POLICY_FILE, policyFileText } from '../lambda/policy';
import { routesForRuntime } from '../lambda/routes';
import * as cdk from 'aws-cdk-lib';
import {
  Annotations,
  type App,
  Aws,
  CfnOutput,
  Duration,
  type IPolicyValidationPlugin,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ReportArchiveBucket, SendMessageDestination, SlackAlerts } from './alerts';
import type { TrailcheckConfig } from './config';
import { TrailcheckDashboard } from './dashboard';
import { FirstRun } from './first-run';
import { HouseNodejsFunction } from './function-defaults';
import { alertEnvironment, functionEnvironment, runLockEnvironment } from './function-env';
import { Heartbeat } from './heartbeat';
import { AUDIT_ACCOUNT_PARAMETER, acknowledgeCloudTrailRead, cloudTrailReadStatements, memberRoleTemplate, securityHubImportStatement } from './member-role';
import { RealtimeAudit } from './realtime';
import { REALTIME_NAMES } from './realtime-events';
import { RouteTopics } from './route-topics';

/** Fixed names: the docs and the runbook refer to them. */
export const NAMES = {
  function: 'trailcheck-audit',
  topic: 'trailcheck-alerts',
  keyAlias: 'alias/trailcheck-alerts',
  failureQueue: 'trailcheck-failed-runs',
  schedule: 'trailcheck-audit',
  stackSet: 'trailcheck-member-roles',
  alarmErrors: 'trailcheck-function-errors',
  /** The heartbeat that notifies (a composite of the two below, lib/heartbeat.ts). */
  alarmHeartbeat: 'trailcheck-audit-overdue',
  /** No successful run within heartbeatHours (no actions of its own). */
  alarmHeartbeatWindow: 'trailcheck-no-successful-audit',
  /** No invocation in 7 days, or not yet (no actions of its own). */
  alarmNotInvoked: 'trailcheck-not-invoked-7-days',
  alarmFailedRuns: 'trailcheck-failed-runs',
  firstRunRule: 'trailcheck-first-run',
} as const;

/** How long a scheduled event may wait to be delivered or retried (throttling, a failed run) before it counts as failed. */
export const MAX_EVENT_AGE = Duration.hours(1);

export interface AuditStackProps extends StackProps {
  readonly config: TrailcheckConfig;
  /** Validation plugins for the member template's own synthesis (cdk-nag). */
  readonly memberTemplatePlugins?: (app: App) => IPolicyValidationPlugin[];
}

export class AuditStack extends Stack {
  readonly key: kms.Key;
  readonly topic: sns.Topic;
  readonly failureQueue: sqs.Queue;
  readonly functionRole: iam.Role;
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly schedule: scheduler.Schedule;
  readonly alarms: { errors: cloudwatch.Alarm; heartbeat: Heartbeat; failedRuns: cloudwatch.Alarm };
  /** Runs the first audit once the stack is created. */
  readonly firstRun: FirstRun;
  /** The dashboard `trailcheck` and the ERROR-share alarm, on the run's metrics (lib/dashboard.ts). */
  readonly dashboard: TrailcheckDashboard;
  readonly stackSet?: CfnStackSet;
  /** Every run's report, and the state the next run compares with. */
  readonly reports: ReportArchiveBucket;
  /** AWS Chatbot and the Slack webhook forwarder, when configured. */
  readonly slack: SlackAlerts;
  /** A topic per alert route (`routes`), with its subscriptions. */
  readonly routes: RouteTopics;
  /** The member template embedded in the StackSet (undefined when memberRoles is false). */
  readonly memberTemplate?: Record<string, unknown>;
  /** Real-time re-audit (`realtime`): the central bus, the queue, the event function, the forwarding rules' StackSet. */
  readonly realtime?: RealtimeAudit;

  constructor(scope: Construct, id: string, props: AuditStackProps) {
    super(scope, id, {
      description: `trailcheck: scheduled org-wide audit of CIS "CloudTrail enabled in all regions" (${props.config.mode} mode)`,
      ...props,
    });
    const config = props.config;

    // The function's role: a fixed name, so member roles can trust it by aws:PrincipalArn.
    this.functionRole = new iam.Role(this, 'FunctionRole', {
      roleName: config.functionRoleName,
      description: 'trailcheck audit function: lists the organization, assumes the audit role in each account, reads its own trails, publishes alerts',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });

    // Alerts: topic encrypted with a customer-managed key, TLS only.
    this.key = new kms.Key(this, 'AlertsKey', {
      alias: NAMES.keyAlias,
      description: 'trailcheck: encrypts the alert topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
      policy: this.keyPolicy(),
    });
    this.topic = new sns.Topic(this, 'Alerts', {
      topicName: NAMES.topic,
      displayName: 'trailcheck',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
        },
      }),
    );
    for (const email of config.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    if (config.emails.length === 0) {
      Annotations.of(this).addWarningV2('trailcheck:noEmails', 'trailcheck.emails is empty: alerts and alarms go to a topic nobody is subscribed to. Add email addresses (docs/deploy.md).');
    }

    // Failed runs: the asynchronous invocation's on-failure destination and the schedule's DLQ.
    this.failureQueue = new sqs.Queue(this, 'FailedRuns', {
      queueName: NAMES.failureQueue,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination (Lambda on-failure destination and Scheduler DLQ) and nothing consumes it; the trailcheck-failed-runs alarm fires on any message in it.',
    });

    this.reports = new ReportArchiveBucket(this, 'Reports', { retentionDays: config.reportRetentionDays });
    // Alert routes: a topic each, encrypted and TLS-only as the central one.
    this.routes = new RouteTopics(this, 'Routes', { config, key: this.key });

    // The function (the real-time event function runs with the same environment and files).
    const environment = {
      ...functionEnvironment(config, { topicArn: this.topic.topicArn, region: config.region ?? Aws.REGION }),
      ...alertEnvironment(config, { bucketName: this.reports.bucket.bucketName }),
      ...runLockEnvironment(),
    };
    // Exemptions and routes, too large for the environment's 4 KB: a file beside the bundle (lambda/policy.ts).
    const assetFiles = { [POLICY_FILE]: policyFileText({ exemptions: exemptionsForRuntime(config.exemptions), routes: routesForRuntime(config.routes) }) };
    const fn = new HouseNodejsFunction(this, 'Audit', {
      entry: 'lambda/handler.ts',
      handler: 'handler',
      functionName: NAMES.function,
      description: 'trailcheck: audits every account of the organization against CIS "CloudTrail enabled in all regions"',
      memorySize: config.memoryMb,
      timeout: Duration.minutes(config.timeoutMinutes),
      role: this.functionRole,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      environment,
      assetFiles,
      // Runs never overlap because of the run lock (lambda/aws/run-lock.ts), not a reservation:
      // reserving even one execution fails the deploy where the account's concurrency quota is 10
      // (new accounts). reservedConcurrency: true still reserves one, for those who want both.
      reservedConcurrentExecutions: config.reservedConcurrency ? 1 : undefined,
      retryAttempts: config.retryAttempts,
      maxEventAge: MAX_EVENT_AGE,
      onFailure: new SendMessageDestination(this.failureQueue),
    });
    this.function = fn.function;
    this.logGroup = fn.logGroup;
    this.addFunctionPermissions(config);

    // The schedule.
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      scheduleName: NAMES.schedule,
      description: 'trailcheck: runs the org-wide CloudTrail audit',
      schedule: scheduler.ScheduleExpression.expression(config.schedule, TimeZone.of(config.timeZone)),
      target: new targets.LambdaInvoke(this.function, {
        input: scheduler.ScheduleTargetInput.fromObject({
          'detail-type': 'Scheduled Event',
          source: 'trailcheck.schedule',
          id: '<aws.scheduler.execution-id>',
          time: '<aws.scheduler.scheduled-time>',
          resources: ['<aws.scheduler.schedule-arn>'],
          detail: {},
        }),
        retryAttempts: 3,
        maxEventAge: MAX_EVENT_AGE,
        deadLetterQueue: this.failureQueue,
      }),
    });
    Validations.of(this).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason:
        'The scheduler target grants lambda:InvokeFunction on the function and its qualified ARNs (function:trailcheck-audit:*); it is one action on one function, its versions and aliases.',
    });

    this.alarms = this.createAlarms(config);
    this.dashboard = new TrailcheckDashboard(this, 'Dashboard', {
      logGroup: this.logGroup,
      heartbeat: this.alarms.heartbeat,
      alarms: [this.alarms.errors, this.alarms.heartbeat.overdue, this.alarms.failedRuns],
      action: new cwActions.SnsAction(this.topic),
      errorShareAlarmPercent: config.errorShareAlarmPercent,
      routeOus: config.routes.flatMap((r) => r.ous),
    });
    this.slack = new SlackAlerts(this, 'Slack', { config, topic: this.topic, routes: this.routes.routes });
    this.firstRun = new FirstRun(this, 'FirstRun', { function: this.function, ruleName: NAMES.firstRunRule });
    if (config.realtime) {
      // Real-time re-audit (lib/realtime.ts): the event function gets the scheduled function's permissions too.
      this.realtime = new RealtimeAudit(this, 'Realtime', { config, topic: this.topic, key: this.key, environment, assetFiles, memberTemplatePlugins: props.memberTemplatePlugins });
      this.addFunctionPermissions(config, this.realtime.functionRole, this.realtime.logGroup);
    }

    if (config.memberRoles) {
      this.memberTemplate = memberRoleTemplate(
        {
          roleName: config.roleName,
          functionRoleName: config.functionRoleName,
          eventFunctionRoleName: config.realtime ? REALTIME_NAMES.functionRole : undefined,
          organizationId: config.organizationId as string,
          externalId: config.externalId,
          securityHubRegion: config.securityHub,
        },
        { context: this.node.getAllContext(), plugins: props.memberTemplatePlugins },
      );
      this.stackSet = new CfnStackSet(this, 'MemberRoles', {
        stackSetName: NAMES.stackSet,
        description: `trailcheck: the read-only audit role ${config.roleName} in every account of the organization`,
        permissionModel: 'SERVICE_MANAGED',
        // management: the management account owns the StackSet; delegatedAdmin: this account administers it for the organization.
        callAs: config.mode === 'management' ? 'SELF' : 'DELEGATED_ADMIN',
        autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
        capabilities: ['CAPABILITY_NAMED_IAM'],
        managedExecution: { Active: true },
        operationPreferences: {
          // IAM is global: one region per account. Deploy to every account at once, and never let
          // an account where the role cannot be created (an SCP denying iam:CreateRole, a role of
          // that name already there) fail the operation: a failed operation rolls back the whole
          // Trailcheck stack. The tolerance is a percentage of the accounts per region, rounded
          // down, so anything below 100 is 0 for a small OU (10% of 9 accounts is 0); 100 tolerates
          // every failure at any size. Failed instances are listed by the StackSet (docs/deploy.md)
          // and the audit reports those accounts ERROR ASSUME_ROLE_FAILED, with the advice, each run.
          regionConcurrencyType: 'PARALLEL',
          maxConcurrentPercentage: 100,
          failureTolerancePercentage: 100,
          // The failures do not slow the others down (STRICT would lower the concurrency as they come).
          concurrencyMode: 'SOFT_FAILURE_TOLERANCE',
        },
        parameters: [{ parameterKey: AUDIT_ACCOUNT_PARAMETER, parameterValue: Aws.ACCOUNT_ID }],
        stackInstancesGroup: [
          {
            deploymentTargets: { organizationalUnitIds: config.memberRoleTargets },
            regions: [config.region ?? Aws.REGION],
          },
        ],
        templateBody: JSON.stringify(this.memberTemplate),
      });
      // The first-run rule exists (and may invoke) well before the stack's CREATE_COMPLETE: the roles take minutes.
      this.stackSet.node.addDependency(this.firstRun);
    }
    if (config.organizationId === 'o-exampleorgid') {
      Annotations.of(this).addWarningV2(
        'trailcheck:exampleOrganization',
        'trailcheck.organizationId is the example value o-exampleorgid: the member roles would trust no real principal. Set your organization id (docs/deploy.md).',
      );
    }

    new CfnOutput(this, 'FunctionName', { value: this.function.functionName, description: 'Run on demand: aws lambda invoke --function-name <this> --invocation-type Event out.json' });
    new CfnOutput(this, 'LogGroupName', { value: this.logGroup.logGroupName, description: 'The function logs: aws logs tail <this> --follow' });
    new CfnOutput(this, 'TopicArn', { value: this.topic.topicArn });
    new CfnOutput(this, 'FailedRunsQueueUrl', { value: this.failureQueue.queueUrl });
    new CfnOutput(this, 'ReportBucketName', { value: this.reports.bucket.bucketName, description: 'Every run\'s report: aws s3 ls s3://<this>/trailcheck/reports/ --recursive' });
    if (this.slack.webhookSecret) {
      new CfnOutput(this, 'SlackWebhookSecretArn', { value: this.slack.webhookSecret.secretArn, description: 'Put the Slack webhook URL here: aws secretsmanager put-secret-value --secret-id <this> --secret-string https://hooks.slack.com/services/…' });
    }
    if (this.slack.failures) new CfnOutput(this, 'SlackFailuresQueueUrl', { value: this.slack.failures.queueUrl });
    new CfnOutput(this, 'FunctionRoleArn', { value: this.functionRole.roleArn, description: 'Member audit roles trust this principal (aws:PrincipalArn)' });
  }

  /** The key may be used by the function (publishing, via SNS only) and by CloudWatch (alarm actions). */
  private keyPolicy(): iam.PolicyDocument {
    return new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'KeyAdministrationByTheAccount',
          principals: [new iam.AccountRootPrincipal()],
          // Administration only, no data actions: nobody decrypts alerts with IAM permissions alone.
          actions: KEY_ADMIN_ACTIONS,
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'AuditFunctionPublishesThroughSns',
          principals: [new iam.ArnPrincipal(this.functionRole.roleArn)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:ViaService': `sns.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
        }),
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarmsPublish',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          // Only on behalf of this account's alarms (confused deputy), as the topic policy says.
          conditions: {
            StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
            ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
          },
        }),
      ],
    });
  }

  /** Exactly what the code calls (see test/infra/audit-stack.test.ts for the complete list). */
  private addFunctionPermissions(config: TrailcheckConfig, role: iam.Role = this.functionRole, logGroup: logs.ILogGroup = this.logGroup): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListOrganizationAccounts',
        // The OU walk (lambda/aws/accounts.ts accountsUnderOus): for the OU filter, and for the OUs of the alert routes and exemptions (lambda/audit/ou-members.ts).
        actions: ['organizations:ListAccounts', ...(config.ous || config.routes.some((r) => r.ous.length > 0) || config.exemptions.some((e) => e.ous.length > 0) ? ['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent'] : [])],
        resources: ['*'],
      }),
    );
    // The OU of each account an alert is about (lambda/aws/ous.ts): accounts and OUs of this organization only.
    const org = config.organizationId ?? '*';
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAccountOus',
        actions: ['organizations:DescribeOrganizationalUnit', 'organizations:ListParents'],
        resources: [`arn:${Aws.PARTITION}:organizations::*:account/${org}/*`, `arn:${Aws.PARTITION}:organizations::*:ou/${org}/ou-*`],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeAuditRole',
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${config.roleName}`],
      }),
    );
    // The account the function runs in is audited with the function's own credentials.
    for (const s of cloudTrailReadStatements()) role.addToPrincipalPolicy(s);
    // Its own account's Security Hub findings, imported with its own credentials (lambda/run/import-findings.ts).
    if (config.securityHub) role.addToPrincipalPolicy(securityHubImportStatement(config.securityHub));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishAlerts',
        actions: ['sns:Publish'],
        // The central topic and each alert route's (lambda/channels/routes.ts), by their own ARNs.
        resources: [this.topic.topicArn, ...this.routes.routes.map((r) => r.topic.topicArn)],
      }),
    );
    this.reports.grantArchive(role);
    this.reports.grantRunLock(role);

    const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy;
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only actions without resource-level permissions use "*": organizations:ListAccounts (and ListAccountsForParent/ListOrganizationalUnitsForParent for the OU filter), read-only and limited to the caller\'s own organization, and cloudtrail:DescribeTrails.',
    });
    for (const resource of [`account/${org}/*`, `ou/${org}/ou-*`]) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::*:${resource}]`,
        reason:
          'organizations:ListParents and DescribeOrganizationalUnit name the OU of the accounts an alert is about; the accounts are only known at run time, so the resource is every account or OU of this one organization (the management account id in the ARN is left open).',
      });
    }
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${config.roleName}]`,
      reason: `sts:AssumeRole on the audit role name only, in whichever account the organization lists at run time (accounts come and go); each member role's trust policy admits only this function role from inside the organization.`,
    });
    acknowledgeCloudTrailRead(policy, { wildcardResource: false });
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.reports.bucket.node.defaultChild as cdk.CfnElement)}.Arn>/trailcheck/*]`,
      reason:
        's3:GetObject and s3:PutObject on the report archive\'s own prefix in its own bucket: each run writes a new report key (reports/YYYY/MM/DD/<run id>.json) and the latest-report pointer, which cannot be listed in advance.',
    });
  }

  private createAlarms(config: TrailcheckConfig): AuditStack['alarms'] {
    const action = new cwActions.SnsAction(this.topic);
    const errors = new cloudwatch.Alarm(this, 'FunctionErrors', {
      alarmName: NAMES.alarmErrors,
      alarmDescription: `The trailcheck audit function failed (an exception, a timeout, or a failed publish). Its logs: log group of ${NAMES.function}.`,
      metric: this.function.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // Heartbeat: no successful run within heartbeatHours, once the function has run at all (lib/heartbeat.ts).
    const heartbeat = new Heartbeat(this, 'Heartbeat', {
      function: this.function,
      heartbeatHours: config.heartbeatHours,
      names: { window: NAMES.alarmHeartbeatWindow, invoked: NAMES.alarmNotInvoked, overdue: NAMES.alarmHeartbeat },
      description: `No trailcheck audit succeeded in the last ${config.heartbeatHours} hours (schedule ${config.schedule}, ${config.timeZone}). Check the schedule ${NAMES.schedule}, the function's errors and the queue ${NAMES.failureQueue}.`,
    });
    const failedRuns = new cloudwatch.Alarm(this, 'FailedRunsWaiting', {
      alarmName: NAMES.alarmFailedRuns,
      alarmDescription: `Failed or undeliverable audit invocations are waiting in the SQS queue ${NAMES.failureQueue} (retries exhausted, or an event could not start within ${MAX_EVENT_AGE.toHours()} hour).`,
      metric: this.failureQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [errors, heartbeat.overdue, failedRuns]) alarm.addAlarmAction(action);
    return { errors, heartbeat, failedRuns };
  }
}

/**
 * Key administration without data actions or wildcards. No kms:ListAliases: it is not a
 * key-resource action (aliases are listed per account), so a key policy cannot grant it.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];
