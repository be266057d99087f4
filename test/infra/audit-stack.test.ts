/**
 * The audit stack's template: schedule, function, topic, subscriptions, alarms, queue, StackSet,
 * and the exact IAM actions of every principal (a new action or a wildcard fails a test).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { KEY_ADMIN_ACTIONS, NAMES } from '../../lib/audit-stack';
import { allStatements, asArray, logicalIdOf, roleActions, synth, type Synthesized } from './helpers';

const FUNCTION_ROLE_ACTIONS = [
  'cloudtrail:DescribeTrails',
  'cloudtrail:GetEventSelectors',
  'cloudtrail:GetTrailStatus',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'organizations:DescribeOrganizationalUnit',
  'organizations:ListAccounts',
  'organizations:ListParents',
  's3:DeleteObject',
  's3:GetObject',
  's3:PutObject',
  'sns:Publish',
  'sqs:SendMessage',
  'sts:AssumeRole',
];
const OU_FILTER_ACTIONS = ['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent'];
const SCHEDULER_ROLE_ACTIONS = ['lambda:InvokeFunction', 'sqs:SendMessage'];

/** Every action any principal is allowed in the stack, by kind of policy. */
const ALLOWED_ACTIONS = {
  'AWS::IAM::Policy': [...new Set([...FUNCTION_ROLE_ACTIONS, ...SCHEDULER_ROLE_ACTIONS])].sort(),
  'AWS::IAM::Role': ['sts:AssumeRole'], // trust policies: lambda.amazonaws.com, scheduler.amazonaws.com
  'AWS::KMS::Key': [...KEY_ADMIN_ACTIONS, 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKey*'].sort(),
  'AWS::SNS::TopicPolicy': ['sns:Publish'],
};

function allowedActionsByType(template: Record<string, any>): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const { type, statement } of allStatements(template)) {
    if (statement.Effect !== 'Allow') continue;
    expect(statement).not.toHaveProperty('NotAction');
    for (const a of asArray(statement.Action)) (out[type] ??= new Set()).add(a);
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

describe('audit stack, management mode (defaults)', () => {
  let s: Synthesized;
  let fnId: string;
  let roleId: string;
  let topicId: string;
  let queueId: string;
  let keyId: string;
  beforeAll(() => {
    s = synth();
    fnId = logicalIdOf(s.auditJson, 'AWS::Lambda::Function');
    roleId = logicalIdOf(s.auditJson, 'AWS::IAM::Role', (p) => p.RoleName === 'TrailcheckAuditFunctionRole');
    topicId = logicalIdOf(s.auditJson, 'AWS::SNS::Topic');
    queueId = logicalIdOf(s.auditJson, 'AWS::SQS::Queue');
    keyId = logicalIdOf(s.auditJson, 'AWS::KMS::Key');
  });

  it('has the expected resources, no more', () => {
    const counts: Record<string, number> = {};
    for (const r of Object.values<any>(s.auditJson.Resources)) if (r.Type !== 'AWS::CDK::Metadata') counts[r.Type] = (counts[r.Type] ?? 0) + 1;
    expect(counts).toEqual({
      'AWS::IAM::Role': 2,
      'AWS::IAM::Policy': 2,
      'AWS::KMS::Key': 1,
      'AWS::KMS::Alias': 1,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::SNS::Subscription': 2,
      'AWS::SQS::Queue': 1,
      'AWS::SQS::QueuePolicy': 1,
      'AWS::Logs::LogGroup': 1,
      'AWS::Lambda::Function': 1,
      'AWS::Lambda::EventInvokeConfig': 1,
      'AWS::Scheduler::Schedule': 1,
      // errors, the heartbeat's two, failed runs, the ERROR share (lib/dashboard.ts)
      'AWS::CloudWatch::Alarm': 5,
      'AWS::CloudWatch::CompositeAlarm': 1,
      'AWS::CloudWatch::Dashboard': 1,
      'AWS::Events::Rule': 1,
      'AWS::Lambda::Permission': 1,
      'AWS::CloudFormation::StackSet': 1,
      'AWS::S3::Bucket': 1,
      'AWS::S3::BucketPolicy': 1,
    });
  });

  it('schedules the function daily with Scheduler, in the configured time zone, with bounded retries and a DLQ', () => {
    s.audit.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: NAMES.schedule,
      ScheduleExpression: 'cron(0 6 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      },
    });
    const input = JSON.parse(s.audit.findResources('AWS::Scheduler::Schedule')[logicalIdOf(s.auditJson, 'AWS::Scheduler::Schedule')].Properties.Target.Input);
    expect(input).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'trailcheck.schedule', time: '<aws.scheduler.scheduled-time>' });
  });

  it('runs the function on the current Node.js runtime, arm64, sized for a large organization', () => {
    s.audit.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: NAMES.function,
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 900,
      Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN', LogGroup: { Ref: logicalIdOf(s.auditJson, 'AWS::Logs::LogGroup') } },
    });
    s.audit.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it('reserves no concurrency by default (a quota of 10 cannot spare one): the run lock keeps runs apart', () => {
    expect(s.auditJson.Resources[fnId].Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(s.auditJson.Resources[fnId].Properties.Environment.Variables.TRAILCHECK_RUN_LOCK_KEY).toBe('trailcheck/run-lock.json');
  });

  it('lets the function take, read, take over and release exactly the lock key, nothing more', () => {
    const policy = Object.values<any>(s.audit.findResources('AWS::IAM::Policy')).find((p) => p.Properties.Roles[0].Ref === roleId);
    const lock = (policy.Properties.PolicyDocument.Statement as any[]).find((st) => st.Sid === 'RunLock');
    expect(lock).toEqual({
      Sid: 'RunLock',
      Effect: 'Allow',
      Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(s.auditJson, 'AWS::S3::Bucket'), 'Arn'] }, '/trailcheck/run-lock.json']] },
    });
    // DeleteObject on nothing else: the reports and the pointer are never deleted.
    const deletes = (policy.Properties.PolicyDocument.Statement as any[]).filter((st) => asArray(st.Action).includes('s3:DeleteObject'));
    expect(deletes.map((st) => st.Sid)).toEqual(['RunLock']);
  });

  it('sets exactly the environment the handler reads', () => {
    const fn = s.auditJson.Resources[fnId].Properties;
    expect(fn.Environment.Variables).toEqual({
      TRAILCHECK_REGION: { Ref: 'AWS::Region' },
      TRAILCHECK_ROLE_NAME: 'TrailcheckAuditRole',
      TRAILCHECK_TOPIC_ARN: { Ref: topicId },
      TRAILCHECK_STRICT: 'false',
      TRAILCHECK_PUBLISH_ON_PASS: 'false',
      TRAILCHECK_REQUIRE_ORGANIZATION: 'true',
      TRAILCHECK_ALERT_MODE: 'changes',
      TRAILCHECK_REMINDER_DAYS: '7',
      TRAILCHECK_REPORT_BUCKET: { Ref: logicalIdOf(s.auditJson, 'AWS::S3::Bucket') },
      TRAILCHECK_REPORT_PREFIX: 'trailcheck/',
      TRAILCHECK_CHATBOT_FORMAT: 'false',
      TRAILCHECK_RUN_LOCK_KEY: 'trailcheck/run-lock.json',
    });
  });

  it('invokes asynchronously with one retry and the failure queue as on-failure destination', () => {
    s.audit.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('keeps failed runs in an encrypted, TLS-only queue', () => {
    s.audit.hasResourceProperties('AWS::SQS::Queue', { QueueName: NAMES.failureQueue, SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    s.audit.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: [{ Effect: 'Deny', Action: 'sqs:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }],
      },
    });
  });

  it('encrypts the topic with a rotating customer-managed key', () => {
    s.audit.hasResourceProperties('AWS::SNS::Topic', { TopicName: NAMES.topic, KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    s.audit.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    s.audit.hasResourceProperties('AWS::KMS::Alias', { AliasName: NAMES.keyAlias });
  });

  it("lets exactly the topic's publishers use the key", () => {
    const statements = s.auditJson.Resources[keyId].Properties.KeyPolicy.Statement as any[];
    expect(statements.map((st) => st.Sid)).toEqual(['KeyAdministrationByTheAccount', 'AuditFunctionPublishesThroughSns', 'CloudWatchAlarmsPublish']);
    const [admin, fn, cw] = statements;
    expect(admin.Action).toEqual(KEY_ADMIN_ACTIONS);
    expect(admin.Action.filter((a: string) => /Decrypt|Encrypt|GenerateDataKey|CreateGrant/.test(a))).toEqual([]);
    expect(fn).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': [roleId, 'Arn'] } },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } } },
    });
    expect(cw).toEqual({
      Sid: 'CloudWatchAlarmsPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      // This account's alarms only.
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']] } },
      },
    });
    // kms:ListAliases is not a key-resource action: in a key policy it does nothing.
    expect(statements.flatMap((st) => st.Action)).not.toContain('kms:ListAliases');
    expect(KEY_ADMIN_ACTIONS).not.toContain('kms:ListAliases');
  });

  it('accepts only TLS publishes on the topic, and alarms from this account', () => {
    s.audit.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: [
          { Sid: 'AllowPublishThroughSSLOnly', Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
          {
            Sid: 'AllowCloudWatchAlarms',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': Match.anyValue() } },
          },
        ],
      },
    });
  });

  it('subscribes the configured emails', () => {
    const subs = Object.values<any>(s.audit.findResources('AWS::SNS::Subscription')).map((r) => r.Properties);
    expect(subs).toEqual([
      { Protocol: 'email', Endpoint: 'secops@example.com', TopicArn: { Ref: topicId } },
      { Protocol: 'email', Endpoint: 'platform-team@example.org', TopicArn: { Ref: topicId } },
    ]);
  });

  it('alarms to the topic when the function errors', () => {
    s.audit.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: NAMES.alarmErrors,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
  });

  it('alarms to the topic when no run succeeded within the heartbeat window (missing data breaches), once the function has run at all', () => {
    const alarms = s.audit.findResources('AWS::CloudWatch::Alarm');
    const idOf = (name: string) => Object.entries<any>(alarms).find(([, r]) => r.Properties.AlarmName === name)?.[0] as string;
    const windowId = idOf(NAMES.alarmHeartbeatWindow);
    const invokedId = idOf(NAMES.alarmNotInvoked);
    // The notifying alarm: ALARM(window) AND OK(invoked), so nothing fires before the first run.
    const composites = Object.values<any>(s.audit.findResources('AWS::CloudWatch::CompositeAlarm')).map((r) => r.Properties);
    expect(composites).toEqual([
      {
        AlarmName: NAMES.alarmHeartbeat,
        AlarmDescription: expect.stringContaining('No trailcheck audit succeeded in the last 26 hours'),
        AlarmActions: [{ Ref: topicId }],
        AlarmRule: { 'Fn::Join': ['', ['(ALARM("', { 'Fn::GetAtt': [windowId, 'Arn'] }, '") AND OK("', { 'Fn::GetAtt': [invokedId, 'Arn'] }, '"))']] },
      },
    ]);
    // Not invoked in the last 7 days (and right after deployment: not yet): no data breaches.
    expect(alarms[invokedId].Properties).toEqual({
      AlarmName: NAMES.alarmNotInvoked,
      AlarmDescription: expect.any(String),
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 168,
      DatapointsToAlarm: 168,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    // The two parts have no actions of their own: the composite notifies, once.
    expect(alarms[windowId].Properties.AlarmActions).toBeUndefined();
    expect(alarms[invokedId].Properties.AlarmActions).toBeUndefined();
    s.audit.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: NAMES.alarmHeartbeatWindow,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 26,
      DatapointsToAlarm: 26,
      TreatMissingData: 'breaching',
      Metrics: [
        { Id: 'expr_1', Expression: 'invocations - FILL(errors, 0)', ReturnData: true },
        { Id: 'invocations', MetricStat: { Metric: { MetricName: 'Invocations', Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }] }, Period: 3600, Stat: 'Sum' }, ReturnData: false },
        { Id: 'errors', MetricStat: { Metric: { MetricName: 'Errors', Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }] }, Period: 3600, Stat: 'Sum' }, ReturnData: false },
      ],
    });
  });

  it('alarms to the topic when messages wait on the failure queue', () => {
    s.audit.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: NAMES.alarmFailedRuns,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
  });

  it('gives the function role exactly the actions the code calls', () => {
    expect(roleActions(s.auditJson, roleId)).toEqual(FUNCTION_ROLE_ACTIONS);
    s.audit.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'TrailcheckAuditFunctionRole',
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }] },
    });
    expect(s.auditJson.Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('scopes each function-role action to its resource', () => {
    const policy = Object.values<any>(s.audit.findResources('AWS::IAM::Policy')).find((p) => p.Properties.Roles[0].Ref === roleId);
    const bySid = Object.fromEntries((policy.Properties.PolicyDocument.Statement as any[]).map((st) => [st.Sid, st]));
    expect(bySid.AssumeAuditRole).toEqual({
      Sid: 'AssumeAuditRole',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/TrailcheckAuditRole']] },
    });
    expect(bySid.PublishAlerts).toMatchObject({ Action: 'sns:Publish', Resource: { Ref: topicId } });
    expect(bySid.SendFailedRuns).toMatchObject({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    expect(bySid.WriteLogs).toMatchObject({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logicalIdOf(s.auditJson, 'AWS::Logs::LogGroup'), 'Arn'] } });
    expect(bySid.ListOrganizationAccounts).toMatchObject({ Action: 'organizations:ListAccounts', Resource: '*' });
    expect(bySid.ReadAccountOus).toMatchObject({
      Action: ['organizations:DescribeOrganizationalUnit', 'organizations:ListParents'],
      Resource: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':organizations::*:account/o-a1b2c3d4e5/*']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':organizations::*:ou/o-a1b2c3d4e5/ou-*']] },
      ],
    });
    expect(bySid.ListTrails).toMatchObject({ Action: 'cloudtrail:DescribeTrails', Resource: '*' });
    expect(bySid.ReadTrailStatusAndSelectors).toMatchObject({
      Action: ['cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:*:*:trail/*']] },
    });
  });

  it('gives the scheduler role only InvokeFunction on the function and SendMessage on the DLQ', () => {
    const schedulerRole = logicalIdOf(s.auditJson, 'AWS::IAM::Role', (p) => p.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'scheduler.amazonaws.com');
    expect(roleActions(s.auditJson, schedulerRole)).toEqual(SCHEDULER_ROLE_ACTIONS);
  });

  it('allows no action beyond the known list, and no wildcard action, anywhere', () => {
    expect(allowedActionsByType(s.auditJson)).toEqual(ALLOWED_ACTIONS);
    for (const { statement } of allStatements(s.auditJson)) {
      for (const a of asArray(statement.Action)) {
        if (a === '*' || a.endsWith(':*')) {
          // Only the TLS-only denies (queue, bucket: no TLS, or TLS older than 1.2) may name every action.
          expect([{ Bool: { 'aws:SecureTransport': 'false' } }, { NumericLessThan: { 's3:TlsVersion': 1.2 } }]).toContainEqual(statement.Condition);
          expect(statement.Effect).toBe('Deny');
        }
      }
    }
  });

  it('deploys the member roles with a service-managed, auto-deploying StackSet', () => {
    s.audit.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: NAMES.stackSet,
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      ManagedExecution: { Active: true },
      OperationPreferences: { RegionConcurrencyType: 'PARALLEL', MaxConcurrentPercentage: 100, FailureTolerancePercentage: 100, ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE' },
      Parameters: [{ ParameterKey: 'AuditAccountId', ParameterValue: { Ref: 'AWS::AccountId' } }],
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['r-a1b2'] }, Regions: [{ Ref: 'AWS::Region' }] }],
    });
    // Exactly these preferences: a FailureToleranceCount beside the percentage, or a RegionOrder, would change what fails the operation.
    expect(Object.keys(s.auditJson.Resources.MemberRoles.Properties.OperationPreferences).sort()).toEqual(['ConcurrencyMode', 'FailureTolerancePercentage', 'MaxConcurrentPercentage', 'RegionConcurrencyType']);
    const body = s.auditJson.Resources.MemberRoles.Properties.TemplateBody;
    expect(JSON.parse(body)).toEqual(s.stacks.audit.memberTemplate);
    expect(Buffer.byteLength(body)).toBeLessThan(51_200); // CloudFormation's TemplateBody limit
  });

  it('tolerates a failed stack instance in every account of a region, whatever its size, so one account never rolls back the deploy', () => {
    const prefs = s.auditJson.Resources.MemberRoles.Properties.OperationPreferences;
    // CloudFormation rounds the tolerated count down: floor(n × percentage / 100) must be n for every n.
    for (const accounts of [1, 2, 9, 10, 11, 99, 1000]) expect(Math.floor((accounts * prefs.FailureTolerancePercentage) / 100)).toBe(accounts);
    expect(prefs.FailureToleranceCount).toBeUndefined();
  });

  it('runs the first audit by itself once the stack, member roles included, is created: asynchronously, never failing the deployment', () => {
    const rules = Object.values<any>(s.audit.findResources('AWS::Events::Rule')).map((r) => r.Properties);
    expect(rules).toEqual([
      {
        Name: NAMES.firstRunRule,
        Description: expect.any(String),
        State: 'ENABLED',
        // This stack's own creation completing, nothing else (not an update, not another stack).
        EventPattern: {
          source: ['aws.cloudformation'],
          'detail-type': ['CloudFormation Stack Status Change'],
          detail: { 'stack-id': [{ Ref: 'AWS::StackId' }], 'status-details': { status: ['CREATE_COMPLETE'] } },
        },
        Targets: [
          {
            Id: 'Target0',
            // The function itself ($LATEST, unqualified): its retries and failure queue apply.
            Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
            Input: JSON.stringify({ 'detail-type': 'First run after deployment', source: 'trailcheck.deploy' }),
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          },
        ],
      },
    ]);
    const ruleId = logicalIdOf(s.auditJson, 'AWS::Events::Rule');
    // A resource-based permission for that rule only; no role, no custom resource, no function version.
    expect(Object.values<any>(s.audit.findResources('AWS::Lambda::Permission')).map((r) => r.Properties)).toEqual([
      { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] } },
    ]);
    for (const type of ['AWS::CloudFormation::CustomResource', 'Custom::Trigger', 'AWS::Lambda::Version']) s.audit.resourceCountIs(type, 0);
    // The rule is in place before the member roles are created (minutes before CREATE_COMPLETE).
    expect(s.auditJson.Resources.MemberRoles.DependsOn).toEqual(expect.arrayContaining([ruleId]));
  });

  it('outputs what the runbook needs', () => {
    expect(Object.keys(s.auditJson.Outputs).sort()).toEqual(['FailedRunsQueueUrl', 'FunctionName', 'FunctionRoleArn', 'LogGroupName', 'ReportBucketName', 'TopicArn']);
  });
});

