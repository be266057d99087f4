/**
 * Real-time re-audit (issue 13), in the audit stack: the central event bus that accepts events
 * from inside the organization only, its rule to an encrypted TLS-only queue (a dead-letter queue
 * behind it, an alarm on that), the event function reading the queue in coalescing batches, its
 * role (a fixed name, trusted by the member roles), and the StackSet of forwarding rules in every
 * member account and region (lib/realtime-forwarders.ts). In management mode the audit stack's
 * own account and region forward too; the management account's other regions and its
 * Organizations events are stacks of their own (`realtimeManagementStacks`).
 */
import { EVENT_QUEUE_MAX_RECEIVES } from '../lambda/env';
import { REALTIME_SETTINGS } from '../lambda/settings';
import { defaultsOf, environment } from '../lambda/setting-kinds';
import { Annotations, type App, Aws, CfnOutput, Duration, type IPolicyValidationPlugin, type Stack } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IDependable } from 'constructs';
import type { TrailcheckConfig } from './config';
import { deployedValues } from './deploy-settings';
import { HouseNodejsFunction } from './function-defaults';
import { standaloneTemplate } from './member-role';
import { centralBusArn, centralPattern, ORGANIZATIONS_EVENTS_REGION, REALTIME_NAMES } from './realtime-events';
import { BUS_ARN_PARAMETER, cloudTrailForwarder, type EventForwarder, ForwarderStack, MemberEventsStack } from './realtime-forwarders';

/** The event function's entry (written beside the scheduled one's, lambda/handler.ts). */
export const EVENT_HANDLER_ENTRY = 'lambda/event-handler.ts';

/** Receives before a message that keeps failing goes to the dead-letter queue. */
export const MAX_RECEIVES = EVENT_QUEUE_MAX_RECEIVES;
/** Records per batch when the batching window is on (Lambda allows up to 10 without one). */
export const BATCH_SIZE = 100;
/** The most event functions running at once (2 is the least SQS's maximum concurrency accepts). */
export const MAX_CONCURRENCY = 2;

export interface RealtimeAuditProps {
  readonly config: TrailcheckConfig;
  /** The alert topic: the dead-letter alarm notifies it. */
  readonly topic: sns.ITopic;
  /** The alert topics' key: the event function publishes through SNS, as the scheduled one does. */
  readonly key: kms.Key;
  /** The scheduled function's environment and asset files: the event function runs the same pipeline. */
  readonly environment: Record<string, string>;
  readonly assetFiles: Record<string, string>;
  /** Validation plugins (cdk-nag) for the member template, synthesized on its own. */
  readonly memberTemplatePlugins?: (app: App) => IPolicyValidationPlugin[];
}

export class RealtimeAudit extends Construct {
  readonly bus: events.EventBus;
  /** The bus's resource policy (AWS::Events::EventBusPolicy). */
  busPolicy?: IDependable;
  readonly rule: events.CfnRule;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly functionRole: iam.Role;
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The forwarding rules' StackSet (undefined when memberRoles is false: no targets). */
  readonly stackSet?: CfnStackSet;
  readonly memberTemplate?: Record<string, unknown>;
  /** Management mode: the audit stack's own region forwards too. */
  readonly localForwarder?: EventForwarder;

