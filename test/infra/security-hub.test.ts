/**
 * `securityHub` (the Security Hub region): the member role, the management account's role and the
 * function's own role gain securityhub:BatchImportFindings on their own account's default product
 * in that region, and nothing else; without it, nothing changes. cdk-nag stays clean.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MEMBER_ROLE_ACTIONS, MemberRoleStack, SECURITY_HUB_ACTIONS } from '../../lib/member-role';
import { CDK_JSON, allStatements, asArray, logicalIdOf, readNagViolations, roleActions, synth, tempOutdir } from './helpers';

const SETTINGS = { roleName: 'TrailcheckAuditRole', functionRoleName: 'TrailcheckAuditFunctionRole', organizationId: 'o-a1b2c3d4e5' };
const PRODUCT = (region: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:securityhub:${region}:`, { Ref: 'AWS::AccountId' }, ':product/', { Ref: 'AWS::AccountId' }, '/default']] });

function memberTemplate(settings: Record<string, unknown>) {
  const app = new App({ outdir: tempOutdir(), context: { ...CDK_JSON.context } });
  const stack = new MemberRoleStack(app, 'TrailcheckMemberRole', { ...SETTINGS, ...settings });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  return { template: assembly.getStackByName(stack.stackName).template, violations: readNagViolations(assembly.directory) };
}

const importStatements = (template: Record<string, any>) => allStatements(template).filter((s) => asArray(s.statement.Action).some((a) => String(a).startsWith('securityhub:')));

describe('member role and Security Hub', () => {
  it('without securityHub: exactly the three CloudTrail reads', () => {
    const { template } = memberTemplate({});
    expect(roleActions(template, Object.keys(template.Resources)[0])).toEqual([...MEMBER_ROLE_ACTIONS]);
  });

  it('with securityHub: the reads and BatchImportFindings on its own account’s default product in that region only; cdk-nag clean', () => {
    const { template, violations } = memberTemplate({ securityHubRegion: 'eu-west-1' });
    const roleId = Object.keys(template.Resources)[0];
    expect(roleActions(template, roleId)).toEqual([...MEMBER_ROLE_ACTIONS, 'securityhub:BatchImportFindings']);
    expect(template.Resources[roleId].Properties.Policies[1]).toEqual({
      PolicyName: 'SecurityHubImport',
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'ImportOwnSecurityHubFindings', Effect: 'Allow', Action: 'securityhub:BatchImportFindings', Resource: PRODUCT('eu-west-1') }] },
    });
    expect(violations).toEqual([]);
    expect(SECURITY_HUB_ACTIONS).toEqual(['securityhub:BatchImportFindings']);
  });
});

describe('the deployment with securityHub', () => {
  it('the function, the StackSet’s member template and the management role stack each import only their own account’s findings; the function is told the region', () => {
    const s = synth({ mode: 'delegatedAdmin', auditAccountId: '222222222222', managementAccountId: '111111111111', securityHub: 'eu-west-1' });
    expect(s.nagViolations).toEqual([]);
    for (const t of [s.auditJson, s.member!.toJSON(), s.managementRole!.toJSON()]) {
      const found = importStatements(t);
      expect(found.map((x) => [x.statement.Action, x.statement.Resource])).toEqual([['securityhub:BatchImportFindings', PRODUCT('eu-west-1')]]);
    }
    const fn = s.auditJson.Resources[logicalIdOf(s.auditJson, 'AWS::Lambda::Function')];
    expect(fn.Properties.Environment.Variables.TRAILCHECK_SECURITY_HUB_REGION).toBe('eu-west-1');
  });

  it('without it: no securityhub action anywhere, and no variable', () => {
    const s = synth({ mode: 'delegatedAdmin', auditAccountId: '222222222222', managementAccountId: '111111111111' }, { nag: false });
    for (const t of [s.auditJson, s.member!.toJSON(), s.managementRole!.toJSON()]) expect(importStatements(t)).toEqual([]);
    const fn = s.auditJson.Resources[logicalIdOf(s.auditJson, 'AWS::Lambda::Function')];
    expect(fn.Properties.Environment.Variables.TRAILCHECK_SECURITY_HUB_REGION).toBeUndefined();
  });

  it.each([['EU-WEST-1'], ['eu-west'], ['*'], ['eu-west-1:*'], ['']])('a bad region %j fails at synth, naming the key', (region) => {
    expect(() => synth({ securityHub: region }, { nag: false })).toThrow(/trailcheck\.securityHub/);
  });
});
