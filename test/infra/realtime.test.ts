/**
 * Real-time re-audit, the infrastructure (lib/realtime.ts, lib/realtime-forwarders.ts): the
 * central bus and who may put events on it, the rules and what they match (real CloudTrail event
 * shapes, and the ones that try to pass for them), the queue, the event source, the event
 * function's role, the StackSet and its template, the management account's stacks, the member
 * roles trusting both functions, `realtime: false`, the configuration, and cdk-nag.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config';
import { BUS_ARN_PARAMETER } from '../../lib/realtime-forwarders';
import { BATCH_SIZE, EVENT_HANDLER_ENTRY, MAX_CONCURRENCY, MAX_RECEIVES, ORG_EVENTS_STACK, REALTIME_STACK_PREFIX } from '../../lib/realtime';
import { centralPattern, cloudTrailChangePattern, CLOUDTRAIL_EVENT_NAMES, DEFAULT_REALTIME_REGIONS, organizationsPatterns, REALTIME_NAMES } from '../../lib/realtime-events';
import { STACK_NAMES } from '../../lib/app';
import { allStatements, asArray, logicalIdOf, roleActions, synth, type Synthesized } from './helpers';

const REGION = 'eu-west-1';
/** helpers.BASE turns the real-time audit off for the suites about the scheduled one; on here, as by default. */
const RT = { realtime: true, region: REGION };
const ORG = 'o-a1b2c3d4e5';
const DELEGATED = { mode: 'delegatedAdmin', auditAccountId: '222222222222', managementAccountId: '111111111111', memberRoleTargets: ['ou-a1b2-cd34ef56'] };

const partitionJoin = (...parts: unknown[]) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...parts]] });
const resources = (t: Record<string, any>, type: string) => Object.entries<any>(t.Resources).filter(([, r]) => r.Type === type);
const templateOf = (s: Synthesized, stackName: string) => s.app.synth().getStackByName(stackName).template as Record<string, any>;
const warnings = (s: Synthesized, stackName: string) =>
  s.app
    .synth()
    .getStackByName(stackName)
    .messages.filter((m) => m.level === 'warning')
    .map((m) => String(m.entry.data));

/** EventBridge's matching, as far as these patterns use it: exact values in arrays, nested objects, `$or`. */
function matches(pattern: Record<string, any>, event: Record<string, any>): boolean {
  return Object.entries(pattern).every(([k, p]) => {
    if (k === '$or') return (p as Array<Record<string, any>>).some((alt) => matches(alt, event));
    const v = event[k];
    if (Array.isArray(p)) {
      if (p.some((x) => typeof x === 'object')) throw new Error(`operator not modelled in ${JSON.stringify(p)}`);
      return p.includes(v);
    }
    return typeof v === 'object' && v !== null && matches(p, v);
  });
}

/** A CloudTrail management event as EventBridge delivers it (AWS's documented shape). */
function cloudTrailEvent(eventName: string, overrides: Record<string, any> = {}): Record<string, any> {
  return {
    version: '0',
    id: '6f87d04b-9f74-4f04-a780-7acf4b0a9b38',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.cloudtrail',
    account: '333333333333',
    time: '2025-03-04T09:01:12Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::333333333333:assumed-role/Admin/alice' },
      eventTime: '2025-03-04T09:01:12Z',
      eventSource: 'cloudtrail.amazonaws.com',
      eventName,
      awsRegion: 'eu-west-1',
      sourceIPAddress: '203.0.113.7',
      requestParameters: { name: 'org-trail' },
      eventID: 'c1a1b5f0-3d1c-4a0e-9a55-6a2b8d0e1f11',
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
    },
    ...overrides,
  };
}

function organizationsEvent(eventName: string, detailType: string): Record<string, any> {
  return {
    ...cloudTrailEvent(eventName),
    source: 'aws.organizations',
    'detail-type': detailType,
    region: 'us-east-1',
    detail: { ...cloudTrailEvent(eventName).detail, eventSource: 'organizations.amazonaws.com', awsRegion: 'us-east-1', eventType: detailType.startsWith('AWS Service') ? 'AwsServiceEvent' : 'AwsApiCall' },
  };
}

