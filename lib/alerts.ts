/**
 * Where alerts and reports go, besides the topic's email subscriptions:
 * - the report archive bucket (every run's report, and the state the next run compares with);
 * - AWS Chatbot (Amazon Q Developer in chat applications) posting the topic to a Slack channel;
 * - the Slack incoming-webhook forwarder, its secret, its failure queue and alarm.
 * Each channel exists only when configured.
 */
import { FORWARDER_ENV } from '../lambda/env';
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TrailcheckConfig } from './config';
import { HouseNodejsFunction } from './function-defaults';
import { REPORT_PREFIX, RUN_LOCK_KEY } from './function-env';
import type { RouteTopic } from './route-topics';

export const ALERT_NAMES = {
  chatbotConfiguration: 'trailcheck-alerts',
  forwarder: 'trailcheck-slack-forwarder',
  forwarderRole: 'TrailcheckSlackForwarderRole',
  webhookSecret: 'trailcheck/slack-webhook',
  slackFailures: 'trailcheck-slack-failed',
  alarmSlackFailures: 'trailcheck-slack-delivery-failed',
} as const;

/** The forwarder's secret variable (lambda/env.ts). */
export const FORWARDER_SECRET_ENV = FORWARDER_ENV.secretId;

/** How long SNS deliveries to the forwarder may wait (Lambda asynchronous retries) before they count as failed. */
const FORWARDER_MAX_EVENT_AGE = Duration.hours(6);

export class ReportArchiveBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: { retentionDays: number }) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // The reports are audit evidence: they outlive the stack (docs/deploy.md, teardown).
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'ExpireOldReports',
          // Only the reports: the latest-report pointer must not expire while runs continue.
          prefix: `${REPORT_PREFIX}reports/`,
          expiration: Duration.days(props.retentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Server access logs would need a second bucket (itself unlogged) for objects only the audit function reads and writes; access to the reports is recorded by CloudTrail (S3 data events, where the organization trail records them).',
    });
  }

  /** Read and write the archive under its prefix: what lambda/aws/archive.ts calls. */
  grantArchive(role: iam.Role): iam.PolicyStatement {
    const statement = new iam.PolicyStatement({ sid: 'ArchiveReports', actions: ['s3:GetObject', 's3:PutObject'], resources: [this.bucket.arnForObjects(`${REPORT_PREFIX}*`)] });
    role.addToPrincipalPolicy(statement);
    return statement;
  }

  /**
   * The run lock (lambda/aws/run-lock.ts), on its one key: PutObject to take it (If-None-Match),
   * GetObject to read its holder (and, with PutObject, for the If-Match takeover), DeleteObject with
   * GetObject to release it (If-Match). Stated on its own, not left to the archive prefix's grant.
   */
  grantRunLock(role: iam.Role): iam.PolicyStatement {
    const statement = new iam.PolicyStatement({ sid: 'RunLock', actions: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], resources: [this.bucket.arnForObjects(RUN_LOCK_KEY)] });
    role.addToPrincipalPolicy(statement);
    return statement;
  }
}

export interface SlackAlertsProps {
  config: TrailcheckConfig;
  topic: sns.Topic;
  /** Alert routes (lib/route-topics.ts): the forwarder also posts those with a webhook secret to their own webhook. */
  routes?: RouteTopic[];
}

