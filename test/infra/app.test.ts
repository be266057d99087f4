/**
 * bin/app.ts as the CDK CLI runs it (`npx cdk synth`): cdk.json's context in CDK_CONTEXT_JSON, an
 * output directory in CDK_OUTDIR. Bundling is skipped here (bundling.test.ts bundles).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CDK_JSON, ROOT, tempOutdir } from './helpers';

function runApp(context: Record<string, unknown>) {
  const outdir = tempOutdir();
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'bin/app.ts')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: '', CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON.context, 'aws:cdk:bundling-stacks': [], ...context }) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { ...result, outdir };
}

describe('bin/app.ts', () => {
  it('synthesizes cdk.json’s example offline, cdk-nag included', () => {
    const r = runApp({});
    expect(r.stderr).not.toMatch(/AwsSolutions/);
    expect(r.status).toBe(0);
    expect(fs.readdirSync(r.outdir)).toEqual(expect.arrayContaining(['Trailcheck.template.json', 'manifest.json']));
    const template = JSON.parse(fs.readFileSync(path.join(r.outdir, 'Trailcheck.template.json'), 'utf8'));
    expect(template.Resources.MemberRoles.Type).toBe('AWS::CloudFormation::StackSet');
  }, 60_000);

  it('stops with the configuration error, naming the key', () => {
    const r = runApp({ trailcheck: { ...(CDK_JSON.context.trailcheck as object), emails: ['alice@example.com', 'bob@'] } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('trailcheck configuration error: trailcheck.emails[1]: expected an email address, got "bob@"');
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  }, 60_000);
});