/** IAM's evaluation of a resource policy, as far as these statements use it: Allow/Deny, the action, StringEquals/Bool conditions. */
function allows(statements: any[], request: { action: string; context: Record<string, string | undefined> }): boolean {
  const applies = (s: any) =>
    asArray<string>(s.Action).some((a) => a === request.action || a === '*' || (a.endsWith('*') && request.action.startsWith(a.slice(0, -1)))) &&
    Object.entries<Record<string, string>>(s.Condition ?? {}).every(([op, kv]) =>
      Object.entries(kv).every(([key, want]) => {
        if (op === 'StringEquals') return asArray(want).includes(request.context[key] as string);
        if (op === 'Bool') return String(request.context[key]) === String(want);
        throw new Error(`condition operator ${op} not modelled`);
      }),
    );
  const relevant = statements.filter(applies);
  return relevant.some((s) => s.Effect === 'Allow') && !relevant.some((s) => s.Effect === 'Deny');
}

describe('realtime on (the default), management mode', () => {
  let s: Synthesized;
  let t: Record<string, any>;
  beforeAll(() => {
    s = synth(RT);
    t = s.auditJson;
  });

  it('passes cdk-nag on every stack, the StackSets\' templates included', () => {
    expect(s.nagViolations).toEqual([]);
  });

  describe('the central bus', () => {
    const busPolicies = () => resources(t, 'AWS::Events::EventBusPolicy').map(([, r]) => r.Properties);

    it('is trailcheck-events, with one policy statement: PutEvents on itself from principals of the organization', () => {
      const [[busId, bus]] = resources(t, 'AWS::Events::EventBus');
      expect(bus.Properties.Name).toBe(REALTIME_NAMES.bus);
      expect(busPolicies()).toHaveLength(1);
      expect(busPolicies()[0]).toMatchObject({
        EventBusName: { Ref: busId },
        Statement: {
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: { 'Fn::GetAtt': [busId, 'Arn'] },
          Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
        },
      });
    });

    it('refuses an event put from outside the organization, or by a principal in no organization', () => {
      const statements = busPolicies().flatMap((p) => asArray(p.Statement));
      expect(allows(statements, { action: 'events:PutEvents', context: { 'aws:PrincipalOrgID': ORG } })).toBe(true);
      expect(allows(statements, { action: 'events:PutEvents', context: { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' } })).toBe(false);
      expect(allows(statements, { action: 'events:PutEvents', context: { 'aws:PrincipalOrgID': undefined } })).toBe(false);
      // Nor anything but PutEvents, from anyone.
      expect(allows(statements, { action: 'events:PutRule', context: { 'aws:PrincipalOrgID': ORG } })).toBe(false);
    });

    it('has no statement anywhere in the stack granting PutEvents on it without the organization condition', () => {
      for (const { statement } of allStatements(t)) {
        if (statement.Effect !== 'Allow' || !asArray(statement.Action).some((a) => a === 'events:PutEvents' || a === 'events:*' || a === '*')) continue;
        const principal = statement.Principal as any;
        if (principal === undefined) continue; // identity policies: the forwarding role below, on the bus only
        expect((statement.Condition as any)?.StringEquals?.['aws:PrincipalOrgID']).toBe(ORG);
      }
    });
  });

  describe('the central rule', () => {
    const rule = () => resources(t, 'AWS::Events::Rule').find(([, r]) => r.Properties.Name === REALTIME_NAMES.centralRule)?.[1].Properties;

    it('is on the central bus, matching exactly the forwarded events, to the queue with the dead-letter queue behind', () => {
      const busId = logicalIdOf(t, 'AWS::Events::EventBus');
      const queueId = logicalIdOf(t, 'AWS::SQS::Queue', (p) => p.QueueName === REALTIME_NAMES.queue);
      const dlqId = logicalIdOf(t, 'AWS::SQS::Queue', (p) => p.QueueName === REALTIME_NAMES.deadLetterQueue);
      expect(rule()).toMatchObject({
        EventBusName: { Ref: busId },
        State: 'ENABLED',
        EventPattern: centralPattern(),
        Targets: [{ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } }, Id: 'EventQueue' }],
      });
    });

    it.each(CLOUDTRAIL_EVENT_NAMES)('matches CloudTrail %s', (name) => {
      expect(matches(rule().EventPattern, cloudTrailEvent(name))).toBe(true);
    });

    it('matches the Organizations events of a new or moved account, each with its own detail-type', () => {
      const pattern = rule().EventPattern;
      expect(matches(pattern, organizationsEvent('CreateAccountResult', 'AWS Service Event via CloudTrail'))).toBe(true);
      expect(matches(pattern, organizationsEvent('AcceptHandshake', 'AWS API Call via CloudTrail'))).toBe(true);
      expect(matches(pattern, organizationsEvent('MoveAccount', 'AWS API Call via CloudTrail'))).toBe(true);
    });

    it('does not match what only looks like them', () => {
      const pattern = rule().EventPattern;
      for (const fake of [
        cloudTrailEvent('DescribeTrails'),
        cloudTrailEvent('GetTrailStatus'),
        cloudTrailEvent('stoplogging'),
        // A custom source (PutEvents refuses "aws." sources), or another service's call of the same name.
        cloudTrailEvent('StopLogging', { source: 'trailcheck.cloudtrail' }),
        { ...cloudTrailEvent('StopLogging'), detail: { ...cloudTrailEvent('StopLogging').detail, eventSource: 'example.amazonaws.com' } },
        cloudTrailEvent('StopLogging', { 'detail-type': 'AWS Service Event via CloudTrail' }),
        organizationsEvent('CreateAccountResult', 'AWS API Call via CloudTrail'),
        organizationsEvent('MoveAccount', 'AWS Service Event via CloudTrail'),
        organizationsEvent('CreateAccount', 'AWS API Call via CloudTrail'),
        organizationsEvent('StopLogging', 'AWS API Call via CloudTrail'),
      ]) {
        expect({ event: fake['detail-type'] + ' ' + fake.source + ' ' + fake.detail.eventSource + ' ' + fake.detail.eventName, matched: matches(pattern, fake) }).toMatchObject({ matched: false });
      }
    });
  });

  describe('the queue', () => {
    const queue = () => t.Resources[logicalIdOf(t, 'AWS::SQS::Queue', (p) => p.QueueName === REALTIME_NAMES.queue)].Properties;
    const policyOf = (queueName: string) => {
      const id = logicalIdOf(t, 'AWS::SQS::Queue', (p) => p.QueueName === queueName);
      return resources(t, 'AWS::SQS::QueuePolicy').find(([, r]) => r.Properties.Queues.some((q: any) => q.Ref === id))?.[1].Properties.PolicyDocument;
    };

    it('is encrypted, with a visibility timeout of six times the function timeout plus the batching window', () => {
      const fn = resources(t, 'AWS::Lambda::Function').find(([, r]) => r.Properties.FunctionName === REALTIME_NAMES.function)?.[1].Properties;
      expect(queue().SqsManagedSseEnabled).toBe(true);
      expect(fn.Timeout).toBe(900);
      expect(queue().VisibilityTimeout).toBe(6 * 900 + 20);
    });

    it(`hands a message to the dead-letter queue after ${MAX_RECEIVES} receives`, () => {
      const dlqId = logicalIdOf(t, 'AWS::SQS::Queue', (p) => p.QueueName === REALTIME_NAMES.deadLetterQueue);
      expect(queue().RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: MAX_RECEIVES });
    });

    it.each([REALTIME_NAMES.queue, REALTIME_NAMES.deadLetterQueue])('%s: TLS only, and only the central rule may send', (name) => {
      const ruleId = logicalIdOf(t, 'AWS::Events::Rule', (p) => p.Name === REALTIME_NAMES.centralRule);
      const statements = asArray<any>(policyOf(name).Statement);
      expect(statements.filter((x) => x.Effect === 'Allow')).toEqual([
        expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } } }),
      ]);
      expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    });

    it('raises the failed-events alarm to the alert topic on any dead letter', () => {
      const alarm = resources(t, 'AWS::CloudWatch::Alarm').find(([, r]) => r.Properties.AlarmName === REALTIME_NAMES.alarmDeadLetters)?.[1].Properties;
      expect(alarm).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, AlarmActions: [{ Ref: logicalIdOf(t, 'AWS::SNS::Topic', (p) => p.TopicName === 'trailcheck-alerts') }] });
      expect(alarm.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(t, 'AWS::SQS::Queue', (p) => p.QueueName === REALTIME_NAMES.deadLetterQueue), 'QueueName'] } }]);
    });
  });

  describe('the event function', () => {
    const fnOf = (name: string) => resources(t, 'AWS::Lambda::Function').find(([, r]) => r.Properties.FunctionName === name)?.[1].Properties;

    it(`is ${EVENT_HANDLER_ENTRY} on its own role, with the scheduled function's environment and the new-account grace`, () => {
      const scheduled = fnOf('trailcheck-audit');
      const fn = fnOf(REALTIME_NAMES.function);
      expect(fn.Handler).toBe('index.handler');
      expect(fn.Role).toEqual({ 'Fn::GetAtt': [logicalIdOf(t, 'AWS::IAM::Role', (p) => p.RoleName === REALTIME_NAMES.functionRole), 'Arn'] });
      expect(fn.Environment.Variables).toEqual({ ...scheduled.Environment.Variables, TRAILCHECK_NEW_ACCOUNT_GRACE_MINUTES: '30' });
      expect(fn.Architectures).toEqual(scheduled.Architectures);
      expect(fn.Runtime).toBe(scheduled.Runtime);
    });

    it('reads the queue in coalescing batches, reporting partial failures, two at a time at most', () => {
      const [[, esm]] = resources(t, 'AWS::Lambda::EventSourceMapping');
      expect(esm.Properties).toMatchObject({
        EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(t, 'AWS::SQS::Queue', (p) => p.QueueName === REALTIME_NAMES.queue), 'Arn'] },
        BatchSize: BATCH_SIZE,
        MaximumBatchingWindowInSeconds: 20,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: MAX_CONCURRENCY },
      });
    });

    it("may do exactly what the scheduled function may, plus DescribeAccount and consuming its queue (no on-failure queue: SQS retries)", () => {
      const eventRole = logicalIdOf(t, 'AWS::IAM::Role', (p) => p.RoleName === REALTIME_NAMES.functionRole);
      expect(t.Resources[eventRole].Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }]);
      expect(t.Resources[eventRole].Properties.ManagedPolicyArns).toBeUndefined();
      expect(roleActions(t, eventRole)).toEqual([
        'cloudtrail:DescribeTrails',
        'cloudtrail:GetEventSelectors',
        'cloudtrail:GetTrailStatus',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'organizations:DescribeAccount',
        'organizations:DescribeOrganizationalUnit',
        'organizations:ListAccounts',
        'organizations:ListParents',
        's3:DeleteObject',
        's3:GetObject',
        's3:PutObject',
        'sns:Publish',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sts:AssumeRole',
      ]);
      const scheduledRole = logicalIdOf(t, 'AWS::IAM::Role', (p) => p.RoleName === 'TrailcheckAuditFunctionRole');
      const scheduled = roleActions(t, scheduledRole).filter((a) => a !== 'sqs:SendMessage');
      expect(roleActions(t, eventRole).filter((a) => !a.startsWith('sqs:') && a !== 'organizations:DescribeAccount')).toEqual(scheduled);
    });

    it('has each action on the narrowest resource: its own log group, its own queue, the organization\'s accounts', () => {
      const eventRole = logicalIdOf(t, 'AWS::IAM::Role', (p) => p.RoleName === REALTIME_NAMES.functionRole);
      const statements = allStatements(t).filter((x) => x.type === 'AWS::IAM::Policy' && t.Resources[x.logicalId].Properties.Roles.some((r: any) => r.Ref === eventRole));
      const by = (action: string) => statements.filter((x) => asArray(x.statement.Action).includes(action)).map((x) => x.statement.Resource);
      expect(by('organizations:DescribeAccount')).toEqual([partitionJoin(`:organizations::*:account/${ORG}/*`)]);
      expect(by('sqs:ReceiveMessage')).toEqual([{ 'Fn::GetAtt': [logicalIdOf(t, 'AWS::SQS::Queue', (p) => p.QueueName === REALTIME_NAMES.queue), 'Arn'] }]);
      expect(by('logs:PutLogEvents')).toEqual([{ 'Fn::GetAtt': [resources(t, 'AWS::Logs::LogGroup').find(([id]) => id.startsWith('RealtimeEventAudit'))?.[0], 'Arn'] }]);
      expect(by('sns:Publish')).toEqual([{ Ref: logicalIdOf(t, 'AWS::SNS::Topic', (p) => p.TopicName === 'trailcheck-alerts') }]);
    });

    it('may use the alert key through SNS only', () => {
      const eventRole = logicalIdOf(t, 'AWS::IAM::Role', (p) => p.RoleName === REALTIME_NAMES.functionRole);
      const keyStatements = allStatements(t).filter((x) => x.type === 'AWS::KMS::Key').map((x) => x.statement);
      const forEventRole = keyStatements.filter((x: any) => JSON.stringify(x.Principal).includes(eventRole));
      expect(forEventRole).toEqual([
        expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } } } }),
      ]);
    });
  });

  describe('the member accounts', () => {
    const stackSet = () => resources(t, 'AWS::CloudFormation::StackSet').find(([, r]) => r.Properties.StackSetName === REALTIME_NAMES.stackSet)?.[1].Properties;
    const member = () => JSON.parse(stackSet().TemplateBody) as Record<string, any>;

    it('get the forwarding rule from a service-managed, auto-deploying StackSet of its own, in every default region', () => {
      expect(resources(t, 'AWS::CloudFormation::StackSet').map(([, r]) => r.Properties.StackSetName).sort()).toEqual(['trailcheck-member-events', 'trailcheck-member-roles']);
      expect(stackSet()).toMatchObject({
        PermissionModel: 'SERVICE_MANAGED',
        CallAs: 'SELF',
        AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: [{ ParameterKey: BUS_ARN_PARAMETER, ParameterValue: { 'Fn::GetAtt': [logicalIdOf(t, 'AWS::Events::EventBus'), 'Arn'] } }],
        StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['r-a1b2'] }, Regions: [...DEFAULT_REALTIME_REGIONS] }],
        OperationPreferences: { FailureTolerancePercentage: 100, MaxConcurrentPercentage: 100, RegionConcurrencyType: 'PARALLEL' },
      });
      expect(DEFAULT_REALTIME_REGIONS).toHaveLength(17);
    });

    it('is created after the bus policy, so no forwarded event is refused while it deploys', () => {
      const id = resources(t, 'AWS::CloudFormation::StackSet').find(([, r]) => r.Properties.StackSetName === REALTIME_NAMES.stackSet)?.[0] as string;
      expect(asArray(t.Resources[id].DependsOn)).toContain(resources(t, 'AWS::Events::EventBusPolicy')[0][0]);
    });

    it("template: one rule on the default bus matching the six CloudTrail calls, to the bus parameter, with a role that may only PutEvents there", () => {
      const tpl = member();
      expect(Object.values<any>(tpl.Resources).map((r) => r.Type).sort()).toEqual(['AWS::Events::Rule', 'AWS::IAM::Role']);
      expect(tpl.Parameters[BUS_ARN_PARAMETER].AllowedPattern).toBe(`^arn:aws[a-z-]*:events:[a-z0-9-]+:\\d{12}:event-bus/${REALTIME_NAMES.bus}$`);
      const [[roleId, role]] = resources(tpl, 'AWS::IAM::Role');
      const [[, rule]] = resources(tpl, 'AWS::Events::Rule');
      expect(rule.Properties).toEqual({
        Name: REALTIME_NAMES.forwardRule,
        Description: expect.any(String),
        EventBusName: 'default',
        State: 'ENABLED',
        EventPattern: cloudTrailChangePattern(),
        Targets: [{ Arn: { Ref: BUS_ARN_PARAMETER }, Id: 'CentralBus', RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } }],
      });
      expect(role.Properties.RoleName).toBeUndefined(); // one per region: a generated name
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'events.amazonaws.com' } }]);
      expect(role.Properties.Policies).toEqual([
        { PolicyName: 'PutEventsOnCentralBus', PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'PutEventsOnCentralBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: BUS_ARN_PARAMETER } }] } },
      ]);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(Template.fromJSON(tpl).toJSON().Rules).toBeUndefined(); // no bootstrap version check: StackSets deploy it as is
    });

    it('a member rule matches the six calls only', () => {
      const pattern = resources(member(), 'AWS::Events::Rule')[0][1].Properties.EventPattern;
      for (const name of CLOUDTRAIL_EVENT_NAMES) expect(matches(pattern, cloudTrailEvent(name))).toBe(true);
      expect(matches(pattern, organizationsEvent('MoveAccount', 'AWS API Call via CloudTrail'))).toBe(false);
      expect(matches(pattern, cloudTrailEvent('LookupEvents'))).toBe(false);
    });

    it('member roles trust both the scheduled and the event function roles, from inside the organization', () => {
      const roleTrust = Object.values<any>((s.member as Template).toJSON().Resources).find((r) => r.Type === 'AWS::IAM::Role').Properties.AssumeRolePolicyDocument.Statement;
      expect(roleTrust).toEqual([
        expect.objectContaining({
          Condition: {
            ArnEquals: {
              'aws:PrincipalArn': [
                partitionJoin(':iam::', { Ref: 'AuditAccountId' }, ':role/TrailcheckAuditFunctionRole'),
                partitionJoin(':iam::', { Ref: 'AuditAccountId' }, `:role/${REALTIME_NAMES.functionRole}`),
              ],
            },
            StringEquals: { 'aws:PrincipalOrgID': ORG },
          },
        }),
      ]);
    });
  });

  describe('the management account', () => {
    it('forwards its audit region from the audit stack itself, to the bus by its attribute', () => {
      const local = resources(t, 'AWS::Events::Rule').filter(([, r]) => r.Properties.Name === REALTIME_NAMES.forwardRule);
      expect(local).toHaveLength(1);
      expect(local[0][1].Properties).toMatchObject({ EventBusName: 'default', EventPattern: cloudTrailChangePattern(), Targets: [{ Arn: { 'Fn::GetAtt': [logicalIdOf(t, 'AWS::Events::EventBus'), 'Arn'] } }] });
    });

    it('and its other regions from a stack each, the Organizations events from us-east-1', () => {
      const regions = s.stacks.realtimeManagement.regions;
      expect(regions.map((x) => x.region).sort()).toEqual(DEFAULT_REALTIME_REGIONS.filter((r) => r !== REGION).sort());
      expect(regions.map((x) => x.stackName)).toContain(`${REALTIME_STACK_PREFIX}us-east-2`);
      const org = s.stacks.realtimeManagement.organizations;
      expect(org?.stackName).toBe(ORG_EVENTS_STACK);
      expect(org?.region).toBe('us-east-1');
      const tpl = templateOf(s, ORG_EVENTS_STACK);
      const [[, rule]] = resources(tpl, 'AWS::Events::Rule');
      expect(rule.Properties.EventPattern).toEqual({ $or: organizationsPatterns() });
      expect(rule.Properties.Targets[0].Arn).toEqual(partitionJoin(`:events:${REGION}:`, { Ref: 'AWS::AccountId' }, `:event-bus/${REALTIME_NAMES.bus}`));
      expect(matches(rule.Properties.EventPattern, organizationsEvent('CreateAccountResult', 'AWS Service Event via CloudTrail'))).toBe(true);
      expect(matches(rule.Properties.EventPattern, cloudTrailEvent('StopLogging'))).toBe(false);
    });

    it("a region's stack: the rule, and a role that may only PutEvents on the central bus", () => {
      const tpl = templateOf(s, `${REALTIME_STACK_PREFIX}us-east-2`);
      expect(Object.values<any>(tpl.Resources).map((r) => r.Type).sort()).toEqual(['AWS::Events::Rule', 'AWS::IAM::Role']);
      const [[, role]] = resources(tpl, 'AWS::IAM::Role');
      expect(role.Properties.Policies[0].PolicyDocument.Statement).toEqual([
        { Sid: 'PutEventsOnCentralBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: partitionJoin(`:events:${REGION}:`, { Ref: 'AWS::AccountId' }, `:event-bus/${REALTIME_NAMES.bus}`) },
      ]);
      expect(tpl.Parameters).toBeUndefined(); // no bootstrap needed in that region
    });
  });
});

