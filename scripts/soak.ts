/**
 * `npm run soak [-- --runs N --accounts N --seed N]`: many consecutive audits of one organization
 * with random faults (seeded, so a failing run can be replayed), against the simulator running in a
 * child process so this process's memory is the engine's alone. Each run must keep the invariants
 * (test/faults/invariants.ts), and accounts no fault touched must get their usual verdict. Across
 * runs, heap (after GC), RSS and open file descriptors must not grow: the median of the first 10%
 * of runs is compared with the median of the last 10%. Prints a summary; exits 1 on any violation.
 *
 * Not part of `npm test`: a soak takes minutes.
 */
import { fork, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AwsClients } from '../lambda/aws/clients';
import { runAudit } from '../lambda/audit/run-audit';
import { parseConfig } from '../lambda/config';
import type { AccountStatus } from '../lambda/rule/types';
import { mulberry32 } from '../simulator/prng';
import type { Scenario, ScenarioAccount, ScenarioFault, ScenarioTrail } from '../simulator/scenario-types';
import { startSimulator } from '../simulator/server';
import { invariantViolations } from '../test/faults/invariants';

const MGMT = '111111111111';
const CALLER = { accountId: MGMT, accessKeyId: 'AKIASOAKTEST00000001', secretAccessKey: 'soak-secret' };
const PAGE = 20; // ListAccounts page size (the simulator's, as AWS's)
const CALL_TIMEOUT_MS = 400;
const RUN_BUDGET_MS = 30_000;

// --- The simulator, in a child process ---------------------------------------------------------

type ToChild = { type: 'scenario'; scenario: Scenario };
type FromChild = { type: 'ready'; url: string } | { type: 'set'; calls: number };

async function simulatorChild(): Promise<void> {
  let sim: Awaited<ReturnType<typeof startSimulator>> | undefined;
  process.on('message', (m: ToChild) => {
    if (m.type !== 'scenario' || !sim) return;
    const calls = sim.calls.length;
    sim.setScenario(m.scenario);
    sim.reset();
    process.send?.({ type: 'set', calls } satisfies FromChild);
  });
  process.on('disconnect', () => void sim?.stop().then(() => process.exit(0)));
  sim = await startSimulator(organization(1, []), { port: 0 });
  process.send?.({ type: 'ready', url: sim.url } satisfies FromChild);
}

// --- The organization: one fixed set of accounts of known verdicts -----------------------------

const KINDS: Array<{ kind: string; expected: AccountStatus; account: (id: string) => Partial<ScenarioAccount> }> = [
  { kind: 'good', expected: 'PASS', account: () => ({ trails: [trail()] }) },
  { kind: 'advanced', expected: 'PASS', account: () => ({ trails: [trail({ advancedEventSelectors: [{ name: 'any', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] }] })] }) },
  { kind: 'kms-excluded', expected: 'PASS', account: () => ({ trails: [trail({ eventSelectors: [{ readWriteType: 'All', includeManagementEvents: true, excludeManagementEventSources: ['kms.amazonaws.com'] }] })] }) },
  { kind: 'delivery-error', expected: 'PASS', account: () => ({ trails: [trail({ status: { isLogging: true, latestDeliveryError: 'AccessDenied' } })] }) },
  { kind: 'homed-elsewhere', expected: 'PASS', account: () => ({ trails: [trail({ homeRegion: 'eu-west-1' })] }) },
  { kind: 'stopped', expected: 'FAIL', account: () => ({ trails: [trail({ status: { isLogging: false } })] }) },
  { kind: 'write-only', expected: 'FAIL', account: () => ({ trails: [trail({ eventSelectors: [{ readWriteType: 'WriteOnly', includeManagementEvents: true }] })] }) },
  { kind: 'single-region', expected: 'FAIL', account: () => ({ trails: [trail({ isMultiRegionTrail: false })] }) },
  { kind: 'no-trails', expected: 'FAIL', account: () => ({ trails: [] }) },
  { kind: 'no-role', expected: 'ERROR', account: () => ({ roles: [], trails: [trail()] }) },
  { kind: 'suspended', expected: 'SKIPPED', account: () => ({ state: 'SUSPENDED', trails: [trail()] }) },
];

function trail(extra: Partial<ScenarioTrail> = {}): ScenarioTrail {
  return { name: 'main', homeRegion: 'us-east-1', isMultiRegionTrail: true, status: { isLogging: true }, ...extra };
}

