/**
 * The app's stacks from the configuration: shared by bin/app.ts and the tests, so the tests
 * check exactly what `cdk synth` produces.
 */
import type { App, IPolicyValidationPlugin } from 'aws-cdk-lib';
import { AuditStack } from './audit-stack';
import type { TrailcheckConfig } from './config';
import { ManagementRoleStack } from './member-role';
import { REALTIME_NAMES } from './realtime-events';
import { realtimeManagementStacks, type RealtimeManagementStacks } from './realtime';

export const STACK_NAMES = { audit: 'Trailcheck', managementRole: 'TrailcheckManagementRole' } as const;

export interface TrailcheckStacks {
  audit: AuditStack;
  /** delegatedAdmin mode: the audit role for the management account (deployed there separately). */
  managementRole?: ManagementRoleStack;
  /** Real-time re-audit: the management account's forwarding rules (lib/realtime.ts), deployed there separately. */
  realtimeManagement: RealtimeManagementStacks;
}

export interface CreateStacksOptions {
  /** Validation plugins (cdk-nag) for the StackSet's member template, which is synthesized on its own. */
  memberTemplatePlugins?: (app: App) => IPolicyValidationPlugin[];
}

export function createTrailcheckStacks(app: App, config: TrailcheckConfig, options: CreateStacksOptions = {}): TrailcheckStacks {
  const audit = new AuditStack(app, STACK_NAMES.audit, {
    config,
    env: { account: config.auditAccountId, region: config.region },
    memberTemplatePlugins: options.memberTemplatePlugins,
  });
  let managementRole: ManagementRoleStack | undefined;
  if (config.managementRoleStack) {
    managementRole = new ManagementRoleStack(app, STACK_NAMES.managementRole, {
      env: { account: config.managementAccountId, region: config.region },
      roleName: config.roleName,
      functionRoleName: config.functionRoleName,
      organizationId: config.organizationId as string,
      externalId: config.externalId,
      securityHubRegion: config.securityHub,
      auditAccountId: config.auditAccountId as string,
      eventFunctionRoleName: config.realtime ? REALTIME_NAMES.functionRole : undefined,
    });
  }
  return { audit, managementRole, realtimeManagement: realtimeManagementStacks(app, config, audit) };
}