describe('delegatedAdmin mode', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth({ ...DELEGATED, ...RT });
  });

  it('passes cdk-nag', () => {
    expect(s.nagViolations).toEqual([]);
  });

  it('the StackSet deploys as the delegated administrator; the audit stack forwards nothing itself (the StackSet covers its account)', () => {
    const stackSet = resources(s.auditJson, 'AWS::CloudFormation::StackSet').find(([, r]) => r.Properties.StackSetName === REALTIME_NAMES.stackSet)?.[1].Properties;
    expect(stackSet).toMatchObject({ CallAs: 'DELEGATED_ADMIN', StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-a1b2-cd34ef56'] } }] });
    expect(resources(s.auditJson, 'AWS::Events::Rule').filter(([, r]) => r.Properties.Name === REALTIME_NAMES.forwardRule)).toEqual([]);
  });

  it('the management account gets a stack in every realtime region and the Organizations stack, pinned to it, naming the bus in the audit account', () => {
    const { regions, organizations } = s.stacks.realtimeManagement;
    expect(regions.map((x) => x.region).sort()).toEqual([...DEFAULT_REALTIME_REGIONS].sort());
    for (const st of [...regions, organizations]) expect(st?.account).toBe('111111111111');
    const tpl = templateOf(s, `${REALTIME_STACK_PREFIX}${REGION}`);
    expect(resources(tpl, 'AWS::Events::Rule')[0][1].Properties.Targets[0].Arn).toEqual(partitionJoin(`:events:${REGION}:222222222222:event-bus/${REALTIME_NAMES.bus}`));
  });

  it('the management role trusts both function roles', () => {
    const trust = Object.values<any>((s.managementRole as Template).toJSON().Resources).find((r) => r.Type === 'AWS::IAM::Role').Properties.AssumeRolePolicyDocument.Statement[0];
    expect(trust.Condition.ArnEquals['aws:PrincipalArn']).toEqual([
      partitionJoin(':iam::222222222222:role/TrailcheckAuditFunctionRole'),
      partitionJoin(`:iam::222222222222:role/${REALTIME_NAMES.functionRole}`),
    ]);
  });
});