interface Member {
  id: string;
  kind: (typeof KINDS)[number];
}

function members(n: number, seed: number): Member[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => ({ id: String(200000000000 + i), kind: KINDS[Math.floor(rand() * KINDS.length)] }));
}

function organization(n: number, faults: ScenarioFault[], seed = 1): Scenario {
  const accounts: ScenarioAccount[] = [
    { id: MGMT, name: 'management', roles: [{ name: 'TrailcheckAuditRole' }], trails: [trail({ name: 'mgmt-trail' })] },
    ...members(n, seed).map((m) => ({ id: m.id, name: m.kind.kind, roles: [{ name: 'TrailcheckAuditRole' }], ...m.kind.account(m.id) })),
  ];
  return {
    partition: 'aws',
    regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
    organization: { id: 'o-a1b2c3d4e5', managementAccountId: MGMT, rootId: 'r-ab12' },
    caller: CALLER,
    accounts,
    faults,
  };
}

// --- Random faults ------------------------------------------------------------------------------

interface Drawn {
  faults: ScenarioFault[];
  /** Accounts a fault is aimed at (their verdict may change; invariants still hold). */
  touched: Set<string>;
  /** Accounts that must end ERROR: a permanent fault on a call every audited account makes. */
  mustError: Set<string>;
  /** Accounts ListAccounts returns (a permanent failure on page p keeps the first p-1 pages). */
  listed?: string[];
  label: string[];
}

function drawFaults(rand: () => number, accounts: Member[]): Drawn {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const d: Drawn = { faults: [], touched: new Set(), mustError: new Set(), label: [] };
  const count = Math.floor(rand() * 6); // 0..5 faults a run
  for (let i = 0; i < count; i++) {
    const target = pick(accounts);
    const api = pick(['AssumeRole', 'DescribeTrails', 'GetTrailStatus', 'GetEventSelectors', 'ListAccounts'] as const);
    const shape = pick([
      { kind: 'error', code: 'ThrottlingException', status: 400 },
      { kind: 'error', code: 'TooManyRequestsException', status: 429 },
      { kind: 'error', code: 'InternalFailure', status: 500 },
      { kind: 'error', code: 'AccessDeniedException', status: 400 },
      { kind: 'reset' },
      { kind: 'delay', delayMs: CALL_TIMEOUT_MS * 3 },
      { kind: 'hang' },
      { kind: 'malformed', body: api === 'AssumeRole' ? '<AssumeRoleResponse><AssumeRoleResult/></AssumeRoleResponse>' : '{}' },
    ] as const);
    const transient = rand() < 0.5;
    const f = { ...shape, ...(transient ? { times: 1 } : {}) } as Omit<ScenarioFault, 'service'>;
    if (api === 'ListAccounts') {
      if (shape.kind === 'hang' || shape.kind === 'malformed' || shape.code === 'AccessDeniedException') continue; // whole-run outcomes, covered by the fault matrix
      // One listing fault a run: two would share the simulator's call counters and blur which page fails.
      if (d.faults.some((x) => x.action === 'ListAccounts')) continue;
      const page = 1 + Math.floor(rand() * Math.ceil((accounts.length + 1) / PAGE));
      d.faults.push({ service: 'organizations', action: 'ListAccounts', after: page - 1, ...f });
      if (!transient) d.listed = [MGMT, ...accounts.map((a) => a.id)].slice(0, (page - 1) * PAGE);
      d.label.push(`ListAccounts page ${page} ${shape.kind}${'code' in shape ? ` ${shape.code}` : ''}${transient ? ' once' : ''}`);
      continue;
    }
    d.faults.push(api === 'AssumeRole' ? { service: 'sts', action: 'AssumeRole', targetAccount: target.id, ...f } : { service: 'cloudtrail', action: api, account: target.id, ...f });
    d.touched.add(target.id);
    const evaluable = target.kind.expected !== 'SKIPPED' && target.kind.kind !== 'no-role';
    if (!transient && evaluable && (api === 'AssumeRole' || api === 'DescribeTrails')) d.mustError.add(target.id);
    d.label.push(`${api} ${shape.kind}${'code' in shape ? ` ${shape.code}` : ''}${transient ? ' once' : ''} on ${target.id}`);
  }
  return d;
}

// --- The engine side ----------------------------------------------------------------------------

