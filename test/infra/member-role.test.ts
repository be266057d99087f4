/**
 * The member role (the StackSet's template) and the management account's copy: exact
 * permissions, exact trust conditions, nothing a StackSet instance cannot deploy.
 */
import { App, type IPolicyValidationPlugin, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ManagementRoleStack, MEMBER_ROLE_ACTIONS, MemberRoleStack, memberRoleTemplate } from '../../lib/member-role';
import { CDK_JSON, readNagViolations, roleActions, tempOutdir } from './helpers';

const SETTINGS = { roleName: 'TrailcheckAuditRole', functionRoleName: 'TrailcheckAuditFunctionRole', organizationId: 'o-a1b2c3d4e5' };
const PARTITION_JOIN = (...parts: unknown[]) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...parts]] });

function synthStack<T>(build: (app: App) => T & { stackName: string }): { template: Record<string, any>; violations: ReturnType<typeof readNagViolations> } {
  const outdir = tempOutdir();
  const app = new App({ outdir, context: { ...CDK_JSON.context } });
  const stack = build(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  return { template: assembly.getStackByName(stack.stackName).template, violations: readNagViolations(assembly.directory) };
}

describe('member role template (StackSet)', () => {
  let template: Record<string, any>;
  let violations: ReturnType<typeof readNagViolations>;
  beforeAll(() => {
    ({ template, violations } = synthStack((app) => new MemberRoleStack(app, 'TrailcheckMemberRole', SETTINGS)));
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    expect(violations).toEqual([]);
  });

  it('equals what the StackSet embeds', () => {
    expect(memberRoleTemplate(SETTINGS, { context: CDK_JSON.context })).toEqual(template);
  });

  it('holds only the role, with the audit account as its one parameter and no bootstrap requirements', () => {
    expect(Object.values<any>(template.Resources).map((r) => r.Type)).toEqual(['AWS::IAM::Role']);
    expect(template.Parameters).toEqual({
      AuditAccountId: { Type: 'String', AllowedPattern: '^\\d{12}$', Description: expect.any(String) },
    });
    expect(template.Rules).toBeUndefined();
  });

  it('allows exactly DescribeTrails, GetTrailStatus and GetEventSelectors', () => {
    const roleId = Object.keys(template.Resources)[0];
    expect(roleActions(template, roleId)).toEqual([...MEMBER_ROLE_ACTIONS]);
    const role = template.Resources[roleId].Properties;
    expect(role.RoleName).toBe('TrailcheckAuditRole');
    expect(role.MaxSessionDuration).toBe(3600);
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies).toEqual([
      {
        PolicyName: 'CloudTrailRead',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Sid: 'ListTrails', Effect: 'Allow', Action: 'cloudtrail:DescribeTrails', Resource: '*' },
            { Sid: 'ReadTrailStatusAndSelectors', Effect: 'Allow', Action: ['cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'], Resource: PARTITION_JOIN(':cloudtrail:*:*:trail/*') },
          ],
        },
      },
    ]);
  });

  it("trusts only the audit function's role, from inside the organization", () => {
    const role = Object.values<any>(template.Resources)[0].Properties;
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { AWS: PARTITION_JOIN(':iam::', { Ref: 'AuditAccountId' }, ':root') },
          Condition: {
            ArnEquals: { 'aws:PrincipalArn': PARTITION_JOIN(':iam::', { Ref: 'AuditAccountId' }, ':role/TrailcheckAuditFunctionRole') },
            StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
          },
        },
      ],
    });
  });

  it('does not depend on how the app runs (the CLI passes context in the environment)', () => {
    const before = memberRoleTemplate(SETTINGS);
    process.env.CDK_CONTEXT_JSON = JSON.stringify({ 'aws:cdk:enable-path-metadata': true, 'aws:cdk:version-reporting': true, '@aws-cdk/core:appMode': 'process' });
    try {
      expect(memberRoleTemplate(SETTINGS)).toEqual(before);
    } finally {
      delete process.env.CDK_CONTEXT_JSON;
    }
  });

  it('adds the ExternalId condition when configured', () => {
    const withExternalId = memberRoleTemplate({ ...SETTINGS, externalId: 'ext-42' }, { context: CDK_JSON.context });
    Template.fromJSON(withExternalId).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5', 'sts:ExternalId': 'ext-42' } } }] },
    });
  });

  it('fails synthesis when a validation plugin finds a violation in the member template', () => {
    const failing: IPolicyValidationPlugin = {
      name: 'AlwaysFails',
      validate: (ctx) => ({
        success: false,
        violations: [{ ruleName: 'no-roles', description: 'no roles allowed', violatingResources: [{ resourceLogicalId: 'x', templatePath: ctx.templatePaths[0], locations: [] }] }],
      }),
    };
    expect(() => memberRoleTemplate(SETTINGS, { plugins: () => [failing] })).toThrow(/no roles allowed/);
  });
});

describe('management role stack (delegatedAdmin mode)', () => {
  let template: Record<string, any>;
  let violations: ReturnType<typeof readNagViolations>;
  beforeAll(() => {
    ({ template, violations } = synthStack((app) => new ManagementRoleStack(app, 'TrailcheckManagementRole', { ...SETTINGS, externalId: 'ext-42', auditAccountId: '222222222222' })));
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    expect(violations).toEqual([]);
  });

  it('needs no bootstrap in the management account', () => {
    expect(template.Parameters).toBeUndefined();
    expect(template.Rules).toBeUndefined();
  });

  it('creates the same read-only role, trusting the delegated administrator’s function role', () => {
    const roleId = Object.keys(template.Resources).find((k) => template.Resources[k].Type === 'AWS::IAM::Role') as string;
    expect(roleActions(template, roleId)).toEqual([...MEMBER_ROLE_ACTIONS]);
    expect(template.Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { AWS: PARTITION_JOIN(':iam::222222222222:root') },
        Condition: {
          ArnEquals: { 'aws:PrincipalArn': PARTITION_JOIN(':iam::222222222222:role/TrailcheckAuditFunctionRole') },
          StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5', 'sts:ExternalId': 'ext-42' },
        },
      },
    ]);
  });
});
