/**
 * The read-only audit role in each audited account, and the templates that carry it:
 *  - `MemberRoleStack`: the StackSet's member template. A real `Stack`, synthesized on its own
 *    (`memberRoleTemplate`) so cdk-nag checks it like any other stack; the audit stack embeds
 *    the result as the StackSet's `TemplateBody`.
 *  - `ManagementRoleStack`: the same role for the management account, which StackSets never
 *    deploy to (delegatedAdmin mode; in management mode the function audits that account with
 *    its own role).
 *
 * The role may only read trails (cloudtrail:DescribeTrails, GetTrailStatus, GetEventSelectors).
 * Its trust policy admits the audit account's root principal on conditions: the caller must be
 * the function's role, or the real-time event function's (`aws:PrincipalArn`, by fixed names, so
 * no cross-stack reference and no dependency on the roles existing first), from inside the organization (`aws:PrincipalOrgID`),
 * with the ExternalId when one is configured.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Aws, BootstraplessSynthesizer, CfnOutput, CfnParameter, Duration, type IPolicyValidationPlugin, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The only actions the member role allows: what lambda/aws/trails.ts calls. */
export const MEMBER_ROLE_ACTIONS = ['cloudtrail:DescribeTrails', 'cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'] as const;
/** And, when Security Hub findings are imported (`securityHub`), what lambda/aws/security-hub.ts calls. */
export const SECURITY_HUB_ACTIONS = ['securityhub:BatchImportFindings'] as const;

export interface MemberRoleSettings {
  /** Name of the audit role (what the function assumes in every account). */
  readonly roleName: string;
  /** Name of the function's role in the audit account. */
  readonly functionRoleName: string;
  /** Name of the event function's role in the audit account (real-time re-audit, lib/realtime.ts), trusted beside it when set. */
  readonly eventFunctionRoleName?: string;
  readonly organizationId: string;
  readonly externalId?: string;
  /** The Security Hub region (`securityHub`): the role may then import the account's own findings there. */
  readonly securityHubRegion?: string;
}

export interface MemberRoleProps extends MemberRoleSettings {
  /** The account the audit function runs in (a literal or a token such as a CfnParameter). */
  readonly auditAccountId: string;
}

/** The CloudTrail read statements, shared by the member role and the function's own role. */
export function cloudTrailReadStatements(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ListTrails',
      actions: ['cloudtrail:DescribeTrails'],
      // DescribeTrails supports no resource-level permissions: it must be "*".
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadTrailStatusAndSelectors',
      actions: ['cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'],
      // Trails only; any region (multi-region trails are read in their home region) and any
      // account (an organization trail belongs to the management or a delegated account).
      resources: [`arn:${Aws.PARTITION}:cloudtrail:*:*:trail/*`],
    }),
  ];
}

/**
 * BatchImportFindings into the account's own default product in the Security Hub region, and
 * nowhere else: the one product a custom integration imports to (`product/<account>/default`),
 * in the account the policy is deployed in (`AWS::AccountId`), so no role can write findings for
 * another account or product. Shared by the member role and the function's own role.
 */
export function securityHubImportStatement(region: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ImportOwnSecurityHubFindings',
    actions: [...SECURITY_HUB_ACTIONS],
    resources: [`arn:${Aws.PARTITION}:securityhub:${region}:${Aws.ACCOUNT_ID}:product/${Aws.ACCOUNT_ID}/default`],
  });
}

/**
 * Acknowledgments for `cloudTrailReadStatements` on the construct holding them. `wildcardResource`
 * false: the caller acknowledges `Resource::*` itself (one reason per finding).
 */
export function acknowledgeCloudTrailRead(scope: Construct, options: { wildcardResource?: boolean } = {}): void {
  if (options.wildcardResource ?? true) {
    Validations.of(scope).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'cloudtrail:DescribeTrails has no resource-level permissions (Service Authorization Reference): only "*" works. The statement allows that one read-only List action.',
    });
  }
  Validations.of(scope).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudtrail:*:*:trail/*]',
    reason:
      'GetTrailStatus and GetEventSelectors are read-only and scoped to trails. The trails to read are discovered at run time in every region, and organization trails belong to another account (the management or a delegated account), so region and account cannot be fixed.',
  });
}

export class MemberRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MemberRoleProps) {
    super(scope, id);
    const roleArn = (name: string) => `arn:${Aws.PARTITION}:iam::${props.auditAccountId}:role/${name}`;
    const functionRoleArn = props.eventFunctionRoleName ? [roleArn(props.functionRoleName), roleArn(props.eventFunctionRoleName)] : roleArn(props.functionRoleName);
    const stringEquals: Record<string, string> = { 'aws:PrincipalOrgID': props.organizationId };
    if (props.externalId) stringEquals['sts:ExternalId'] = props.externalId;
    const trusted = new iam.AccountPrincipal(props.auditAccountId).withConditions({
      ArnEquals: { 'aws:PrincipalArn': functionRoleArn },
      StringEquals: stringEquals,
    });

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'trailcheck: read-only CloudTrail audit (CIS: CloudTrail enabled in all regions), assumed by the audit function',
      assumedBy: trusted,
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        CloudTrailRead: new iam.PolicyDocument({ statements: cloudTrailReadStatements() }),
        ...(props.securityHubRegion ? { SecurityHubImport: new iam.PolicyDocument({ statements: [securityHubImportStatement(props.securityHubRegion)] }) } : {}),
      },
    });
    acknowledgeCloudTrailRead(this.role);
  }
}

/** Logical id and name of the member template's one parameter, set by the StackSet. */
export const AUDIT_ACCOUNT_PARAMETER = 'AuditAccountId';

