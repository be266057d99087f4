/**
 * Alert routes in the stack: a topic per route like the central one (same key, TLS only), its
 * email subscriptions, a Chatbot channel when named, the Slack forwarder subscribed to the routes
 * with a webhook secret (and reading only those secrets), sns:Publish on exactly the route topics,
 * and cdk-nag clean.
 */
import { FORWARDER_ENV } from '../../lambda/env';
import { MAX_ROUTE_EMAILS, MAX_ROUTES } from '../../lambda/routes';
import { ALERT_NAMES, FORWARDER_SECRET_ENV } from '../../lib/alerts';
import { NAMES } from '../../lib/audit-stack';
import { allStatements, asArray, logicalIdOf, roleActions, synth, type Synthesized } from './helpers';

const CHATBOT = { chatbotSlackWorkspaceId: 'T0123ABCD', chatbotSlackChannelId: 'C0123ABCD' };
const ROUTES = [
  { name: 'payments', ous: ['ou-a1b2-payments1'], accounts: ['555555555555'], emails: ['pay-sec@example.com', 'pay-oncall@example.com'], slackWebhookSecretName: 'trailcheck/routes/payments', chatbotSlackChannelId: 'C0PAYMENTS' },
  { name: 'data_platform', ous: ['ou-a1b2-dataplat1'], emails: ['data@example.com'] },
  { name: 'sandbox', accounts: ['666666666666'], slackWebhookSecretName: 'sandbox-webhook' },
];

