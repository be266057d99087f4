/**
 * The one infra test that bundles for real: the local esbuild (no Docker), minified, with a
 * source map, and the AWS SDK inside the bundle. What the bundle does is tested elsewhere.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUNDLING, LAMBDA_UNREACHABLE_CREDENTIAL_PROVIDERS, NODE_RUNTIME, NODE_TARGET } from '../../lib/function-defaults';
import { POLICY_FILE } from '../../lambda/policy';
import { SCRIPT, STYLE } from '../../lambda/report/html-assets';
import { loadScenario } from '../../simulator/scenario';
import { startSimulator } from '../../simulator/server';
import { ROOT, synth, runBundle } from './helpers';

describe('function bundling', () => {
  let assetDir: string;
  let handler: string;
  let functionEnv: Record<string, unknown>;
  let topicLogicalId: string;
  let bucketLogicalId: string;
  beforeAll(() => {
    const s = synth({}, { bundling: true, nag: false });
    const fn = Object.values<any>(s.audit.findResources('AWS::Lambda::Function'))[0];
    functionEnv = fn.Properties.Environment.Variables;
    topicLogicalId = Object.keys(s.audit.findResources('AWS::SNS::Topic'))[0];
    bucketLogicalId = Object.keys(s.audit.findResources('AWS::S3::Bucket'))[0];
    const code = fn.Properties.Code;
    expect(code.S3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
    const outdir = s.app.outdir;
    const asset = fs.readdirSync(outdir).find((f) => f.startsWith('asset.') && fs.existsSync(path.join(outdir, f, 'index.js')));
    assetDir = path.join(outdir, asset as string);
    handler = fs.readFileSync(path.join(assetDir, 'index.js'), 'utf8');
  }, 60_000);

  it('uses the house bundling options', () => {
    expect(BUNDLING).toMatchObject({ minify: true, sourceMap: true, target: NODE_TARGET, externalModules: LAMBDA_UNREACHABLE_CREDENTIAL_PROVIDERS, forceDockerBundling: false });
    expect(NODE_TARGET).toBe(`node${NODE_RUNTIME.name.match(/^nodejs(\d+)/)?.[1]}`);
  });

  it('writes a minified bundle with its source map', () => {
    expect(fs.readdirSync(assetDir).sort()).toEqual(['index.js', 'index.js.map', POLICY_FILE]);
    // Nothing configured: an empty policy, beside the bundle.
    expect(JSON.parse(fs.readFileSync(path.join(assetDir, POLICY_FILE), 'utf8'))).toEqual({ schemaVersion: 1, exemptions: [], routes: [] });
    // Minified: the only line breaks beyond a few are those inside the HTML page's inline style and script (strings).
    const assetLines = STYLE.split('\n').length + SCRIPT.split('\n').length;
    expect(handler.split('\n').length).toBeLessThan(200 + assetLines);
    expect(handler).toMatch(/sourceMappingURL=index\.js\.map/);
  });

  it('bundles the AWS SDK instead of relying on the runtime’s copy', () => {
    for (const client of ['client-sts', 'client-organizations', 'client-cloudtrail', 'client-sns']) {
      expect(handler).not.toContain(`require("@aws-sdk/${client}")`);
    }
    // Only the credential providers Lambda never reaches are left out, and only as lazy requires.
    for (const external of LAMBDA_UNREACHABLE_CREDENTIAL_PROVIDERS) expect(handler).toContain(`import("${external}")`);
    expect(handler.length).toBeLessThanOrEqual(600 * 1024);
    // The bucket is reached by signed HTTP (lambda/aws/s3-wire.ts): no S3 client, nor its middleware, in the bundle.
    const sources: string[] = JSON.parse(fs.readFileSync(path.join(assetDir, 'index.js.map'), 'utf8')).sources;
    expect(sources.filter((s) => /@aws-sdk\/(client-s3|middleware-sdk-s3|checksums)\//.test(s))).toEqual([]);
    expect(sources.some((s) => s.endsWith('lambda/aws/s3-wire.ts'))).toBe(true);
    // Operation names survive minification (class names such as AssumeRoleCommand do not).
    for (const operation of ['"AssumeRole"', '"ListAccounts"', '"DescribeTrails"', '"Publish"', '"PutObject"']) expect(handler).toContain(operation);
  });

  it('the deployed artifact works: the bundle, with the environment the stack gives it, audits the simulated organization, archives the report and publishes', async () => {
    const bucket = 'trailcheck-reports-bundle-test';
    const scenario = { ...loadScenario(path.join(ROOT, 'simulator/scenarios/demo.json')), buckets: ['trailcheck-reports-bundle-test'] };
    const topicArn = scenario.topics?.[0] as string;
    const region = 'us-east-1';
    // The stack's environment, its CloudFormation references resolved as they would be at deploy time.
    const resolved: Record<string, string> = {};
    for (const [name, value] of Object.entries(functionEnv)) {
      if (typeof value === 'string') resolved[name] = value;
      else if ((value as { Ref?: string }).Ref === topicLogicalId) resolved[name] = topicArn;
      else if ((value as { Ref?: string }).Ref === 'AWS::Region') resolved[name] = region;
      else if ((value as { Ref?: string }).Ref === bucketLogicalId) resolved[name] = bucket;
      else throw new Error(`environment variable ${name} has an unexpected value ${JSON.stringify(value)}`);
    }
    expect(Object.keys(resolved)).toEqual(expect.arrayContaining(['TRAILCHECK_TOPIC_ARN', 'TRAILCHECK_ROLE_NAME', 'TRAILCHECK_REGION']));

    const sim = await startSimulator(scenario, { port: 0 });
    try {
      const event = { version: '0', id: 'e1', 'detail-type': 'Scheduled Event', source: 'trailcheck.schedule', time: new Date().toISOString(), region, resources: [], detail: {} };
      const script = `require(${JSON.stringify(path.join(assetDir, 'index.js'))}).handler(${JSON.stringify(event)}, { awsRequestId: 'r1', getRemainingTimeInMillis: () => 120000 })
        .then((r) => process.stdout.write('RESULT ' + JSON.stringify(r) + '\\n'), (e) => { process.stderr.write(String(e && e.stack || e)); process.exit(3); });`;
      // A fresh process with only what Lambda would provide: the function's environment and credentials.
      const out = await runBundle(assetDir, script, {
            ...resolved,
            AWS_REGION: region,
            AWS_ACCESS_KEY_ID: scenario.caller.accessKeyId,
            AWS_SECRET_ACCESS_KEY: scenario.caller.secretAccessKey,
            AWS_ENDPOINT_URL: sim.url,
      });
      expect(out.stderr).not.toMatch(/Error:/);
      expect(out.code).toBe(0);
      const result = JSON.parse(out.stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7));
      expect(result.summary).toMatchObject({ total: scenario.accounts.length, FAIL: expect.any(Number), ERROR: expect.any(Number) });
      expect(result.summary.FAIL).toBeGreaterThan(0);
      expect(result.publish).toMatchObject({ published: true });
      expect(result.reportUri).toMatch(new RegExp(`^s3://${bucket}/trailcheck/reports/\\d{4}/\\d{2}/\\d{2}/${result.runId}\\.json$`));
      // The run lock (taken, then released), the report with its OCSF form and HTML page, the latest-report pointer, the previous pointer read.
      expect(sim.callCounts()).toMatchObject({ 's3:PutObject': 5, 's3:GetObject': 1, 's3:DeleteObject': 1 });
      expect(sim.calls.filter((c) => c.service === 's3').map((c) => `${c.action} ${c.params.key}`)).toEqual(
        expect.arrayContaining(['PutObject trailcheck/run-lock.json', 'DeleteObject trailcheck/run-lock.json']),
      );
      expect(sim.published).toHaveLength(1);
      expect(sim.published[0]).toMatchObject({ topicArn, messageStructure: 'json', subject: `trailcheck: ${result.summary.FAIL} FAIL, ${result.summary.ERROR} ERROR of ${result.summary.total} accounts` });
      const body = JSON.parse(sim.published[0].message);
      expect(JSON.parse(body.default).summary).toEqual(result.summary);
      // Structured JSON logs on stdout, one object per line.
      const logs = out.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      expect(logs.find((l) => l.message === 'audit finished')).toMatchObject({ level: 'INFO', service: 'trailcheck' });
    } finally {
      await sim.stop();
    }
  }, 60_000);

  it('an error that escapes the handler is logged with its stack mapped to the TypeScript sources', async () => {
    // No topic configured: the handler throws before any AWS call.
    const { TRAILCHECK_TOPIC_ARN: _, ...env } = Object.fromEntries(Object.entries(functionEnv).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const script = `require(${JSON.stringify(path.join(assetDir, 'index.js'))}).handler({}, { awsRequestId: 'r1', getRemainingTimeInMillis: () => 1000 })
      .then(() => process.exit(0), (e) => { process.stderr.write(String(e && e.stack)); process.exit(3); });`;
    const out = await runBundle(assetDir, script, { ...env, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIAX', AWS_SECRET_ACCESS_KEY: 'x' });
    expect(out.code).toBe(3);
    expect(out.stderr).toMatch(/TRAILCHECK_TOPIC_ARN: not set/);
    const frames = out.stderr.split('\n').filter((l) => l.trim().startsWith('at '));
    expect(frames[0]).toMatch(/lambda\/handler\.ts:\d+:\d+/);
    expect(frames.filter((f) => /index\.js:\d+:\d+/.test(f))).toEqual([]);
  }, 30_000);
});

describe('the policy in the deployed artifact', () => {
  test('configured exemptions and routes are written beside the bundle, and the bundle applies them', async () => {
    const expires = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    const exemption = { accounts: ['141414141414'], reason: 'partner account, being handed over', owner: 'partners@example.com', expires };
    const route = { name: 'workloads', ous: ['ou-ab12-workload0'], emails: ['workloads-team@example.com'] };
    const s = synth({ exemptions: [exemption], routes: [route] }, { bundling: true, nag: false });
    const fn = Object.values<any>(s.audit.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Handler === 'index.handler' && JSON.stringify(f.Properties.Environment ?? {}).includes('TRAILCHECK_TOPIC_ARN'));
    const asset = fs.readdirSync(s.app.outdir).find((f) => f.startsWith('asset.') && fs.existsSync(path.join(s.app.outdir, f, POLICY_FILE)) && fs.readFileSync(path.join(s.app.outdir, f, POLICY_FILE), 'utf8').includes('workloads'));
    expect(fn).toBeDefined();
    expect(asset).toBeDefined();
    const dir = path.join(s.app.outdir, asset as string);
    const policy = JSON.parse(fs.readFileSync(path.join(dir, POLICY_FILE), 'utf8'));
    expect(policy.routes).toEqual([{ name: 'workloads', ous: ['ou-ab12-workload0'], accounts: [] }]);
    expect(policy.exemptions).toEqual([expect.objectContaining({ accounts: ['141414141414'], owner: 'partners@example.com', expires })]);
    // Destinations stay in the template: the function gets who, not where.
    expect(JSON.stringify(policy)).not.toContain('workloads-team@example.com');

    const scenario = loadScenario(path.join(ROOT, 'simulator/scenarios/demo.json'));
    const central = scenario.topics?.[0] as string;
    const routeTopic = central.replace(/:[^:]+$/, ':trailcheck-route-workloads');
    const sim = await startSimulator({ ...scenario, topics: [central, routeTopic] }, { port: 0 });
    try {
      const script = `require(${JSON.stringify(path.join(dir, 'index.js'))}).handler({}, { awsRequestId: 'r1', getRemainingTimeInMillis: () => 120000 })
        .then((r) => process.stdout.write('RESULT ' + JSON.stringify(r) + '\\n'), (e) => { process.stderr.write(String(e && e.stack || e)); process.exit(3); });`;
      const out = await runBundle(dir, script, {
        TRAILCHECK_TOPIC_ARN: central,
        TRAILCHECK_REGION: 'us-east-1',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: scenario.caller.accessKeyId,
        AWS_SECRET_ACCESS_KEY: scenario.caller.secretAccessKey,
        AWS_ENDPOINT_URL: sim.url,
      });
      expect(out.code).toBe(0);
      const result = JSON.parse(out.stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7));
      expect(result.summary.exempt).toBe(1);
      const centralBody = JSON.parse(JSON.parse(sim.published.find((p) => p.topicArn === central)!.message).default);
      expect(centralBody.accounts.map((a: { accountId: string }) => a.accountId)).not.toContain('141414141414');
      const routed = sim.published.filter((p) => p.topicArn === routeTopic);
      expect(routed).toHaveLength(1);
      expect(result.routes).toEqual([expect.objectContaining({ route: 'workloads', published: true })]);
    } finally {
      await sim.stop();
    }
  }, 90_000);
});
