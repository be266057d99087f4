/**
 * The CLI as a user runs it: a child process, configured only through the environment
 * (AWS_ENDPOINT_URL and static keys) exactly as with any AWS-compatible endpoint.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { simulatorEnv } from '../../scripts/demo';
import type { AuditReport } from '../../lambda/report-format';
import { loadScenario } from '../../simulator/scenario';
import type { ScenarioFault } from '../../simulator/scenario-types';
import { runNode, type ChildResult } from '../child';
import { account, CALLER, goodTrail, MGMT, scenario, TOPIC, withSimulator } from './harness';

const ROOT = path.resolve(__dirname, '../..');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<ChildResult> {
  return runNode([path.join(ROOT, 'bin/trailcheck.js'), ...args], { env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
}

const s = scenario([
  account('200000000001', { name: 'good', trails: [goodTrail()] }),
  account('200000000002', { name: 'stopped', trails: [goodTrail('main', { status: { isLogging: false } })] }),
  account('200000000003', { name: 'suspended', state: 'SUSPENDED' }),
]);

test('JSON report on stdout through AWS_ENDPOINT_URL; exit 1 when an account FAILs; nothing noisy on a non-TTY stderr', async () => {
  await withSimulator(s, async (sim) => {
    const { code, stdout, stderr } = await run(['audit', '--format', 'json'], simulatorEnv(sim.url, CALLER));
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as AuditReport;
    expect(report.summary).toMatchObject({ total: 4, PASS: 2, FAIL: 1, SKIPPED: 1, ERROR: 0 });
    expect(report.accounts.find((a) => a.accountId === '200000000002')).toMatchObject({
      status: 'FAIL',
      reasons: [{ code: 'NOT_LOGGING' }],
      remediation: ['aws cloudtrail start-logging --name main --region us-east-1'],
    });
  });
});

test('exit 0 when every evaluated account passes; text table with a summary line', async () => {
  await withSimulator(s, async (sim) => {
    const { code, stdout } = await run(['audit', '--exclude-accounts', '200000000002'], simulatorEnv(sim.url, CALLER));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ACCOUNT\s+NAME\s+STATUS\s+DETAIL$/m);
    expect(stdout).toMatch(/^200000000001\s+good\s+PASS\s+via trail main$/m);
    expect(stdout).toContain('Summary: 2 PASS, 0 FAIL, 0 ERROR, 2 SKIPPED of 4 accounts');
  });
});

test('--output FILE and --topic-arn: the report goes to the file and the alert to SNS', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailcheck-'));
  const file = path.join(dir, 'report.json');
  await withSimulator(s, async (sim) => {
    const { code, stdout, stderr } = await run(['audit', '--format', 'json', '--output', file, '--topic-arn', TOPIC], simulatorEnv(sim.url, CALLER));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`report written to ${file}: 2 PASS, 1 FAIL, 0 ERROR, 1 SKIPPED of 4 accounts`);
    expect(stderr).toContain(`published to ${TOPIC}`);
    expect(JSON.parse(readFileSync(file, 'utf8')).summary.FAIL).toBe(1);
    expect(sim.published).toHaveLength(1);
    expect(sim.published[0]).toMatchObject({ topicArn: TOPIC, subject: 'trailcheck: 1 FAIL of 4 accounts', messageStructure: 'json' });
    const body = JSON.parse(sim.published[0].message);
    expect(body.email).toContain('aws cloudtrail start-logging --name main --region us-east-1');
    expect(JSON.parse(body.default).accounts.map((a: { accountId: string }) => a.accountId)).toEqual(['200000000002']);
  });
});

test('a publish that fails makes the CLI exit 1 with the reason', async () => {
  await withSimulator(s, async (sim) => {
    const { code, stderr } = await run(['audit', '--topic-arn', `arn:aws:sns:us-east-1:${MGMT}:no-such-topic`], simulatorEnv(sim.url, CALLER));
    expect(code).toBe(1);
    expect(stderr).toMatch(/publishing to arn:aws:sns:us-east-1:111111111111:no-such-topic failed: NotFound/);
  });
});

test('an account name with terminal escape sequences, CR/LF and a bidi override is shown escaped in the table; the JSON keeps it, escaped as JSON', async () => {
  const name = 'evil\x1b[2J\x1b]8;;http://evil.example/\x07x\x1b]8;;\x07\r\nPASS  999999999999\u202egnp.exe\u0085';
  const hostile = scenario([account('200000000001', { name, trails: [goodTrail('main', { status: { isLogging: false } })] })]);
  await withSimulator(hostile, async (sim) => {
    const text = await run(['audit'], simulatorEnv(sim.url, CALLER));
    expect(text.code).toBe(1);
    expect(text.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(text.stdout).toContain('evil\\u001b[2J\\u001b]8;;http://evil.example/\\u0007x');
    expect(text.stdout).not.toMatch(/^PASS  999999999999/m);
    const json = await run(['audit', '--format', 'json'], simulatorEnv(sim.url, CALLER));
    expect(json.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect((JSON.parse(json.stdout) as AuditReport).accounts.find((a) => a.accountId === '200000000001')?.accountName).toBe(name);
  });
});

/** RULE.md, "Cases the tests must cover": the listing rows, as a user meets them (no --timeout). */
describe('RULE.md listing cases against the simulator', () => {
  const member = (id: string) => ({ Id: id, Arn: `arn:aws:organizations::${MGMT}:account/o-a1b2c3d4e5/${id}`, Name: `m-${id}`, State: 'SUSPENDED' });
  test.each<[string, ReturnType<typeof scenario>, { code: string; message: RegExp; total: number }]>([
    [
      'empty organization: ListAccounts lists no account → exit 1, run error EMPTY_LISTING, never "0 of 0" as a pass',
      scenario([account(MGMT, { name: 'management', listed: false, trails: [goodTrail()] })]),
      { code: 'EMPTY_LISTING', message: /listed no account at all/, total: 0 },
    ],
    [
      'endless pages: every ListAccounts page returns the same NextToken → exit 1, run error LISTING_INCOMPLETE, the run ends',
      scenario([account('200000000001')], {
        faults: [{ service: 'organizations', action: 'ListAccounts', kind: 'malformed', body: JSON.stringify({ Accounts: [member('200000000001')], NextToken: 'the-same-token' }) }],
      }),
      { code: 'LISTING_INCOMPLETE', message: /RepeatedPageToken: ListAccounts page 2 returned the NextToken that page 1 returned/, total: 1 },
    ],
  ])('%s', async (_case, world, expected) => {
    await withSimulator(world, async (sim) => {
      const json = await run(['audit', '--format', 'json'], simulatorEnv(sim.url, CALLER));
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout) as AuditReport;
      expect(report.run.errors).toEqual([{ code: expected.code, message: expect.stringMatching(expected.message) }]);
      expect(report.summary).toMatchObject({ total: expected.total, PASS: 0, runErrors: 1 });
      expect(sim.calls.filter((c) => c.action === 'ListAccounts').length).toBeLessThanOrEqual(2);
      const text = await run(['audit'], simulatorEnv(sim.url, CALLER));
      expect(text.code).toBe(1);
      expect(text.stdout).toContain(`Run errors:\n  - ${expected.code}: `);
      expect(text.stdout).toMatch(/, 1 run error$/m);
    });
  });
});

