import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { STSClient } from '@aws-sdk/client-sts';
import { loadScenario, parseScenario, ScenarioError } from '../../simulator/scenario';
import { startSimulator, type Simulator } from '../../simulator/server';
import { baseScenario, errorOf } from './helpers';

const ROOT = resolve(__dirname, '../..');
const DEMO = join(ROOT, 'simulator/scenarios/demo.json');

/** The messages parseScenario throws for a scenario modified by `edit`. */
function problems(edit: (s: Record<string, any>) => void): string[] {
  const s = JSON.parse(JSON.stringify(baseScenario())) as Record<string, any>;
  edit(s);
  try {
    parseScenario(s, 'bad.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).problems;
  }
  throw new Error('expected a ScenarioError');
}

describe('parseScenario', () => {
  test('accepts the test and demo scenarios', () => {
    expect(() => parseScenario(baseScenario(), 'base.json')).not.toThrow();
    const demo = loadScenario(DEMO);
    expect(demo.accounts.length).toBeGreaterThanOrEqual(12);
  });

  test('names the file, the JSON path and what is expected', () => {
    expect(problems((s) => (s.accounts[3].id = '12345'))).toContain('bad.json: accounts[3].id: expected a 12-digit account id, got "12345"');
    expect(problems((s) => delete s.caller.secretAccessKey)).toContain('bad.json: caller.secretAccessKey: expected a non-empty secret, got nothing');
    expect(problems((s) => (s.accounts[1].trails[0].isMultiRegionTrail = 'yes'))).toContain(
      'bad.json: accounts[1].trails[0].isMultiRegionTrail: expected true or false, got "yes"',
    );
    expect(problems((s) => (s.accounts[1].trails[0].homeRegion = 'mars-1'))).toEqual([
      'bad.json: accounts[1].trails[0].homeRegion: expected a region name such as "us-east-1", got "mars-1"',
    ]);
    expect(problems((s) => (s.accounts[2].trails[0].eventSelectors[0].readWriteType = 'Both')).join('\n')).toMatch(
      /accounts\[2\]\.trails\[0\]\.eventSelectors\[0\]\.readWriteType: expected one of "ReadOnly", "WriteOnly", "All", got "Both"/,
    );
    expect(problems((s) => (s.accounts[0].trails[0].isMultiregionTrail = true)).join('\n')).toContain('accounts[0].trails[0].isMultiregionTrail: unknown field');
    expect(() => parseScenario([], 'list.json')).toThrow('list.json: (root): expected an object, got []');
  });

  test('cross-checks references', () => {
    expect(problems((s) => (s.accounts[2].id = s.accounts[1].id))).toContain('bad.json: accounts[2].id: duplicate account id "222222222222"');
    expect(problems((s) => (s.accounts[1].parentId = 'ou-ab12-missing00'))).toContain(
      'bad.json: accounts[1].parentId: "ou-ab12-missing00" is neither the root id nor an OU id of this organization',
    );
    expect(problems((s) => (s.organization.ous[2].parentId = 'ou-ab12-nowhere00')).join('\n')).toContain('organization.ous[2].parentId');
    expect(
      problems((s) => {
        s.accounts[1].trails[0].isOrganizationTrail = true;
      }),
    ).toContain('bad.json: accounts[1].trails[0].isOrganizationTrail: organization trails must be owned by the management account 111111111111, not 222222222222');
    expect(problems((s) => (s.caller.accountId = '999999999999'))).toContain(
      'bad.json: caller.accountId: "999999999999" is not among accounts[].id (required when the scenario has an organization)',
    );
    expect(problems((s) => (s.accounts[1].trails[0].homeRegion = 'ap-south-1'))).toContain(
      'bad.json: accounts[1].trails[0].homeRegion: "ap-south-1" is not one of the scenario\'s regions',
    );
    expect(problems((s) => (s.accounts[1].trails[1].eventSelectors = [])).join('\n')).toContain('has both eventSelectors and advancedEventSelectors');
  });

  test('faults and latency', () => {
    expect(problems((s) => (s.faults = [{ service: 'ec2', kind: 'error', code: 'X' }]))).toContain(
      'bad.json: faults[0].service: expected one of "sts", "organizations", "cloudtrail", "sns", "s3", "secretsmanager", "securityhub", got "ec2"',
    );
    expect(problems((s) => (s.faults = [{ service: 'sts', kind: 'explode' }])).join('\n')).toContain('faults[0].kind: expected one of "error", "reset", "hang", "delay", "malformed", got "explode"');
    expect(problems((s) => (s.faults = [{ service: 'sts', kind: 'error' }])).join('\n')).toContain('faults[0].code: expected an AWS error code');
    expect(problems((s) => (s.faults = [{ service: 'sts', kind: 'delay' }])).join('\n')).toContain('faults[0].delayMs');
    expect(problems((s) => (s.faults = [{ service: 'sts', kind: 'error', code: 'X', times: 0 }])).join('\n')).toContain('faults[0].times: expected an integer >= 1, got 0');
    expect(problems((s) => (s.latency = { default: -5 }))).toContain('bad.json: latency.default: expected a latency in milliseconds >= 0, got -5');
    expect(problems((s) => (s.latency = { byAction: { ListAccounts: { min: 10, max: 5 } } }))).toContain(
      'bad.json: latency.byAction.ListAccounts.max: expected a value >= min (10), got 5',
    );
  });

  test('reports every problem at once, and loadScenario names the file', () => {
    const all = problems((s) => {
      s.accounts[0].id = 'x';
      s.caller.accessKeyId = 'lower';
      s.topics = ['not-an-arn'];
    });
    expect(all.length).toBeGreaterThanOrEqual(3);
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    writeFileSync(join(dir, 'broken.json'), '{"caller": ');
    expect(() => loadScenario(join(dir, 'broken.json'))).toThrow(/^broken\.json: invalid JSON/);
    writeFileSync(join(dir, 'shape.json'), JSON.stringify({ caller: {}, accounts: [{ id: '1' }] }));
    expect(() => loadScenario(join(dir, 'shape.json'))).toThrow(/shape\.json: accounts\[0\]\.id: expected a 12-digit account id, got "1"/);
  });
});

describe('demo scenario', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator(loadScenario(DEMO));
  });
  afterAll(() => sim.stop());

  test('roles, the suspended account and the DescribeTrails fault', async () => {
    const demo = sim.scenario;
    const creds = { accessKeyId: demo.caller.accessKeyId, secretAccessKey: demo.caller.secretAccessKey };
    const sts = new STSClient({ endpoint: sim.url, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    try {
      const outcomes: Record<string, string> = {};
      for (const a of demo.accounts) {
        try {
          const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${a.id}:role/TrailcheckAuditRole`, RoleSessionName: 'trailcheck' }));
          const c = out.Credentials!;
          const ct = new CloudTrailClient({
            endpoint: sim.url,
            region: 'us-east-1',
            maxAttempts: 1,
            credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken },
          });
          try {
            const trails = await ct.send(new DescribeTrailsCommand({}));
            outcomes[a.name] = `${trails.trailList?.length ?? 0} trails`;
          } catch (e) {
            outcomes[a.name] = (e as Error).name;
          } finally {
            ct.destroy();
          }
        } catch (e) {
          outcomes[a.name] = `assume: ${(e as Error).name}`;
        }
      }
      expect(outcomes['partner-integration']).toBe('assume: AccessDenied');
      expect(outcomes['data-lake']).toBe('AccessDeniedException');
      expect(outcomes['dev-sandbox']).toBe('1 trails'); // only the (stopped) organization trail
      expect(outcomes['old-marketing']).toBe('1 trails'); // suspended: no org trail, its own one only
      expect(Object.values(outcomes).filter((o) => o.startsWith('assume')).length).toBe(1);
    } finally {
      sts.destroy();
    }
  });
});

describe('CLI', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  test('prints the URL and the credentials, serves, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'simulator/main.ts'), DEMO, '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 15_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /export AWS_ENDPOINT_URL=(\S+)/.exec(out);
        if (m && out.includes('# Ctrl-C')) {
          clearTimeout(timer);
          resolveUrl(m[1]);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out).toContain('export AWS_ACCESS_KEY_ID=AKIADEMO000000000001');
    expect(out).toContain('export AWS_SECRET_ACCESS_KEY=demo-secret');
    const { OrganizationsClient } = await import('@aws-sdk/client-organizations');
    const orgs = new OrganizationsClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AKIADEMO000000000001', secretAccessKey: 'demo-secret' } });
    try {
      const page = await orgs.send(new ListAccountsCommand({}));
      expect(page.Accounts?.length).toBeGreaterThanOrEqual(12);
    } finally {
      orgs.destroy();
    }
    const code = await new Promise<number | null>((r) => {
      child.removeAllListeners('exit');
      child.on('exit', (c) => r(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });

  test('a broken scenario exits 2 (a usage error) with the validation message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ caller: { accountId: '1' }, accounts: [] }));
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'simulator/main.ts'), join(dir, 'bad.json')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toContain('bad.json: caller.accountId: expected a 12-digit account id, got "1"');
  });
});

test('errorOf helper rejects resolved promises', async () => {
  await expect(errorOf(Promise.resolve(1))).rejects.toThrow('expected the call to fail');
});
