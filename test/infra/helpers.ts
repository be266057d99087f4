/**
 * Synthesizes the app the way bin/app.ts does (same context from cdk.json, same stacks, cdk-nag
 * on every stack and on the member template), without bundling unless asked.
 */
import { runNode, type ChildResult } from '../child';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createTrailcheckStacks, STACK_NAMES, type TrailcheckStacks } from '../../lib/app';
import { loadConfig, type TrailcheckConfig } from '../../lib/config';

export const ROOT = path.resolve(__dirname, '../..');
export const CDK_JSON = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { app: string; context: Record<string, unknown> };

/** A realistic configuration (cdk.json's example, with a plausible organization and subscribers). */
export const BASE = {
  mode: 'management',
  organizationId: 'o-a1b2c3d4e5',
  memberRoleTargets: ['r-a1b2'],
  emails: ['secops@example.com', 'platform-team@example.org'],
  // The real-time re-audit (on by default) is off for the suites about the scheduled audit:
  // test/infra/realtime.test.ts turns it on, and nag.test.ts checks cdk.json's defaults with it.
  realtime: false,
} as const;

export interface Synthesized {
  app: App;
  config: TrailcheckConfig;
  stacks: TrailcheckStacks;
  audit: Template;
  auditJson: Record<string, any>;
  managementRole?: Template;
  /** The StackSet's member template (parsed from its TemplateBody). */
  member?: Template;
  /** Violations reported by cdk-nag (errors throw; this also catches warnings). */
  nagViolations: Array<{ ruleName: string; severity: string; paths: string[] }>;
}

export interface SynthOptions {
  nag?: boolean;
  bundling?: boolean;
  /** Replace BASE instead of extending it. */
  replace?: boolean;
}

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temporary cloud assembly directory, removed after the test file. */
export function tempOutdir(prefix = 'trailcheck-infra-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  outdirs.push(dir);
  return dir;
}

export function synth(trailcheck: Record<string, unknown> = {}, options: SynthOptions = {}): Synthesized {
  const { nag = true, bundling = false } = options;
  const outdir = tempOutdir();
  const context: Record<string, unknown> = { ...CDK_JSON.context, trailcheck: options.replace ? trailcheck : { ...BASE, ...trailcheck } };
  if (!bundling) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({ outdir, context });
  const config = loadConfig(app.node);
  const stacks = createTrailcheckStacks(app, config, nag ? { memberTemplatePlugins: (scope) => [new AwsSolutionsChecks(scope)] } : {});
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  const auditJson = assembly.getStackByName(STACK_NAMES.audit).template;
  const managementRoleJson = stacks.managementRole ? assembly.getStackByName(STACK_NAMES.managementRole).template : undefined;
  const body = auditJson.Resources?.MemberRoles?.Properties?.TemplateBody as string | undefined;
  return {
    app,
    config,
    stacks,
    audit: Template.fromJSON(auditJson),
    auditJson,
    managementRole: managementRoleJson ? Template.fromJSON(managementRoleJson) : undefined,
    member: body ? Template.fromJSON(JSON.parse(body)) : undefined,
    nagViolations: readNagViolations(assembly.directory),
  };
}

export function readNagViolations(dir: string): Synthesized['nagViolations'] {
  const file = path.join(dir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; severity: string; violatingConstructs?: Array<{ constructPath: string }> }> }>;
  };
  return report.pluginReports
    .filter((p) => p.pluginName === 'AwsSolutions')
    .flatMap((p) => p.violations.map((v) => ({ ruleName: v.ruleName, severity: v.severity, paths: (v.violatingConstructs ?? []).map((c) => c.constructPath) })));
}

type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Principal?: unknown; Condition?: unknown; Sid?: string };

export function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Every policy statement in a template: IAM policies, role inline and trust policies, resource policies, key policies. */
export function allStatements(template: Record<string, any>): Array<{ logicalId: string; type: string; statement: Statement }> {
  const out: Array<{ logicalId: string; type: string; statement: Statement }> = [];
  for (const [logicalId, r] of Object.entries<any>(template.Resources ?? {})) {
    const docs: any[] = [];
    const p = r.Properties ?? {};
    if (p.PolicyDocument) docs.push(p.PolicyDocument);
    if (p.AssumeRolePolicyDocument) docs.push(p.AssumeRolePolicyDocument);
    if (p.KeyPolicy) docs.push(p.KeyPolicy);
    for (const inline of p.Policies ?? []) docs.push(inline.PolicyDocument);
    for (const doc of docs) for (const statement of asArray<Statement>(doc.Statement)) out.push({ logicalId, type: r.Type, statement });
  }
  return out;
}

/** The actions an IAM role may perform: its inline policies and the AWS::IAM::Policy resources attached to it. */
export function roleActions(template: Record<string, any>, roleLogicalId: string): string[] {
  const actions = new Set<string>();
  const resources = template.Resources as Record<string, any>;
  const add = (doc: any) => {
    for (const s of asArray<Statement>(doc.Statement)) if (s.Effect === 'Allow') for (const a of asArray(s.Action)) actions.add(a);
  };
  for (const inline of resources[roleLogicalId].Properties.Policies ?? []) add(inline.PolicyDocument);
  for (const r of Object.values<any>(resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    if (asArray<any>(r.Properties.Roles).some((ref) => ref?.Ref === roleLogicalId)) add(r.Properties.PolicyDocument);
  }
  return [...actions].sort();
}

export function logicalIdOf(template: Record<string, any>, type: string, predicate: (props: any) => boolean = () => true): string {
  const ids = Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type && predicate(r.Properties ?? {}));
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0][0];
}

/**
 * Runs a deployed bundle the way Lambda would: a fresh Node.js process evaluating `script` in the
 * asset directory, with only the environment given (and PATH).
 */
export function runBundle(assetDir: string, script: string, env: Record<string, string>): Promise<ChildResult> {
  return runNode(['-e', script], { cwd: assetDir, env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env } });
}