export class SlackAlerts extends Construct {
  readonly chatbot?: chatbot.SlackChannelConfiguration;
  readonly webhookSecret?: secretsmanager.Secret;
  readonly forwarder?: lambda.Function;
  readonly forwarderRole?: iam.Role;
  readonly failures?: sqs.Queue;
  readonly failuresAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SlackAlertsProps) {
    super(scope, id);
    const { config, topic } = props;
    const slackRoutes = (props.routes ?? []).filter((r) => r.route.slackWebhookSecretName);

    if (config.chatbotSlackWorkspaceId && config.chatbotSlackChannelId) {
      this.chatbot = new chatbot.SlackChannelConfiguration(this, 'Chatbot', {
        slackChannelConfigurationName: ALERT_NAMES.chatbotConfiguration,
        slackWorkspaceId: config.chatbotSlackWorkspaceId,
        slackChannelId: config.chatbotSlackChannelId,
        notificationTopics: [topic],
        loggingLevel: chatbot.LoggingLevel.ERROR,
        // Notifications only: nobody in the channel may run AWS commands through Chatbot.
        guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AWSDenyAll')],
        userRoleRequired: false,
      });
    }

    if (config.slackWebhook || slackRoutes.length > 0) {
      // Routes only: the forwarder, without the central secret (the central topic is not posted to Slack).
      if (config.slackWebhook) this.webhookSecret = this.centralWebhookSecret();

      this.failures = new sqs.Queue(this, 'Failures', {
        queueName: ALERT_NAMES.slackFailures,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(this.failures).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself the dead-letter destination of the Slack forwarder (Lambda on-failure destination) and nothing consumes it; the trailcheck-slack-delivery-failed alarm fires on any message in it.',
      });

      this.forwarderRole = new iam.Role(this, 'ForwarderRole', {
        roleName: ALERT_NAMES.forwarderRole,
        description: 'trailcheck Slack forwarder: reads the webhook secret, posts to Slack, nothing else',
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      });
      const fn = new HouseNodejsFunction(this, 'Forwarder', {
        entry: 'lambda/forwarder/handler.ts',
        handler: 'handler',
        functionName: ALERT_NAMES.forwarder,
        description: 'trailcheck: posts the alert topic to a Slack incoming webhook (Block Kit)',
        memorySize: 256,
        // The webhook retries take at most two minutes (lambda/channels/slack/webhook.ts).
        timeout: Duration.minutes(3),
        role: this.forwarderRole,
        logRetention: config.logRetentionDays as logs.RetentionDays,
        environment: {
          ...(this.webhookSecret ? { [FORWARDER_SECRET_ENV]: this.webhookSecret.secretArn } : {}),
          ...(slackRoutes.length ? { [FORWARDER_ENV.routeSecrets]: JSON.stringify(Object.fromEntries(slackRoutes.map((r) => [r.route.name, r.route.slackWebhookSecretName]))) } : {}),
        },
        retryAttempts: 2,
        maxEventAge: FORWARDER_MAX_EVENT_AGE,
        onFailure: new SendMessageDestination(this.failures, 'SendFailedDeliveries'),
      });
      this.forwarder = fn.function;
      this.forwarderRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [fn.logGroup.logGroupArn] }));
      // The central secret and each route's own (created by the team, in this account and region: Secrets Manager adds 6 characters to the name).
      const routeSecretArns = slackRoutes.map((r) => Stack.of(this).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${r.route.slackWebhookSecretName}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
      const secretArns = [...(this.webhookSecret ? [this.webhookSecret.secretArn] : []), ...new Set(routeSecretArns)];
      this.forwarderRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadWebhookUrl', actions: ['secretsmanager:GetSecretValue'], resources: secretArns }));
      if (config.slackWebhook) topic.addSubscription(new subscriptions.LambdaSubscription(this.forwarder));
      for (const r of slackRoutes) r.topic.addSubscription(new subscriptions.LambdaSubscription(this.forwarder));

      this.failuresAlarm = new cloudwatch.Alarm(this, 'FailuresWaiting', {
        alarmName: ALERT_NAMES.alarmSlackFailures,
        alarmDescription: `Alerts could not be posted to Slack (after retries) and wait in the SQS queue ${ALERT_NAMES.slackFailures}. Check the forwarder's logs (${ALERT_NAMES.forwarder}) and the webhook URL in the secret ${[...(this.webhookSecret ? [ALERT_NAMES.webhookSecret] : []), ...slackRoutes.map((r) => r.route.slackWebhookSecretName)].join(' or ')}.`,
        metric: this.failures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.failuresAlarm.addAlarmAction(new cwActions.SnsAction(topic));
    }
  }

  /** Created with a random placeholder: the URL is put in afterwards (docs/alerts.md), so it is never in the template. */
  private centralWebhookSecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'WebhookUrl', {
      secretName: ALERT_NAMES.webhookSecret,
      description: 'trailcheck: the Slack incoming webhook URL the forwarder posts alerts to (aws secretsmanager put-secret-value)',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A Slack incoming webhook URL is issued by Slack and cannot be rotated by a rotation Lambda; it is rotated by creating a new webhook in Slack and putting the new URL in this secret.',
    });
    return secret;
  }
}

/**
 * Lambda on-failure destination that grants only sqs:SendMessage (what Lambda needs), unlike
 * the library's SqsDestination, which also grants GetQueueAttributes and GetQueueUrl.
 */
export class SendMessageDestination implements lambda.IDestination {
  constructor(
    private readonly queue: sqs.IQueue,
    private readonly sid = 'SendFailedRuns',
  ) {}

  bind(_scope: Construct, fn: lambda.IFunction): lambda.DestinationConfig {
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: this.sid, actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
    return { destination: this.queue.queueArn };
  }
}
