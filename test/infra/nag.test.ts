/**
 * cdk-nag (AwsSolutions) over every stack of the app as bin/app.ts builds it, the StackSet's
 * member template included: no unacknowledged finding, and every acknowledgment is needed,
 * targeted at the construct that has the finding, and carries a real reason.
 */
import { type Acknowledgment, App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createTrailcheckStacks } from '../../lib/app';
import { loadConfig, parseConfig } from '../../lib/config';
import { MemberRoleStack } from '../../lib/member-role';
import { BASE, CDK_JSON, readNagViolations, synth, tempOutdir } from './helpers';

const DELEGATED = {
  mode: 'delegatedAdmin',
  // Every alert channel, so their findings and acknowledgments are checked too.
  slackWebhook: true,
  chatbotSlackWorkspaceId: 'T0123ABCD',
  chatbotSlackChannelId: 'C0123ABCD',
  auditAccountId: '222222222222',
  memberRoleTargets: ['ou-a1b2-cd34ef56'],
  ous: ['ou-a1b2-cd34ef56'],
  externalId: 'ext-42',
  // The real-time re-audit too, with the management account's stacks (they need the region).
  realtime: true,
  region: 'eu-west-1',
};

/** Every acknowledgment in the app, with a reason worth reading. */
const EXPECTED_ACKNOWLEDGMENTS = [
  'Trailcheck AwsSolutions-IAM5[Resource::<AuditFunctionD052CD6C.Arn>:*]',
  'Trailcheck/FailedRuns AwsSolutions-SQS3',
  'Trailcheck/FunctionRole/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
  'Trailcheck/FunctionRole/DefaultPolicy AwsSolutions-IAM5[Resource::<ReportsBucket95FE29A2.Arn>/trailcheck/*]',
  'Trailcheck/FunctionRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudtrail:*:*:trail/*]',
  'Trailcheck/FunctionRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/TrailcheckAuditRole]',
  'Trailcheck/FunctionRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::*:account/o-a1b2c3d4e5/*]',
  'Trailcheck/FunctionRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::*:ou/o-a1b2c3d4e5/ou-*]',
  'Trailcheck/Realtime/FunctionRole/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
  'Trailcheck/Realtime/FunctionRole/DefaultPolicy AwsSolutions-IAM5[Resource::<ReportsBucket95FE29A2.Arn>/trailcheck/*]',
  'Trailcheck/Realtime/FunctionRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudtrail:*:*:trail/*]',
  'Trailcheck/Realtime/FunctionRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/TrailcheckAuditRole]',
  'Trailcheck/Realtime/FunctionRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::*:account/o-a1b2c3d4e5/*]',
  'Trailcheck/Realtime/FunctionRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::*:ou/o-a1b2c3d4e5/ou-*]',
  'Trailcheck/Reports/Bucket AwsSolutions-S1',
  'Trailcheck/Slack/Failures AwsSolutions-SQS3',
  'Trailcheck/Slack/WebhookUrl AwsSolutions-SMG4',
  'TrailcheckManagementRole/AuditRole/Role AwsSolutions-IAM5[Resource::*]',
  'TrailcheckManagementRole/AuditRole/Role AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudtrail:*:*:trail/*]',
  'TrailcheckMemberRole/AuditRole/Role AwsSolutions-IAM5[Resource::*]',
  'TrailcheckMemberRole/AuditRole/Role AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudtrail:*:*:trail/*]',
];

describe('cdk-nag AwsSolutions over every stack', () => {
  it('passes on the app exactly as cdk.json configures it (what `npx cdk synth` checks), warning about the example values', () => {
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const s = synth(CDK_JSON.context.trailcheck as Record<string, unknown>, { replace: true });
      expect(s.nagViolations).toEqual([]);
      expect(s.member).toBeDefined();
      const output = printed.mock.calls.flat().join('\n');
      expect(output).toContain('trailcheck.emails is empty');
      expect(output).toContain('trailcheck.organizationId is the example value o-exampleorgid');
    } finally {
      printed.mockRestore();
    }
  });

  it('passes in management mode with subscribers', () => {
    expect(synth().nagViolations).toEqual([]);
  });

  it('passes in delegatedAdmin mode, the management role stack and member template included', () => {
    const s = synth(DELEGATED);
    expect(s.nagViolations).toEqual([]);
    expect(s.managementRole).toBeDefined();
    expect(s.member).toBeDefined();
  });
});

describe('acknowledgments', () => {
  const recorded: Array<{ path: string; rule: Acknowledgment }> = [];
  const findings: Array<{ path: string; rule: string }> = [];

  beforeAll(() => {
    // Record the acknowledgments instead of applying them, so every finding surfaces.
    const spy = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: Validations, ...rules: Acknowledgment[]) {
      const scope = (this as unknown as { scope: { node: { path: string } } }).scope;
      for (const rule of rules) recorded.push({ path: scope.node.path, rule });
    });
    try {
      const outdir = tempOutdir();
      const app = new App({ outdir, context: { ...CDK_JSON.context, trailcheck: { ...BASE, ...DELEGATED }, 'aws:cdk:bundling-stacks': [] } });
      createTrailcheckStacks(app, loadConfig(app.node));
      // The member template, synthesized here in the main app so its findings are collected too.
      const config = parseConfig({ ...BASE, ...DELEGATED });
      new MemberRoleStack(app, 'TrailcheckMemberRole', { roleName: config.roleName, functionRoleName: config.functionRoleName, organizationId: config.organizationId as string });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      expect(() => app.synth()).toThrow(/AwsSolutions/);
      for (const v of readNagViolations(outdir)) for (const p of v.paths) findings.push({ path: p, rule: v.ruleName });
    } finally {
      spy.mockRestore();
    }
  });

  const covers = (ackPath: string, findingPath: string) => findingPath === ackPath || findingPath.startsWith(`${ackPath}/`);

  it('are exactly the expected ones', () => {
    // The member template's acknowledgments are recorded twice: in the StackSet's own synthesis and here.
    expect([...new Set(recorded.map((r) => `${r.path} ${r.rule.id}`))].sort()).toEqual(EXPECTED_ACKNOWLEDGMENTS);
    const onePerFinding = recorded.filter((r) => !r.path.startsWith('TrailcheckMemberRole/')).map((r) => `${r.path} ${r.rule.id}`);
    expect(new Set(onePerFinding).size).toBe(onePerFinding.length);
  });

  it('each cover a real finding (none is stale)', () => {
    for (const { path: p, rule } of recorded) {
      expect({ ack: `${p} ${rule.id}`, used: findings.some((f) => f.rule === rule.id && covers(p, f.path)) }).toEqual({ ack: `${p} ${rule.id}`, used: true });
    }
  });

  it('leave no finding unacknowledged', () => {
    for (const f of findings) {
      expect({ finding: `${f.path} ${f.rule}`, acknowledged: recorded.some((r) => r.rule.id === f.rule && covers(r.path, f.path)) }).toEqual({
        finding: `${f.path} ${f.rule}`,
        acknowledged: true,
      });
    }
  });

  it('each carry a real reason', () => {
    for (const { rule } of recorded) {
      expect(rule.reason.length).toBeGreaterThanOrEqual(80);
      expect(rule.reason).not.toMatch(/\b(todo|fixme|tbd|temporary|ignore|n\/a)\b/i);
    }
  });
});