describe('audit stack, delegatedAdmin mode with OU filter, ExternalId and tuning', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth({
      mode: 'delegatedAdmin',
      auditAccountId: '222222222222',
      managementAccountId: '111111111111',
      region: 'eu-west-1',
      memberRoleTargets: ['ou-a1b2-cd34ef56', 'ou-a1b2-gh78ij90'],
      externalId: 'trailcheck-ext-1',
      ous: ['ou-a1b2-cd34ef56'],
      accounts: ['333333333333', '444444444444'],
      excludeAccounts: ['555555555555'],
      strict: true,
      publishOnPass: true,
      concurrency: 32,
      maxAttempts: 4,
      callTimeoutMs: 8000,
      assumeRolePerSecond: 25,
      schedule: 'rate(12 hours)',
      timeZone: 'Europe/Paris',
      memoryMb: 2048,
      timeoutMinutes: 10,
      retryAttempts: 0,
      logRetentionDays: 90,
    });
  });

  it('creates the StackSet as the delegated administrator, targeting the listed OUs in the pinned region', () => {
    s.audit.hasResourceProperties('AWS::CloudFormation::StackSet', {
      CallAs: 'DELEGATED_ADMIN',
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-a1b2-cd34ef56', 'ou-a1b2-gh78ij90'] }, Regions: ['eu-west-1'] }],
    });
  });

  it('pins the stack environments', () => {
    expect(s.stacks.audit.account).toBe('222222222222');
    expect(s.stacks.audit.region).toBe('eu-west-1');
    expect(s.stacks.managementRole?.account).toBe('111111111111');
  });

  it('adds the OU-filter actions to the function role, nothing else', () => {
    const roleId = logicalIdOf(s.auditJson, 'AWS::IAM::Role', (p) => p.RoleName === 'TrailcheckAuditFunctionRole');
    expect(roleActions(s.auditJson, roleId)).toEqual([...FUNCTION_ROLE_ACTIONS, ...OU_FILTER_ACTIONS].sort());
  });

  it('passes every audit setting to the function', () => {
    const fn = Object.values<any>(s.audit.findResources('AWS::Lambda::Function'))[0].Properties;
    expect(fn.Environment.Variables).toMatchObject({
      TRAILCHECK_REGION: 'eu-west-1',
      TRAILCHECK_EXTERNAL_ID: 'trailcheck-ext-1',
      TRAILCHECK_OUS: 'ou-a1b2-cd34ef56',
      TRAILCHECK_ACCOUNTS: '333333333333,444444444444',
      TRAILCHECK_EXCLUDE_ACCOUNTS: '555555555555',
      TRAILCHECK_STRICT: 'true',
      TRAILCHECK_PUBLISH_ON_PASS: 'true',
      TRAILCHECK_CONCURRENCY: '32',
      TRAILCHECK_MAX_ATTEMPTS: '4',
      TRAILCHECK_CALL_TIMEOUT_MS: '8000',
      TRAILCHECK_ASSUME_ROLE_PER_SECOND: '25',
    });
    expect(fn).toMatchObject({ MemorySize: 2048, Timeout: 600 });
    s.audit.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    s.audit.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });

  it('uses the configured schedule, time zone and heartbeat window', () => {
    s.audit.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(12 hours)', ScheduleExpressionTimezone: 'Europe/Paris' });
    s.audit.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: NAMES.alarmHeartbeatWindow, EvaluationPeriods: 14, DatapointsToAlarm: 14 });
  });

  it('requires the ExternalId in the member template', () => {
    s.member?.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5', 'sts:ExternalId': 'trailcheck-ext-1' } } }] },
    });
  });
});

describe('audit stack without member roles and without reserved concurrency', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth({ memberRoles: false, reservedConcurrency: false, memberRoleTargets: undefined, organizationId: undefined }, { nag: true });
  });

  it('creates no StackSet (users who already have the role)', () => {
    s.audit.resourceCountIs('AWS::CloudFormation::StackSet', 0);
    expect(s.member).toBeUndefined();
    expect(s.managementRole).toBeUndefined();
  });

  it('does not reserve concurrency (accounts with a low concurrency quota)', () => {
    const fn = Object.values<any>(s.audit.findResources('AWS::Lambda::Function'))[0].Properties;
    expect(fn.ReservedConcurrentExecutions).toBeUndefined();
  });
});

describe('audit stack with reservedConcurrency: true', () => {
  it('reserves one concurrent execution, and keeps the run lock', () => {
    const s = synth({ reservedConcurrency: true }, { nag: false });
    const fn = Object.values<any>(s.audit.findResources('AWS::Lambda::Function'))[0].Properties;
    expect(fn.ReservedConcurrentExecutions).toBe(1);
    expect(fn.Environment.Variables.TRAILCHECK_RUN_LOCK_KEY).toBe('trailcheck/run-lock.json');
  });
});