test('bad credentials: exit 1 and a message saying what to check', async () => {
  await withSimulator(s, async (sim) => {
    const { code, stderr } = await run(['audit'], simulatorEnv(sim.url, { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x' }));
    expect(code).toBe(1);
    expect(stderr).toMatch(/Could not tell which AWS account these credentials belong to .*InvalidClientTokenId.*Check the credentials/);
  });
});

test('npm run demo: the bundled organization is audited and the alert is shown', async () => {
  const scenarioFile = loadScenario(path.join(ROOT, 'simulator/scenarios/demo.json'));
  expect(scenarioFile.accounts.length).toBeGreaterThanOrEqual(12);
  const out = await runNode([path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'scripts/demo.ts')], { env: process.env });
  expect(out.code).toBe(0);
  for (const status of ['PASS', 'FAIL', 'ERROR', 'SKIPPED']) expect(out.stdout).toMatch(new RegExp(`^\\d{12}\\s+\\S+\\s+${status}\\s`, 'm'));
  expect(out.stdout).toContain('--- Published to SNS');
  expect(out.stdout).toMatch(/Subject: trailcheck: \d+ FAIL, \d+ ERROR of \d+ accounts/);
  // The HTML report is written and its path printed; the exemption, the findings and the route are shown.
  const page = /The same run as a page to open in a browser .*: (\/\S+)$/m.exec(out.stdout)?.[1];
  expect(page && readFileSync(page, 'utf8')).toMatch(/^<!DOCTYPE html>/i);
  expect(out.stdout).toMatch(/findings imported, one per audited account, each by that account/);
  expect(out.stdout).toMatch(/^route "dev-team" \(arn:aws:sns:us-east-1:\d{12}:trailcheck-route-dev-team\)$/m);
  expect(out.stdout).toMatch(/Exempt account 131313131313: kept its FAIL in the report, not alerted/);
}, 60_000);

describe('the CLI enriches the report with OUs, as the Lambda does (lambda/audit/enrich-ous.ts)', () => {
  const world = (faults?: ScenarioFault[]) =>
    scenario([account('200000000001', { parentId: 'ou-ab12-prod0000', trails: [goodTrail('main', { status: { isLogging: false } })] }), account('200000000002', { trails: [goodTrail()] })], {
      organization: { id: 'o-a1b2c3d4e5', managementAccountId: MGMT, rootId: 'r-ab12', ous: [{ id: 'ou-ab12-prod0000', name: 'Prod', parentId: 'r-ab12' }] },
      ...(faults ? { faults } : {}),
    });
  const withOus = world();

  test('the failing account carries its OU in the JSON report and the published alert; only it is looked up', async () => {
    await withSimulator(withOus, async (sim) => {
      const { code, stdout } = await run(['audit', '--format', 'json', '--topic-arn', TOPIC], simulatorEnv(sim.url, CALLER));
      expect(code).toBe(1);
      const report = JSON.parse(stdout) as AuditReport;
      expect(report.accounts.find((a) => a.accountId === '200000000001')).toMatchObject({ status: 'FAIL', ouId: 'ou-ab12-prod0000', ouName: 'Prod' });
      expect(report.accounts.find((a) => a.accountId === '200000000002')?.ouId).toBeUndefined();
      expect(report.run.notes).toEqual([]);
      expect(JSON.parse(sim.published[0].message).email).toContain('OU Prod (ou-ab12-prod0000)');
      expect(sim.calls.filter((c) => c.action === 'ListParents').map((c) => c.params.childId)).toEqual(['200000000001']);
    });
  });

  test('denied look-ups leave the OU out with a note; the verdicts and the exit code are the same', async () => {
    await withSimulator(world([{ service: 'organizations', action: 'ListParents', kind: 'error', code: 'AccessDeniedException', message: 'not allowed' }]), async (sim) => {
      const { code, stdout } = await run(['audit', '--format', 'json'], simulatorEnv(sim.url, CALLER));
      expect(code).toBe(1);
      const report = JSON.parse(stdout) as AuditReport;
      expect(report.summary).toMatchObject({ PASS: 2, FAIL: 1, ERROR: 0 });
      expect(report.accounts.every((a) => a.ouId === undefined)).toBe(true);
      expect(report.run.notes).toEqual([expect.stringMatching(/^The OU is shown for 0 of the 1 accounts needing attention: look-ups failed \(AccessDeniedException: /)]);
    });
  });
});

describe('--exemptions, --security-hub and --format ocsf', () => {
  const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const file = (name: string, text: string) => {
    const f = path.join(mkdtempSync(path.join(tmpdir(), 'trailcheck-')), name);
    writeFileSync(f, text);
    return f;
  };

  test('an exempt failing account keeps its verdict, is marked, and does not make the exit code 1 (YAML file)', async () => {
    const yaml = file('exemptions.yaml', `exemptions:\n  - accounts: ["200000000002"]\n    reason: being closed\n    owner: platform@example.com\n    expires: "${expires}"\n`);
    await withSimulator(s, async (sim) => {
      const { code, stdout, stderr } = await run(['audit', '--format', 'json', '--exemptions', yaml], simulatorEnv(sim.url, CALLER));
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const report = JSON.parse(stdout) as AuditReport;
      expect(report.summary).toMatchObject({ FAIL: 1, exempt: 1 });
      expect(report.accounts.find((a) => a.accountId === '200000000002')).toMatchObject({ status: 'FAIL', exemption: { owner: 'platform@example.com', reason: 'being closed', expires, via: 'account' } });
    });
  });

  test('an exemptions file that is malformed is a usage error naming the file and the field, before anything is audited', async () => {
    const json = file('exemptions.json', JSON.stringify([{ accounts: ['200000000002'], reason: 'x', expires }]));
    await withSimulator(s, async (sim) => {
      const { code, stderr } = await run(['audit', '--exemptions', json], simulatorEnv(sim.url, CALLER));
      expect(code).toBe(2);
      expect(stderr).toMatch(new RegExp(`^trailcheck: --exemptions ${json.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\[0\\]\\.owner`));
      expect(sim.calls).toHaveLength(0);
    });
  });

  test('--security-hub imports one finding per audited account from that account; --format ocsf prints OCSF Compliance Findings', async () => {
    await withSimulator(s, async (sim) => {
      const { code, stdout } = await run(['audit', '--format', 'ocsf', '--security-hub', 'us-east-1'], simulatorEnv(sim.url, CALLER));
      expect(code).toBe(1);
      const findings = JSON.parse(stdout) as Array<{ class_uid: number; compliance: { status: string }; cloud?: { account?: { uid?: string } } }>;
      expect(findings.every((f) => f.class_uid === 2003)).toBe(true);
      expect(findings).toHaveLength(3);
      expect(sim.findings.map((f) => [f.account, f.finding.AwsAccountId]).sort()).toEqual([
        [MGMT, MGMT],
        ['200000000001', '200000000001'],
        ['200000000002', '200000000002'],
      ]);
    });
  });
});

test('--format html: one self-contained page with the run, to standard output or --output', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailcheck-'));
  const file = path.join(dir, 'report.html');
  await withSimulator(s, async (sim) => {
    const { code, stdout } = await run(['audit', '--format', 'html'], simulatorEnv(sim.url, CALLER));
    expect(code).toBe(1);
    expect(stdout).toMatch(/^<!DOCTYPE html>/i);
    expect(stdout).toContain('http-equiv="Content-Security-Policy"');
    expect(stdout).toContain('200000000002');
    const written = await run(['audit', '--format', 'html', '--output', file], simulatorEnv(sim.url, CALLER));
    expect(written.code).toBe(1);
    expect(readFileSync(file, 'utf8')).toMatch(/^<!DOCTYPE html>/i);
    expect(written.stderr).toContain(`report written to ${file}`);
  });
});
