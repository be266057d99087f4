/**
 * The Slack forwarder as deployed: its own bundle (local esbuild), run in a fresh process with
 * only the environment the stack gives it, reading the webhook URL from the simulator's Secrets
 * Manager and posting to a real HTTP server on 127.0.0.1. The URL must not reach its output.
 */
import * as fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ALERT_NAMES, FORWARDER_SECRET_ENV } from '../../lib/alerts';
import { startSimulator } from '../../simulator/server';
import { CALLER, scenario } from '../integration/harness';
import { synth, runBundle } from './helpers';

test('the forwarder bundle reads its secret and posts the alert to the webhook as Block Kit, without logging the URL', async () => {
  const s = synth({ slackWebhook: true }, { bundling: true, nag: false });
  const fn = Object.values<any>(s.audit.findResources('AWS::Lambda::Function')).find((f) => f.Properties.FunctionName === ALERT_NAMES.forwarder);
  const assetDir = path.join(s.app.outdir, `asset.${(fn.Properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
  expect(fs.readdirSync(assetDir).sort()).toEqual(['index.js', 'index.js.map']);
  expect(fs.readFileSync(path.join(assetDir, 'index.js'), 'utf8')).not.toContain('require("@aws-sdk/client-secrets-manager")');

  const received: Array<{ text: string; blocks: unknown[] }> = [];
  const hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/services/T1/B2/BundleS3cr3t`;
  const sim = await startSimulator(scenario([], { secrets: [{ name: ALERT_NAMES.webhookSecret, value: JSON.stringify({ webhookUrl: url }) }] }), { port: 0 });
  try {
    const message = JSON.stringify({
      type: 'trailcheck.audit',
      schemaVersion: 1,
      kind: 'changes',
      mode: 'changes',
      run: { id: 'run-2', startedAt: '2026-03-02T06:00:00Z', callerAccountId: '111111111111', region: 'us-east-1', strict: false, errors: [], omittedErrors: 0 },
      summary: { total: 2, PASS: 1, FAIL: 1, ERROR: 0, SKIPPED: 0, runErrors: 0 },
      changes: { 'new-fail': 1, 'new-error': 0, resolved: 0, 'still-failing': 0, reminderDays: 7, comparedWith: { runId: 'run-1', finishedAt: '2026-03-01T06:01:00Z' } },
      accounts: [{ accountId: '222222222222', accountName: 'dev', status: 'FAIL', change: 'new-fail', reasons: [{ code: 'NO_TRAILS', message: 'No trails.' }], warnings: [], remediation: [], trails: [] }],
      omittedAccounts: 0,
    });
    const event = { Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'm-1', Subject: 'trailcheck: 1 newly FAIL (now 1 FAIL of 2)', Message: message } }] };
    const script = `require(${JSON.stringify(path.join(assetDir, 'index.js'))}).handler(${JSON.stringify(event)})
      .then((r) => process.stdout.write('RESULT ' + JSON.stringify(r) + '\\n'), (e) => { process.stderr.write(String(e && e.stack || e)); process.exit(3); });`;
    // A fresh process with only what Lambda would provide: the function's environment and credentials.
      const out = await runBundle(assetDir, script, {
          // The stack sets the secret's ARN; the simulator accepts its name as well.
          [FORWARDER_SECRET_ENV]: ALERT_NAMES.webhookSecret,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: CALLER.accessKeyId,
          AWS_SECRET_ACCESS_KEY: CALLER.secretAccessKey,
          AWS_ENDPOINT_URL: sim.url,
      });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('RESULT {"delivered":1}');
    expect(received).toHaveLength(1);
    expect(received[0].text).toBe('trailcheck: 1 newly FAIL (now 1 FAIL of 2)');
    expect(JSON.stringify(received[0].blocks)).toContain('`222222222222` dev');
    expect(out.stdout).not.toContain('BundleS3cr3t');
    expect(sim.callCount('secretsmanager', 'GetSecretValue')).toBe(1);
  } finally {
    await sim.stop();
    await new Promise<void>((resolve) => hook.close(() => resolve()));
  }
}, 90_000);