/** The StackSet's member template, as a stack (no assets, no bootstrap: StackSets deploy it as is). */
export class MemberRoleStack extends Stack {
  readonly memberRole: MemberRole;

  constructor(scope: Construct, id: string, props: MemberRoleSettings & StackProps) {
    super(scope, id, {
      ...props,
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
      description: 'trailcheck member role: read-only CloudTrail audit role, deployed to every account by the trailcheck-member-roles StackSet',
    });
    const auditAccount = new CfnParameter(this, AUDIT_ACCOUNT_PARAMETER, {
      type: 'String',
      allowedPattern: '^\\d{12}$',
      description: 'The account the trailcheck audit function runs in (set by the StackSet).',
    });
    this.memberRole = new MemberRole(this, 'AuditRole', { ...props, auditAccountId: auditAccount.valueAsString });
    new CfnOutput(this, 'AuditRoleArn', { value: this.memberRole.role.roleArn });
  }
}

export interface MemberRoleTemplateOptions {
  /** Context for the template's own app (feature flags): normally the audit app's. */
  readonly context?: Record<string, unknown>;
  /** Validation plugins (cdk-nag) run over the member template; a violation fails synthesis. */
  readonly plugins?: (app: App) => IPolicyValidationPlugin[];
}

/** Synthesizes `MemberRoleStack` in an app of its own and returns the CloudFormation template. */
export function memberRoleTemplate(settings: MemberRoleSettings, options: MemberRoleTemplateOptions = {}): Record<string, unknown> {
  return standaloneTemplate((app) => new MemberRoleStack(app, 'TrailcheckMemberRole', settings), options);
}

/** Synthesizes the stack `build` makes in an app of its own (a StackSet's template) and returns its CloudFormation template. */
export function standaloneTemplate(build: (app: App) => Stack, options: MemberRoleTemplateOptions = {}): Record<string, unknown> {
  // An explicit outdir: under the CLI, a new App would otherwise write into the CLI's cdk.out.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'trailcheck-member-template-'));
  try {
    const context = Object.fromEntries(Object.entries(options.context ?? {}).filter(([k]) => !k.startsWith('aws:cdk:') && !k.startsWith('trailcheck')));
    const app = new App({
      outdir,
      context,
      // Over what the CLI passes in the environment: the template must not depend on how the app runs.
      postCliContext: {
        '@aws-cdk/core:appMode': 'inmemory',
        'aws:cdk:enable-path-metadata': false,
        'aws:cdk:enable-asset-metadata': false,
        'aws:cdk:version-reporting': false,
      },
      autoSynth: false,
      treeMetadata: false,
      stackTraces: false,
    });
    const stack = build(app);
    if (options.plugins) Validations.of(app).addPlugins(...options.plugins(app));
    return app.synth().getStackByName(stack.stackName).template as Record<string, unknown>;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export interface ManagementRoleStackProps extends MemberRoleSettings, StackProps {
  readonly auditAccountId: string;
}

/**
 * The audit role in the management account (delegatedAdmin mode), deployed there once with
 * `cdk deploy TrailcheckManagementRole`. No assets, so the account needs no CDK bootstrap.
 */
export class ManagementRoleStack extends Stack {
  readonly memberRole: MemberRole;

  constructor(scope: Construct, id: string, props: ManagementRoleStackProps) {
    super(scope, id, {
      ...props,
      synthesizer: props.synthesizer ?? new BootstraplessSynthesizer(),
      description: props.description ?? 'trailcheck: read-only CloudTrail audit role for the management account (StackSets never deploy there)',
    });
    this.memberRole = new MemberRole(this, 'AuditRole', props);
    new CfnOutput(this, 'AuditRoleArn', { value: this.memberRole.role.roleArn });
  }
}