interface Sample {
  run: number;
  heapUsed: number;
  rss: number;
  fds: number;
  ms: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2 : NaN;
};
const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

async function engine(opts: { runs: number; accounts: number; seed: number; maxHeapGrowthMb: number; maxRssGrowthMb: number; maxFdGrowth: number }): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const child = fork(__filename, ['--simulator'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  const next = () =>
    new Promise<FromChild>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the simulator process exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m as FromChild);
      });
    });
  const ready = await next();
  if (ready.type !== 'ready') throw new Error('the simulator did not start');

  const unhandled: unknown[] = [];
  process.on('unhandledRejection', (r) => void unhandled.push(r));

  const team = members(opts.accounts, opts.seed);
  const expected = new Map(team.map((m) => [m.id, m.kind.expected]));
  expected.set(MGMT, 'PASS');
  const rand = mulberry32(opts.seed ^ 0x9e3779b9);
  const config = parseConfig(
    Object.fromEntries(Object.entries({ region: 'us-east-1', maxAttempts: '3', callTimeoutMs: String(CALL_TIMEOUT_MS), concurrency: '16' }).map(([k, v]) => [k, { key: k, value: v }])),
    undefined,
  );
  process.stdout.write(`soak: ${opts.runs} runs × ${opts.accounts + 1} accounts, seed ${opts.seed}, simulator pid ${child.pid} at ${ready.url}\n`);

  const samples: Sample[] = [];
  const failures: string[] = [];
  const faultCounts = new Map<string, number>();
  let audited = 0;
  let calls = 0;
  const soakStarted = Date.now();
  for (let run = 1; run <= opts.runs; run++) {
    const drawn = drawFaults(rand, team);
    for (const l of drawn.label) {
      const key = l.replace(/ on \d{12}$/, '').replace(/ page \d+/, '');
      faultCounts.set(key, (faultCounts.get(key) ?? 0) + 1);
    }
    const s = organization(opts.accounts, drawn.faults, opts.seed);
    child.send({ type: 'scenario', scenario: s } satisfies ToChild);
    const set = await next();
    if (set.type === 'set') calls += set.calls;

    const clients = new AwsClients({ maxAttempts: config.maxAttempts, callTimeoutMs: config.callTimeoutMs, maxSockets: 64, endpoint: ready.url, credentials: CALLER });
    const t0 = Date.now();
    const deadline = t0 + RUN_BUDGET_MS;
    const problems: string[] = [];
    try {
      const report = await runAudit(config, { clients, deadline });
      const ended = Date.now();
      problems.push(...invariantViolations(report, s, { deadline, endedAt: ended, listed: drawn.listed }));
      for (const a of report.accounts) {
        if (drawn.mustError.has(a.accountId) && a.status !== 'ERROR') problems.push(`account ${a.accountId}: a permanent fault on its calls, yet ${a.status}`);
        if (!drawn.touched.has(a.accountId) && !report.run.deadlineReached && a.status !== expected.get(a.accountId)) {
          problems.push(`account ${a.accountId} (${a.accountName}), untouched by any fault: ${a.status}, expected ${expected.get(a.accountId)} (${a.reasons.map((r) => r.message).join('; ')})`);
        }
      }
      audited += report.accounts.length;
    } catch (err) {
      problems.push(`the run failed: ${(err as Error).stack ?? String(err)}`);
    } finally {
      clients.close();
    }
    if (unhandled.length) problems.push(`unhandled rejections: ${unhandled.splice(0).map(String).join('; ')}`);
    const ms = Date.now() - t0;
    if (problems.length) failures.push(`run ${run} (faults: ${drawn.label.join(', ') || 'none'}):\n    ${problems.slice(0, 10).join('\n    ')}`);

    // Let closed sockets finish closing before counting them, then collect.
    await new Promise((r) => setImmediate(r));
    gc();
    const mem = process.memoryUsage();
    samples.push({ run, heapUsed: mem.heapUsed, rss: mem.rss, fds: readdirSync('/proc/self/fd').length, ms });
    if (run % Math.max(1, Math.floor(opts.runs / 10)) === 0) {
      process.stdout.write(`  run ${run}/${opts.runs}: ${ms} ms, heap ${mb(mem.heapUsed)}, rss ${mb(mem.rss)}, fds ${samples[samples.length - 1].fds}, violations so far ${failures.length}\n`);
    }
  }
  child.disconnect();

  const tenth = Math.max(1, Math.floor(samples.length / 10));
  const first = samples.slice(0, tenth);
  const last = samples.slice(-tenth);
  const growth = {
    heap: median(last.map((x) => x.heapUsed)) - median(first.map((x) => x.heapUsed)),
    rss: median(last.map((x) => x.rss)) - median(first.map((x) => x.rss)),
    fds: median(last.map((x) => x.fds)) - median(first.map((x) => x.fds)),
  };
  if (growth.heap > opts.maxHeapGrowthMb * 1048576) failures.push(`heap grew by ${mb(growth.heap)} from the first ${tenth} runs to the last ${tenth} (limit ${opts.maxHeapGrowthMb} MB)`);
  if (growth.rss > opts.maxRssGrowthMb * 1048576) failures.push(`RSS grew by ${mb(growth.rss)} from the first ${tenth} runs to the last ${tenth} (limit ${opts.maxRssGrowthMb} MB)`);
  if (growth.fds > opts.maxFdGrowth) failures.push(`open file descriptors grew by ${growth.fds} from the first ${tenth} runs to the last ${tenth} (limit ${opts.maxFdGrowth})`);

  const line = (label: string, pick: (x: Sample) => number, fmt: (n: number) => string) =>
    `  ${label.padEnd(16)} first ${tenth} runs median ${fmt(median(first.map(pick))).padStart(9)}   last ${tenth} runs median ${fmt(median(last.map(pick))).padStart(9)}   max ${fmt(Math.max(...samples.map(pick)))}`;
  process.stdout.write(
    [
      '',
      `soak summary (seed ${opts.seed}): ${samples.length} runs, ${audited} account verdicts, ${calls} simulator calls, ${((Date.now() - soakStarted) / 1000).toFixed(1)} s`,
      `  faults injected: ${[...faultCounts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'}`,
      line('run time', (x) => x.ms, (n) => `${Math.round(n)} ms`),
      line('heapUsed (GC)', (x) => x.heapUsed, mb),
      line('rss', (x) => x.rss, mb),
      line('open fds', (x) => x.fds, (n) => String(n)),
      `  growth: heap ${mb(growth.heap)} (limit ${opts.maxHeapGrowthMb} MB), rss ${mb(growth.rss)} (limit ${opts.maxRssGrowthMb} MB), fds ${growth.fds} (limit ${opts.maxFdGrowth})`,
      failures.length ? `\nVIOLATIONS (${failures.length}):\n${failures.slice(0, 20).map((f) => `  ${f}`).join('\n')}${failures.length > 20 ? `\n  ... and ${failures.length - 20} more` : ''}` : '  invariants held in every run; no growth beyond the limits',
      '',
    ].join('\n'),
  );
  return failures.length ? 1 : 0;
}