  constructor(scope: Construct, id: string, props: RealtimeAuditProps) {
    super(scope, id);
    const { config } = props;

    this.functionRole = new iam.Role(this, 'FunctionRole', {
      roleName: REALTIME_NAMES.functionRole,
      description: 'trailcheck event function: re-audits the account a CloudTrail or Organizations event is about, with the permissions of the scheduled audit',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    this.bus = this.createBus(config);
    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = this.createQueues(config));
    this.rule = this.createRule();

    const fn = new HouseNodejsFunction(this, 'EventAudit', {
      entry: EVENT_HANDLER_ENTRY,
      handler: 'handler',
      functionName: REALTIME_NAMES.function,
      description: 'trailcheck: re-audits an account when its trails change or it joins the organization',
      memorySize: config.memoryMb,
      timeout: Duration.minutes(config.timeoutMinutes),
      role: this.functionRole,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      environment: { ...props.environment, ...realtimeEnvironment(config) },
      assetFiles: props.assetFiles,
    });
    this.function = fn.function;
    this.logGroup = fn.logGroup;
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        // A burst (an apply touching a trail five times) arrives as one batch, coalesced by the handler.
        batchSize: config.realtimeDelaySeconds > 0 ? BATCH_SIZE : 10,
        maxBatchingWindow: config.realtimeDelaySeconds > 0 ? Duration.seconds(config.realtimeDelaySeconds) : undefined,
        reportBatchItemFailures: true,
        maxConcurrency: MAX_CONCURRENCY,
      }),
    );
    this.addPermissions(config, props.key);
    this.deadLetterAlarm = this.createAlarm(props.topic);

    if (config.mode === 'management' && (config.region === undefined || config.realtimeRegions.includes(config.region))) {
      // StackSets never deploy to the management account: its own region's rule is here.
      this.localForwarder = cloudTrailForwarder(this, this.bus.eventBusArn);
    }
    if (config.memberRoles) {
      this.memberTemplate = standaloneTemplate((app) => new MemberEventsStack(app, 'TrailcheckMemberEvents'), { context: this.node.getAllContext(), plugins: props.memberTemplatePlugins });
      this.stackSet = this.createStackSet(config, this.memberTemplate);
    } else {
      Annotations.of(this).addWarningV2(
        'trailcheck:realtimeWithoutMemberRoles',
        `trailcheck.memberRoles is false: no StackSet deploys the forwarding rule ${REALTIME_NAMES.forwardRule} to the member accounts, so their trail changes are only seen by the scheduled audit. Deploy the rule with your roles (docs/deploy.md "Real-time re-audit"), or set trailcheck.realtime to false.`,
      );
    }

    new CfnOutput(scope, 'EventBusArn', { value: this.bus.eventBusArn, description: 'The central bus the forwarding rules send to' });
    new CfnOutput(scope, 'EventQueueUrl', { value: this.queue.queueUrl });
    new CfnOutput(scope, 'EventFunctionName', { value: this.function.functionName, description: 'The event function logs: aws logs tail /aws/lambda/<this> … (its log group: the stack resource)' });
  }

  /** The central bus: PutEvents from principals of the organization only (the forwarding rules' roles). */
  private createBus(config: TrailcheckConfig): events.EventBus {
    const bus = new events.EventBus(this, 'Bus', { eventBusName: REALTIME_NAMES.bus, description: 'trailcheck: CloudTrail and Organizations changes forwarded from every account of the organization' });
    this.busPolicy = bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PutEventsFromTheOrganization',
        principals: [new iam.StarPrincipal()],
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': config.organizationId as string } },
      }),
    ).policyDependable;
    return bus;
  }

  private createQueues(config: TrailcheckConfig): { queue: sqs.Queue; deadLetterQueue: sqs.Queue } {
    const deadLetterQueue = new sqs.Queue(this, 'Failed', {
      queueName: REALTIME_NAMES.deadLetterQueue,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const queue = new sqs.Queue(this, 'Events', {
      queueName: REALTIME_NAMES.queue,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the function's timeout (AWS's advice for an SQS event source: room for retries
      // while throttled), plus the batching window a record may wait before the invocation.
      visibilityTimeout: Duration.seconds(6 * config.timeoutMinutes * 60 + config.realtimeDelaySeconds),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: MAX_RECEIVES },
    });
    return { queue, deadLetterQueue };
  }

  /** The forwarded events, and nothing else an organization principal may put on the bus, to the queue. */
  private createRule(): events.CfnRule {
    const rule = new events.CfnRule(this, 'ToQueue', {
      name: REALTIME_NAMES.centralRule,
      description: 'trailcheck: forwarded CloudTrail and Organizations changes to the event function\'s queue',
      eventBusName: this.bus.eventBusName,
      state: 'ENABLED',
      eventPattern: centralPattern(),
      targets: [{ id: 'EventQueue', arn: this.queue.queueArn, deadLetterConfig: { arn: this.deadLetterQueue.queueArn } }],
    });
    for (const q of [this.queue, this.deadLetterQueue]) {
      q.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CentralRuleSends',
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [q.queueArn],
          conditions: { ArnEquals: { 'aws:SourceArn': rule.attrArn } },
        }),
      );
    }
    return rule;
  }

  /**
   * Beyond the scheduled function's permissions (AuditStack grants them to this role too) and the
   * queue's consume permissions (the event source grants them): DescribeAccount, for the one
   * account an event is about, and the alert key through SNS.
   */
  private addPermissions(config: TrailcheckConfig, key: kms.Key): void {
    this.functionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeEventAccount',
        actions: ['organizations:DescribeAccount'],
        resources: [`arn:${Aws.PARTITION}:organizations::*:account/${config.organizationId ?? '*'}/*`],
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventFunctionPublishesThroughSns',
        principals: [new iam.ArnPrincipal(this.functionRole.roleArn)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
      }),
    );
  }

  private createAlarm(topic: sns.ITopic): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, 'FailedEvents', {
      alarmName: REALTIME_NAMES.alarmDeadLetters,
      alarmDescription: `Events the real-time audit could not handle are waiting in the SQS queue ${REALTIME_NAMES.deadLetterQueue} (failed ${MAX_RECEIVES} times, or undeliverable from the central rule); those accounts wait for the scheduled audit. The function's logs: ${REALTIME_NAMES.function}.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new cwActions.SnsAction(topic));
    return alarm;
  }

  private createStackSet(config: TrailcheckConfig, template: Record<string, unknown>): CfnStackSet {
    const stackSet = new CfnStackSet(this, 'MemberEvents', {
      stackSetName: REALTIME_NAMES.stackSet,
      description: `trailcheck: the rule ${REALTIME_NAMES.forwardRule} in every account and region, forwarding CloudTrail changes to the central bus`,
      permissionModel: 'SERVICE_MANAGED',
      callAs: config.mode === 'management' ? 'SELF' : 'DELEGATED_ADMIN',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      // The forwarding role's name is generated: one per stack instance, each region its own.
      capabilities: ['CAPABILITY_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        // As the member roles' StackSet: every account and region at once, and an instance that
        // cannot be created (an SCP, a region the account has not enabled) never fails the operation.
        regionConcurrencyType: 'PARALLEL',
        maxConcurrentPercentage: 100,
        failureTolerancePercentage: 100,
        concurrencyMode: 'SOFT_FAILURE_TOLERANCE',
      },
      parameters: [{ parameterKey: BUS_ARN_PARAMETER, parameterValue: this.bus.eventBusArn }],
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: config.memberRoleTargets }, regions: config.realtimeRegions }],
      templateBody: JSON.stringify(template),
    });
    // The bus accepts the organization's events before any rule sends them.
    if (this.busPolicy) stackSet.node.addDependency(this.busPolicy);
    return stackSet;
  }
}

/** The event function's own variables (lambda/settings.ts REALTIME_SETTINGS), at their defaults unless deployed. */
export function realtimeEnvironment(config: TrailcheckConfig): Record<string, string> {
  return environment(REALTIME_SETTINGS, { ...defaultsOf(REALTIME_SETTINGS), ...deployedValues(REALTIME_SETTINGS, config) });
}

export const REALTIME_STACK_PREFIX = 'TrailcheckManagementEvents-';
export const ORG_EVENTS_STACK = 'TrailcheckOrgEvents';

export interface RealtimeManagementStacks {
  /** The management account's trail-change rules, one stack per region not already covered by the audit stack. */
  readonly regions: ForwarderStack[];
  /** The management account's Organizations rule, in us-east-1. */
  readonly organizations?: ForwarderStack;
}

/**
 * The management account's rules (StackSets never deploy there), as stacks to deploy there: they
 * name the central bus by its ARN, so they need the audit stack's region (`region`) and, in
 * delegatedAdmin mode, its account (`auditAccountId`). Without them: none, and a warning.
 */
export function realtimeManagementStacks(app: App, config: TrailcheckConfig, audit: Stack): RealtimeManagementStacks {
  if (!config.realtime) return { regions: [] };
  const account = config.mode === 'management' ? (config.auditAccountId ?? config.managementAccountId) : config.auditAccountId;
  const missing = [config.region ? undefined : 'trailcheck.region', config.mode === 'delegatedAdmin' && !account ? 'trailcheck.auditAccountId' : undefined].filter(Boolean);
  if (missing.length > 0 || config.region === undefined) {
    Annotations.of(audit).addWarningV2(
      'trailcheck:realtimeManagementAccount',
      `${missing.join(' and ')} not set: the management account's stacks for the real-time audit (its trail changes${config.mode === 'management' ? ' outside the audit region' : ''}, and the Organizations events of new accounts in ${ORGANIZATIONS_EVENTS_REGION}) need the central bus's ARN, so they are not synthesized and new accounts wait for the scheduled audit. Set ${missing.join(' and ')} (docs/deploy.md "Real-time re-audit").`,
    );
    return { regions: [] };
  }
  // Management mode: the audit stack is in the management account; unpinned, its account is the deploying one.
  const busArn = centralBusArn({ partition: Aws.PARTITION, region: config.region, account: account ?? Aws.ACCOUNT_ID });
  const envAccount = config.mode === 'management' ? account : config.managementAccountId;
  const regions = config.realtimeRegions
    .filter((r) => config.mode === 'delegatedAdmin' || r !== config.region)
    .map((region) => new ForwarderStack(app, `${REALTIME_STACK_PREFIX}${region}`, { env: { account: envAccount, region }, busArn, cloudTrail: true, organizations: false }));
  const organizations = new ForwarderStack(app, ORG_EVENTS_STACK, { env: { account: envAccount, region: ORGANIZATIONS_EVENTS_REGION }, busArn, cloudTrail: false, organizations: true });
  return { regions, organizations };
}
