/**
 * The alert resources: the report archive bucket (always), AWS Chatbot and the Slack webhook
 * forwarder (only when configured), their exact IAM actions, cdk-nag, and the settings that
 * configure them.
 */
import { alertConfigFromEnv, ALERT_ENV } from '../../lambda/handler';
import { ALERT_NAMES, FORWARDER_SECRET_ENV } from '../../lib/alerts';
import { NAMES } from '../../lib/audit-stack';
import { parseConfig, TrailcheckConfigError } from '../../lib/config';
import { alertEnvironment } from '../../lib/function-env';
import { allStatements, asArray, logicalIdOf, roleActions, synth, type Synthesized } from './helpers';

const CHATBOT = { chatbotSlackWorkspaceId: 'T0123ABCD', chatbotSlackChannelId: 'C0123ABCD' };
const FORWARDER_ROLE_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue', 'sqs:SendMessage'];

const auditFunctionId = (s: Synthesized) => logicalIdOf(s.auditJson, 'AWS::Lambda::Function', (p) => p.FunctionName === NAMES.function);
const auditRoleId = (s: Synthesized) => logicalIdOf(s.auditJson, 'AWS::IAM::Role', (p) => p.RoleName === 'TrailcheckAuditFunctionRole');

describe('report archive (always deployed)', () => {
  let s: Synthesized;
  let bucketId: string;
  beforeAll(() => {
    s = synth({ reportRetentionDays: 400 });
    bucketId = logicalIdOf(s.auditJson, 'AWS::S3::Bucket');
  });

  it('is encrypted, private, owner-enforced and kept when the stack is deleted', () => {
    s.audit.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      },
    });
  });

  it('expires reports (not the latest-report pointer) after reportRetentionDays', () => {
    const rules = s.auditJson.Resources[bucketId].Properties.LifecycleConfiguration.Rules;
    expect(rules).toEqual([{ Id: 'ExpireOldReports', Prefix: 'trailcheck/reports/', ExpirationInDays: 400, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }]);
  });

  it('refuses requests without TLS or with TLS older than 1.2', () => {
    const denies = allStatements(s.auditJson).filter((x) => x.type === 'AWS::S3::BucketPolicy').map((x) => x.statement);
    expect(denies.map((d) => [d.Effect, d.Action, d.Condition])).toEqual([
      ['Deny', 's3:*', { Bool: { 'aws:SecureTransport': 'false' } }],
      ['Deny', 's3:*', { NumericLessThan: { 's3:TlsVersion': 1.2 } }],
    ]);
  });

  it('lets the audit function get and put objects under the archive prefix only', () => {
    const statements = allStatements(s.auditJson).filter((x) => x.statement.Sid === 'ArchiveReports');
    expect(statements).toHaveLength(1);
    expect(statements[0].statement).toMatchObject({
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/trailcheck/*']] },
    });
    // No other principal may touch the bucket's objects.
    const s3Users = allStatements(s.auditJson).filter((x) => x.statement.Effect === 'Allow' && asArray(x.statement.Action).some((a) => a.startsWith('s3:')));
    expect(s3Users.map((x) => x.statement.Sid)).toEqual(['ArchiveReports', 'RunLock']);
    expect(s3Users[1].statement).toMatchObject({ Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/trailcheck/run-lock.json']] } });
  });

  it('deploys no Chatbot configuration, forwarder, secret or Slack queue when neither is configured', () => {
    for (const type of ['AWS::Chatbot::SlackChannelConfiguration', 'AWS::SecretsManager::Secret']) s.audit.resourceCountIs(type, 0);
    s.audit.resourceCountIs('AWS::Lambda::Function', 1);
    s.audit.resourceCountIs('AWS::SQS::Queue', 1);
    expect(s.auditJson.Resources[auditFunctionId(s)].Properties.Environment.Variables.TRAILCHECK_CHATBOT_FORMAT).toBe('false');
  });
});

describe('AWS Chatbot (chatbotSlackWorkspaceId + chatbotSlackChannelId)', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth({ ...CHATBOT, alertMode: 'every-run' });
  });

  it('creates the Slack channel configuration subscribed to the alert topic, notifications only', () => {
    const topicId = logicalIdOf(s.auditJson, 'AWS::SNS::Topic');
    s.audit.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      ConfigurationName: ALERT_NAMES.chatbotConfiguration,
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0123ABCD',
      SnsTopicArns: [{ Ref: topicId }],
      LoggingLevel: 'ERROR',
      UserRoleRequired: false,
      GuardrailPolicies: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AWSDenyAll']] }],
    });
  });

  it("gives Chatbot's channel role no permissions at all", () => {
    const cfg = Object.values<any>(s.audit.findResources('AWS::Chatbot::SlackChannelConfiguration'))[0].Properties;
    const roleId = cfg.IamRoleArn['Fn::GetAtt'][0];
    expect(s.auditJson.Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'chatbot.amazonaws.com' } }]);
    expect(roleActions(s.auditJson, roleId)).toEqual([]);
    expect(s.auditJson.Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('tells the function to add the Chatbot rendering, and passes the alert mode', () => {
    expect(s.auditJson.Resources[auditFunctionId(s)].Properties.Environment.Variables).toMatchObject({ TRAILCHECK_CHATBOT_FORMAT: 'true', TRAILCHECK_ALERT_MODE: 'every-run' });
  });

  it('stays cdk-nag clean', () => {
    expect(s.nagViolations).toEqual([]);
  });
});

describe('Slack webhook forwarder (slackWebhook: true)', () => {
  let s: Synthesized;
  let fnId: string;
  let roleId: string;
  let secretId: string;
  let queueId: string;
  beforeAll(() => {
    s = synth({ slackWebhook: true });
    fnId = logicalIdOf(s.auditJson, 'AWS::Lambda::Function', (p) => p.FunctionName === ALERT_NAMES.forwarder);
    roleId = logicalIdOf(s.auditJson, 'AWS::IAM::Role', (p) => p.RoleName === ALERT_NAMES.forwarderRole);
    secretId = logicalIdOf(s.auditJson, 'AWS::SecretsManager::Secret');
    queueId = logicalIdOf(s.auditJson, 'AWS::SQS::Queue', (p) => p.QueueName === ALERT_NAMES.slackFailures);
  });

  it('creates the secret with a generated placeholder: no webhook URL in the template', () => {
    const secret = s.auditJson.Resources[secretId].Properties;
    expect(secret).toMatchObject({ Name: ALERT_NAMES.webhookSecret, GenerateSecretString: {} });
    expect(secret.SecretString).toBeUndefined();
    // No URL of a real webhook (…/services/T…/B…/…) and no secret value anywhere in the template.
    const template = JSON.stringify(s.auditJson);
    expect({ webhookUrl: /hooks\.slack\.com\/services\/T/.test(template), secretString: template.includes('"SecretString"') }).toEqual({ webhookUrl: false, secretString: false });
  });

  it('runs the forwarder (its own entry) with only the secret id in its environment', () => {
    expect(s.auditJson.Resources[fnId].Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 180,
      Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
      Environment: { Variables: { [FORWARDER_SECRET_ENV]: { Ref: secretId } } },
    });
  });

  it('gives the forwarder exactly: its logs, GetSecretValue on the one secret, SendMessage to its failure queue', () => {
    expect(roleActions(s.auditJson, roleId)).toEqual(FORWARDER_ROLE_ACTIONS);
    const bySid = Object.fromEntries(allStatements(s.auditJson).filter((x) => x.logicalId.startsWith('SlackForwarderRole')).map((x) => [x.statement.Sid, x.statement]));
    expect(bySid.ReadWebhookUrl).toMatchObject({ Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secretId } });
    expect(bySid.SendFailedDeliveries).toMatchObject({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    // The audit function cannot read the secret.
    expect(roleActions(s.auditJson, auditRoleId(s))).not.toContain('secretsmanager:GetSecretValue');
  });

  it('subscribes the forwarder to the alert topic, SNS alone may invoke it', () => {
    const topicId = logicalIdOf(s.auditJson, 'AWS::SNS::Topic');
    s.audit.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: { Ref: topicId }, Endpoint: { 'Fn::GetAtt': [fnId, 'Arn'] } });
    s.audit.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: 'sns.amazonaws.com', SourceArn: { Ref: topicId } });
  });

  it('sends deliveries that still fail after retries to an encrypted queue, with an alarm to the topic', () => {
    s.audit.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    s.audit.hasResourceProperties('AWS::SQS::Queue', { QueueName: ALERT_NAMES.slackFailures, SqsManagedSseEnabled: true });
    s.audit.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: ALERT_NAMES.alarmSlackFailures,
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 1,
      AlarmActions: [{ Ref: logicalIdOf(s.auditJson, 'AWS::SNS::Topic') }],
    });
  });

  it('outputs the secret to put the URL in, and stays cdk-nag clean', () => {
    expect(Object.keys(s.auditJson.Outputs)).toEqual(expect.arrayContaining(['SlackWebhookSecretArn', 'SlackFailuresQueueUrl']));
    expect(s.nagViolations).toEqual([]);
  });
});

describe('alert settings', () => {
  const base = { organizationId: 'o-a1b2c3d4e5', memberRoleTargets: ['r-a1b2'] };

  it('default to changes mode, a weekly reminder, a year of reports, no Slack', () => {
    expect(parseConfig(base)).toMatchObject({ alertMode: 'changes', reminderDays: 7, reportRetentionDays: 365, slackWebhook: false, chatbotSlackWorkspaceId: undefined });
  });

  it.each([
    [{ alertMode: 'weekly' }, 'trailcheck.alertMode: expected one of "changes", "every-run", got "weekly"'],
    [{ reminderDays: 400 }, 'trailcheck.reminderDays: expected a whole number from 0 to 365, got 400'],
    [{ reportRetentionDays: 0 }, 'trailcheck.reportRetentionDays: expected a whole number from 1 to 3650, got 0'],
    [{ chatbotSlackWorkspaceId: 'workspace' }, 'trailcheck.chatbotSlackWorkspaceId: expected a Slack workspace (team) id such as T0123ABCD'],
    [{ chatbotSlackWorkspaceId: 'T0123ABCD' }, 'trailcheck.chatbotSlackChannelId: required when trailcheck.chatbotSlackWorkspaceId is set'],
    [{ chatbotSlackChannelId: 'C0123ABCD' }, 'trailcheck.chatbotSlackWorkspaceId: required when trailcheck.chatbotSlackChannelId is set'],
    [{ chatbotSlackWorkspaceId: 'T0123ABCD', chatbotSlackChannelId: '#alerts' }, 'trailcheck.chatbotSlackChannelId: expected a Slack channel id such as C0123ABCD'],
    [{ slackWebhook: 'yes' }, 'trailcheck.slackWebhook: expected true or false, got "yes"'],
    [{ alertMode: 'every-run', reminderDays: 3 }, 'trailcheck.reminderDays is set but trailcheck.alertMode is "every-run"'],
  ])('%j → an error naming the key', (settings, message) => {
    expect(() => parseConfig({ ...base, ...settings })).toThrow(TrailcheckConfigError);
    expect(() => parseConfig({ ...base, ...settings })).toThrow(message);
  });

  it('round-trip through the handler', () => {
    const config = parseConfig({ ...base, ...CHATBOT, alertMode: 'changes', reminderDays: 14 });
    const env = alertEnvironment(config, { bucketName: 'trailcheck-reports-bucket' });
    expect(Object.keys(env).sort()).toEqual(Object.values(ALERT_ENV).sort());
    expect(alertConfigFromEnv(env)).toEqual({ mode: 'changes', reminderDays: 14, reportBucket: 'trailcheck-reports-bucket', reportPrefix: 'trailcheck/', chatbot: true });
  });
});