// --- Entry --------------------------------------------------------------------------------------

function positiveInt(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1) {
    process.stderr.write(`soak: --${name}: expected a whole number of 1 or more, got ${JSON.stringify(v)}\n`);
    process.exit(2);
  }
  return Number(v);
}

if (process.argv.includes('--simulator')) {
  void simulatorChild();
} else if (!(globalThis as { gc?: unknown }).gc) {
  // Re-run with the GC exposed, so heap figures are taken after a full collection.
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  process.exit(r.status ?? 1);
} else {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        runs: { type: 'string' },
        accounts: { type: 'string' },
        seed: { type: 'string' },
        'max-heap-growth-mb': { type: 'string' },
        'max-rss-growth-mb': { type: 'string' },
        'max-fd-growth': { type: 'string' },
      },
    }));
  } catch (e) {
    process.stderr.write(`soak: ${(e as Error).message}\nusage: npm run soak -- [--runs 200] [--accounts 200] [--seed 1] [--max-heap-growth-mb 8] [--max-rss-growth-mb 48] [--max-fd-growth 4]\n`);
    process.exit(2);
  }
  engine({
    runs: positiveInt('runs', values.runs, 200),
    accounts: positiveInt('accounts', values.accounts, 200),
    seed: positiveInt('seed', values.seed, 1),
    maxHeapGrowthMb: positiveInt('max-heap-growth-mb', values['max-heap-growth-mb'], 8),
    maxRssGrowthMb: positiveInt('max-rss-growth-mb', values['max-rss-growth-mb'], 48),
    maxFdGrowth: positiveInt('max-fd-growth', values['max-fd-growth'], 4),
  }).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`soak: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