const topicId = (s: Synthesized, name: string) => logicalIdOf(s.auditJson, 'AWS::SNS::Topic', (p) => p.TopicName === name);
const forwarderId = (s: Synthesized) => logicalIdOf(s.auditJson, 'AWS::Lambda::Function', (p) => p.FunctionName === ALERT_NAMES.forwarder);
const forwarderRoleId = (s: Synthesized) => logicalIdOf(s.auditJson, 'AWS::IAM::Role', (p) => p.RoleName === ALERT_NAMES.forwarderRole);
const auditRoleId = (s: Synthesized) => logicalIdOf(s.auditJson, 'AWS::IAM::Role', (p) => p.RoleName === 'TrailcheckAuditFunctionRole');
const statementsOf = (s: Synthesized, prefix: string) => Object.fromEntries(allStatements(s.auditJson).filter((x) => x.logicalId.startsWith(prefix)).map((x) => [x.statement.Sid, x.statement]));
const sorted = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
const secretArn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:secret:${name}-??????`]] });

describe('alert routes with the central Slack webhook and Chatbot', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth({ ...CHATBOT, slackWebhook: true, routes: ROUTES });
  });

  it('creates one topic per route, named trailcheck-route-<name>, encrypted with the central key, TLS only', () => {
    const central = s.auditJson.Resources[topicId(s, NAMES.topic)].Properties;
    for (const r of ROUTES) {
      const id = topicId(s, `trailcheck-route-${r.name}`);
      expect(s.auditJson.Resources[id].Properties).toMatchObject({ KmsMasterKeyId: central.KmsMasterKeyId, DisplayName: `trailcheck ${r.name}` });
      const policy = Object.values<any>(s.auditJson.Resources).find((x) => x.Type === 'AWS::SNS::TopicPolicy' && asArray(x.Properties.Topics).some((t: any) => t.Ref === id));
      expect(policy.Properties.PolicyDocument.Statement).toEqual([
        expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: { Ref: id } }),
      ]);
    }
    expect(Object.values<any>(s.auditJson.Resources).filter((x) => x.Type === 'AWS::SNS::Topic')).toHaveLength(1 + ROUTES.length);
  });

  it("subscribes each route's emails to its own topic only", () => {
    const emails = Object.values<any>(s.auditJson.Resources).filter((x) => x.Type === 'AWS::SNS::Subscription' && x.Properties.Protocol === 'email').map((x) => [x.Properties.Endpoint, x.Properties.TopicArn.Ref]);
    expect(emails.sort()).toEqual(
      [
        ['secops@example.com', topicId(s, NAMES.topic)],
        ['platform-team@example.org', topicId(s, NAMES.topic)],
        ['pay-sec@example.com', topicId(s, 'trailcheck-route-payments')],
        ['pay-oncall@example.com', topicId(s, 'trailcheck-route-payments')],
        ['data@example.com', topicId(s, 'trailcheck-route-data_platform')],
      ].sort(),
    );
  });

  it('creates a Chatbot channel configuration for the route that names one, in the main workspace, notifications only', () => {
    s.audit.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      ConfigurationName: 'trailcheck-route-payments',
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0PAYMENTS',
      SnsTopicArns: [{ Ref: topicId(s, 'trailcheck-route-payments') }],
      GuardrailPolicies: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AWSDenyAll']] }],
    });
    const configs = Object.values<any>(s.auditJson.Resources).filter((x) => x.Type === 'AWS::Chatbot::SlackChannelConfiguration');
    expect(configs.map((c) => c.Properties.ConfigurationName).sort()).toEqual([ALERT_NAMES.chatbotConfiguration, 'trailcheck-route-payments']);
  });

  it('gives the function sns:Publish on exactly the central topic and the route topics', () => {
    const publish = allStatements(s.auditJson).filter((x) => x.logicalId.startsWith('FunctionRole') && asArray(x.statement.Action).includes('sns:Publish'));
    expect(publish).toHaveLength(1);
    expect(sorted(asArray(publish[0].statement.Resource))).toEqual(sorted([NAMES.topic, ...ROUTES.map((r) => `trailcheck-route-${r.name}`)].map((n) => ({ Ref: topicId(s, n) }))));
  });

  it('subscribes the forwarder to the central topic and the routes with a webhook secret, and to no other', () => {
    const fn = forwarderId(s);
    const subscribed = Object.values<any>(s.auditJson.Resources).filter((x) => x.Type === 'AWS::SNS::Subscription' && x.Properties.Protocol === 'lambda').map((x) => x.Properties.TopicArn.Ref);
    expect(subscribed.sort()).toEqual([topicId(s, NAMES.topic), topicId(s, 'trailcheck-route-payments'), topicId(s, 'trailcheck-route-sandbox')].sort());
    const sources = Object.values<any>(s.auditJson.Resources).filter((x) => x.Type === 'AWS::Lambda::Permission' && x.Properties.FunctionName['Fn::GetAtt']?.[0] === fn).map((x) => x.Properties.SourceArn.Ref);
    expect(sources.sort()).toEqual(subscribed.sort());
  });

  it("tells the forwarder each route's secret by name, never a URL", () => {
    const vars = s.auditJson.Resources[forwarderId(s)].Properties.Environment.Variables;
    expect(Object.keys(vars).sort()).toEqual([FORWARDER_ENV.routeSecrets, FORWARDER_SECRET_ENV].sort());
    expect(JSON.parse(vars[FORWARDER_ENV.routeSecrets])).toEqual({ payments: 'trailcheck/routes/payments', sandbox: 'sandbox-webhook' });
    // No webhook URL (…/services/T…) anywhere in the template.
    expect(JSON.stringify(s.auditJson)).not.toMatch(/hooks\.slack\.com\/services\/T/);
  });

  it('lets the forwarder read the central secret and exactly those route secrets', () => {
    const central = logicalIdOf(s.auditJson, 'AWS::SecretsManager::Secret');
    const read = statementsOf(s, 'SlackForwarderRole').ReadWebhookUrl;
    expect(read.Action).toBe('secretsmanager:GetSecretValue');
    expect(sorted(read.Resource)).toEqual(sorted([{ Ref: central }, secretArn('trailcheck/routes/payments'), secretArn('sandbox-webhook')]));
    expect(roleActions(s.auditJson, forwarderRoleId(s))).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue', 'sqs:SendMessage']);
    expect(roleActions(s.auditJson, auditRoleId(s))).not.toContain('secretsmanager:GetSecretValue');
  });

  it('stays cdk-nag clean', () => {
    expect(s.nagViolations).toEqual([]);
  });
});

describe('alert routes alone (no central Slack)', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth({ routes: [ROUTES[2]] });
  });

  it('deploys the forwarder for the route only: no central secret, not subscribed to the central topic', () => {
    expect(Object.values<any>(s.auditJson.Resources).filter((x) => x.Type === 'AWS::SecretsManager::Secret')).toHaveLength(0);
    const subscribed = Object.values<any>(s.auditJson.Resources).filter((x) => x.Type === 'AWS::SNS::Subscription' && x.Properties.Protocol === 'lambda').map((x) => x.Properties.TopicArn.Ref);
    expect(subscribed).toEqual([topicId(s, 'trailcheck-route-sandbox')]);
    const vars = s.auditJson.Resources[forwarderId(s)].Properties.Environment.Variables;
    expect(vars[FORWARDER_SECRET_ENV]).toBeUndefined();
    expect(statementsOf(s, 'SlackForwarderRole').ReadWebhookUrl.Resource).toEqual(secretArn('sandbox-webhook'));
    expect(Object.keys(s.auditJson.Outputs)).not.toContain('SlackWebhookSecretArn');
  });

  it('stays cdk-nag clean', () => {
    expect(s.nagViolations).toEqual([]);
  });
});

describe('no routes', () => {
  it('adds no topic, no forwarder, and publishes to the central topic only', () => {
    const s = synth({}, { nag: false });
    expect(Object.values<any>(s.auditJson.Resources).filter((x) => x.Type === 'AWS::SNS::Topic')).toHaveLength(1);
    expect(Object.values<any>(s.auditJson.Resources).filter((x) => x.Type === 'AWS::Lambda::Function' && x.Properties.FunctionName === ALERT_NAMES.forwarder)).toHaveLength(0);
    const publish = allStatements(s.auditJson).find((x) => x.logicalId.startsWith('FunctionRole') && asArray(x.statement.Action).includes('sns:Publish'));
    expect(publish?.statement.Resource).toEqual({ Ref: topicId(s, NAMES.topic) });
  });

  it('warns about a route with no destination', () => {
    const s = synth({ routes: [{ name: 'lonely', accounts: ['777777777777'] }] }, { nag: false });
    const warnings = s.app.synth().getStackByName(s.stacks.audit.stackName).messages.filter((m) => m.level === 'warning').map((m) => String(m.entry.data));
    expect(warnings.some((w) => w.includes('route "lonely" has no emails'))).toBe(true);
  });
});

describe('the most routes the config accepts', () => {
  it('still fit in one stack (CloudFormation allows 500 resources)', () => {
    const routes = Array.from({ length: MAX_ROUTES }, (_, i) => ({
      name: `team-${i}`,
      accounts: [String(100000000000 + i)],
      emails: Array.from({ length: MAX_ROUTE_EMAILS }, (_, j) => `t${i}-${j}@example.com`),
      slackWebhookSecretName: `team-${i}/webhook`,
      chatbotSlackChannelId: `C0TEAM${i}`,
    }));
    // With the real-time re-audit's resources too (on by default).
    const s = synth({ ...CHATBOT, slackWebhook: true, routes, realtime: true }, { nag: false });
    expect(Object.keys(s.auditJson.Resources).length).toBeLessThanOrEqual(500);
  });
});

describe("the OU walk for the routes' OUs", () => {
  const walk = (s: Synthesized) => allStatements(s.auditJson).find((x) => x.logicalId.startsWith('FunctionRole') && x.statement.Sid === 'ListOrganizationAccounts')?.statement.Action;

  it('is granted when a route names an OU, and not for routes of accounts only', () => {
    expect(walk(synth({ routes: [ROUTES[1]] }, { nag: false }))).toEqual(['organizations:ListAccounts', 'organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent']);
    expect(walk(synth({ routes: [ROUTES[2]] }, { nag: false }))).toBe('organizations:ListAccounts');
  });
});

describe("the OU walk for the exemptions' OUs", () => {
  const walk = (s: Synthesized) => allStatements(s.auditJson).find((x) => x.logicalId.startsWith('FunctionRole') && x.statement.Sid === 'ListOrganizationAccounts')?.statement.Action;
  const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

  it('is granted when an exemption names an OU (else it could never apply), and not for exemptions of accounts only', () => {
    const byOu = { ous: ['ou-ab12-sandbox0'], reason: 'sandboxes', owner: 'platform@example.com', expires };
    const byAccount = { accounts: ['222222222222'], reason: 'closing', owner: 'platform@example.com', expires };
    expect(walk(synth({ exemptions: [byOu] }, { nag: false }))).toEqual(['organizations:ListAccounts', 'organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent']);
    expect(walk(synth({ exemptions: [byAccount] }, { nag: false }))).toBe('organizations:ListAccounts');
  });
});
