/**
 * Bad input: CLI arguments not covered by test/unit/cli.test.ts (each must exit 2 with a message
 * naming the flag, never run a different audit than asked), and scenario files the simulator CLI
 * must refuse with exit 2, naming the file and the JSON path of each problem.
 *
 * The CLI cases run `main` in this process against the simulator, so a flag that is wrongly
 * accepted shows what the run then does instead of reaching for real AWS.
 */
import { runNode, type ChildResult } from '../child';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main, type CliIo } from '../../lambda/cli';
import { simulatorEnv } from '../../scripts/demo';
import type { Simulator } from '../../simulator/server';
import { account, CALLER, goodTrail, scenario, TOPIC, withSimulator } from '../integration/harness';

const ROOT = path.resolve(__dirname, '../..');

describe('CLI arguments', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  async function run(sim: Simulator, argv: string[]) {
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    Object.assign(process.env, simulatorEnv(sim.url, CALLER));
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), isTTY: false, env: {} };
    const code = await main(argv, io).catch((e: unknown) => `threw ${String(e)}`);
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  const s = scenario([account('200000000001', { trails: [goodTrail()] }), account('200000000002', { trails: [goodTrail()] })]);

  test.each<[string, string[], RegExp]>([
    ['--concurrency above its maximum', ['audit', '--concurrency', '513'], /^trailcheck: --concurrency: expected a whole number from 1 to 512, got "513"/],
    ['--concurrency not a number', ['audit', '--concurrency', 'many'], /^trailcheck: --concurrency: /],
    ['--concurrency a fraction', ['audit', '--concurrency', '2.5'], /^trailcheck: --concurrency: /],
    ['a boolean flag given a value (--strict=yes)', ['audit', '--strict=yes'], /--strict/],
    ['--region with no value at the end', ['audit', '--region'], /--region/],
    ['--region= (empty)', ['audit', '--region='], /^trailcheck: --region: empty value/],
    ['--format= (empty)', ['audit', '--format='], /^trailcheck: --format: expected text, json, ocsf, html, got ""/],
    // Bugs, found here (see the report to the lead). An empty --accounts audits every account and an
    // empty --topic-arn publishes nothing, both silently: a script with an unset variable would
    // widen the audit or drop the alerts without a word.
    ['--accounts= (empty: would silently audit every account)', ['audit', '--accounts='], /^trailcheck: --accounts: /],
    ['--topic-arn= (empty: would silently publish nothing)', ['audit', '--topic-arn='], /^trailcheck: --topic-arn: /],
    // A timeout beyond what a Node.js timer holds (2^31-1 ms, about 24.8 days) fired after 1 ms:
    // the run was aborted at once and blamed the credentials.
    ['--timeout beyond a timer (3000000 s)', ['audit', '--timeout', '3000000'], /^trailcheck: --timeout: /],
    // Found here: the report file's directory is only tried after the whole audit, which then
    // throws (the bin prints a stack trace) and skips the SNS publish.
    ['--output in a directory that does not exist', ['audit', '--output', '/nonexistent-trailcheck-dir/report.json'], /^trailcheck: --output: .*\/nonexistent-trailcheck-dir/],
  ])('%s → exit 2 with a message naming the flag, nothing on stdout', async (_name, argv, message) => {
    await withSimulator(s, async (sim) => {
      const r = await run(sim, argv);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
      expect(r.stdout).toBe('');
      expect(sim.published).toEqual([]);
    });
  });

  test('a sane long --timeout (1 day) is accepted and the run is not cut short', async () => {
    await withSimulator(s, async (sim) => {
      const r = await run(sim, ['audit', '--timeout', '86400', '--format', 'json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).run).toMatchObject({ deadlineReached: false });
    });
  });

  test('--topic-arn with a valid ARN still publishes (the control for the empty case)', async () => {
    await withSimulator(scenario([account('200000000001', { roles: [] })]), async (sim) => {
      const r = await run(sim, ['audit', '--topic-arn', TOPIC]);
      expect(r.code).toBe(1);
      expect(sim.published).toHaveLength(1);
    });
  });
});

describe('scenario files for the simulator CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailcheck-bad-scenario-'));
  const valid = () => JSON.parse(JSON.stringify(scenario([account('200000000001', { trails: [goodTrail()] })]))) as Record<string, any>;

  function startSimulatorCli(file: string): Promise<ChildResult> {
    // A scenario wrongly accepted: the simulator is up and would run forever, so it is stopped.
    return runNode([path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'simulator/main.ts'), file, '--port', '0'], { cwd: ROOT, killWhenStdout: /listening on/ });
  }

  test.concurrent.each<[string, (s: Record<string, any>) => unknown, RegExp[]]>([
    ['not JSON', () => '{"caller": {', [/invalid JSON/]],
    ['an array at the root', () => [], [/\(root\)/]],
    ['a trail field of the wrong type', (s) => ((s.accounts[1].trails[0].isMultiRegionTrail = 'yes'), s), [/accounts\[1\]\.trails\[0\]\.isMultiRegionTrail: /]],
    ['a typo in a key', (s) => ((s.accounts[1].trial = []), s), [/accounts\[1\]\.trial/]],
    ['an unknown fault kind', (s) => ((s.faults = [{ service: 'cloudtrail', kind: 'explode' }]), s), [/faults\[0\]\.kind/]],
    ['an error fault without its code', (s) => ((s.faults = [{ service: 'sts', action: 'AssumeRole', kind: 'error' }]), s), [/faults\[0\]\.code/]],
    ['a short account id and a bad region, both reported', (s) => ((s.accounts[1].id = '12345'), (s.regions = ['us-east-1', 'mars-1']), s), [/accounts\[1\]\.id: expected a 12-digit account id, got "12345"/, /regions\[1\]/]],
  ])('%s → exit 2, the file and the JSON path named', async (name, mutate, problems) => {
    const file = path.join(dir, `${name.replace(/\W+/g, '-')}.json`);
    const body = mutate(valid());
    writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
    const r = await startSimulatorCli(file);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(path.basename(file));
    for (const p of problems) expect(r.stderr).toMatch(p);
  });

  test.concurrent('a file that does not exist → exit 2 naming it', async () => {
    const r = await startSimulatorCli(path.join(dir, 'missing.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(path.join(dir, 'missing.json'));
  });
});