describe('settings', () => {
  it('realtimeRegions: the StackSet deploys to exactly those regions', () => {
    const s = synth({ ...RT, realtimeRegions: ['eu-west-1', 'eu-central-1', 'me-south-1'] }, { nag: false });
    const stackSet = resources(s.auditJson, 'AWS::CloudFormation::StackSet').find(([, r]) => r.Properties.StackSetName === REALTIME_NAMES.stackSet)?.[1].Properties;
    expect(stackSet.StackInstancesGroup[0].Regions).toEqual(['eu-west-1', 'eu-central-1', 'me-south-1']);
    expect(s.stacks.realtimeManagement.regions.map((x) => x.region)).toEqual(['eu-central-1', 'me-south-1']);
  });

  it('an audit region outside realtimeRegions: the audit stack forwards nothing of its own', () => {
    const s = synth({ realtime: true, region: 'eu-south-2', realtimeRegions: ['eu-west-1'] }, { nag: false });
    expect(resources(s.auditJson, 'AWS::Events::Rule').filter(([, r]) => r.Properties.Name === REALTIME_NAMES.forwardRule)).toEqual([]);
    expect(s.stacks.realtimeManagement.regions.map((x) => x.region)).toEqual(['eu-west-1']);
  });

  it.each([
    [45, 100, 45],
    [300, 100, 300],
    [0, 10, undefined],
  ])('realtimeDelaySeconds %p: batches of %p, window %p', (delay, batch, window) => {
    const s = synth({ ...RT, realtimeDelaySeconds: delay }, { nag: false });
    const [[, esm]] = resources(s.auditJson, 'AWS::Lambda::EventSourceMapping');
    expect(esm.Properties.BatchSize).toBe(batch);
    expect(esm.Properties.MaximumBatchingWindowInSeconds).toBe(window);
    const queue = resources(s.auditJson, 'AWS::SQS::Queue').find(([, r]) => r.Properties.QueueName === REALTIME_NAMES.queue)?.[1].Properties;
    expect(queue.VisibilityTimeout).toBe(6 * 900 + delay);
  });

  it('timeoutMinutes: the visibility timeout follows it', () => {
    const s = synth({ ...RT, timeoutMinutes: 5 }, { nag: false });
    const queue = resources(s.auditJson, 'AWS::SQS::Queue').find(([, r]) => r.Properties.QueueName === REALTIME_NAMES.queue)?.[1].Properties;
    expect(queue.VisibilityTimeout).toBe(6 * 300 + 20);
  });

  it('without region: no management account stacks, and a warning that names the key', () => {
    const s = synth({ realtime: true }, { nag: false });
    expect(s.stacks.realtimeManagement.regions).toEqual([]);
    expect(s.stacks.realtimeManagement.organizations).toBeUndefined();
    expect(warnings(s, STACK_NAMES.audit).join('\n')).toMatch(/trailcheck\.region not set: the management account's stacks for the real-time audit/);
    // The audit stack's own region still forwards (management mode).
    expect(resources(s.auditJson, 'AWS::Events::Rule').filter(([, r]) => r.Properties.Name === REALTIME_NAMES.forwardRule)).toHaveLength(1);
  });

  it('memberRoles false: no forwarding StackSet, and a warning', () => {
    const s = synth({ ...RT, memberRoles: false, memberRoleTargets: undefined }, { nag: false });
    expect(resources(s.auditJson, 'AWS::CloudFormation::StackSet')).toEqual([]);
    expect(warnings(s, STACK_NAMES.audit).join('\n')).toContain('trailcheck.memberRoles is false: no StackSet deploys the forwarding rule');
    expect(resources(s.auditJson, 'AWS::Events::EventBus')).toHaveLength(1);
  });

  const error = (values: Record<string, unknown>) => {
    try {
      parseConfig({ organizationId: ORG, memberRoleTargets: ['r-a1b2'], ...values });
    } catch (err) {
      return (err as Error).message;
    }
    return undefined;
  };

  it('refuses bad values at synth, naming the key', () => {
    expect(error({ realtimeRegions: ['eu-west-1', 'EU-WEST-2'] })).toBe('trailcheck.realtimeRegions[1]: expected a region name such as eu-west-1, got "EU-WEST-2"');
    expect(error({ realtimeRegions: ['eu-west-1', 'eu-west'] })).toMatch(/^trailcheck\.realtimeRegions\[1\]: expected a region name/);
    expect(error({ realtimeRegions: [] })).toMatch(/^trailcheck\.realtimeRegions: empty value \[\]/);
    expect(error({ realtimeRegions: 'eu-west-1,,' })).toBeUndefined();
    expect(error({ realtimeDelaySeconds: 301 })).toBe('trailcheck.realtimeDelaySeconds: expected a whole number from 0 to 300, got 301');
    expect(error({ realtimeDelaySeconds: -1 })).toMatch(/^trailcheck\.realtimeDelaySeconds: expected a whole number from 0 to 300/);
    expect(error({ realtimeDelaySeconds: 2.5 })).toMatch(/^trailcheck\.realtimeDelaySeconds: expected a whole number/);
    expect(error({ realtime: 'yes' })).toBe('trailcheck.realtime: expected true or false, got "yes"');
  });

  it('refuses realtime settings when realtime is off, and the event role\'s name for another role', () => {
    expect(error({ realtime: false, realtimeRegions: ['eu-west-1'] })).toMatch(/^trailcheck\.realtimeRegions is set but trailcheck\.realtime is false/);
    expect(error({ realtime: false, realtimeDelaySeconds: 5 })).toMatch(/^trailcheck\.realtimeDelaySeconds is set but trailcheck\.realtime is false/);
    expect(error({ roleName: REALTIME_NAMES.functionRole })).toMatch(/^trailcheck\.roleName is "TrailcheckEventFunctionRole", the name of the event function's role/);
    expect(error({ functionRoleName: REALTIME_NAMES.functionRole })).toMatch(/^trailcheck\.functionRoleName is "TrailcheckEventFunctionRole"/);
    expect(error({ realtime: false, roleName: REALTIME_NAMES.functionRole })).toBeUndefined();
  });

  it('defaults: on, the 17 default regions, 20 seconds', () => {
    expect(parseConfig({ organizationId: ORG, memberRoleTargets: ['r-a1b2'] })).toMatchObject({ realtime: true, realtimeRegions: [...DEFAULT_REALTIME_REGIONS], realtimeDelaySeconds: 20 });
  });
});

describe('realtime: false', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth({ ...RT, realtime: false });
  });

  it('creates none of it', () => {
    const t = s.auditJson;
    for (const type of ['AWS::Events::EventBus', 'AWS::Events::EventBusPolicy', 'AWS::Lambda::EventSourceMapping']) expect(resources(t, type)).toEqual([]);
    expect(resources(t, 'AWS::CloudFormation::StackSet').map(([, r]) => r.Properties.StackSetName)).toEqual(['trailcheck-member-roles']);
    expect(resources(t, 'AWS::Lambda::Function').map(([, r]) => r.Properties.FunctionName)).not.toContain(REALTIME_NAMES.function);
    expect(resources(t, 'AWS::IAM::Role').map(([, r]) => r.Properties.RoleName)).not.toContain(REALTIME_NAMES.functionRole);
    expect(resources(t, 'AWS::SQS::Queue').map(([, r]) => r.Properties.QueueName)).toEqual(['trailcheck-failed-runs']);
    expect(resources(t, 'AWS::Events::Rule').map(([, r]) => r.Properties.Name)).toEqual(['trailcheck-first-run']);
    expect(s.stacks.realtimeManagement).toEqual({ regions: [] });
    expect(s.app.synth().stacks.map((x) => x.stackName)).toEqual([STACK_NAMES.audit]);
    expect(JSON.stringify(t)).not.toContain(REALTIME_NAMES.functionRole);
  });

  it('member roles trust the scheduled function role alone', () => {
    const trust = Object.values<any>((s.member as Template).toJSON().Resources).find((r) => r.Type === 'AWS::IAM::Role').Properties.AssumeRolePolicyDocument.Statement[0];
    expect(trust.Condition.ArnEquals['aws:PrincipalArn']).toEqual(partitionJoin(':iam::', { Ref: 'AuditAccountId' }, ':role/TrailcheckAuditFunctionRole'));
  });

  it('passes cdk-nag', () => {
    expect(s.nagViolations).toEqual([]);
  });
});
