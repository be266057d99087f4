/**
 * `npm run bench -- [--accounts N] [--profile org-trail|own-trails] [--json FILE]
 *   [--concurrency C] [--assume-rate R] [--latency-scale K] [--seed S]
 *   [--baseline prowler|parallel|serial|none] [--baseline-accounts M]
 *   [--throttle P] [--deadline-s S]`
 *
 * The real engine, with the real SDK clients over HTTP, against the local simulator holding a
 * generated organization of N accounts with per-call latency; beside it, in the same run, the
 * per-region scanning approach (scripts/bench-baseline.ts) against the same simulator: `prowler`
 * (default) follows Prowler 3.x's cloudtrail_service.py (threaded DescribeTrails, then sequential
 * GetTrailStatus and GetEventSelectors per listed trail); `parallel` and `serial` schedule an
 * account's regions at once or one after another; `none` skips it. Each
 * measured run is a process of its own and the simulator another, so CPU and RSS are the run's.
 * With `--throttle P` the engine runs a second time with a fraction P of every call throttled
 * (STS, Organizations, CloudTrail), beside the clean run: wall time, their ratio, and the ERRORs
 * (the baseline is then skipped unless `--baseline` is given). Each engine run has a deadline, as
 * in the Lambda: `--deadline-s` (default 840, the 15-minute timeout less the 60 s reserve).
 * See docs/performance.md for what the columns mean and the lower-bound formula.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULTS, parseConfig, type AuditConfig } from '../lambda/config';
import { DEFAULT_REGIONS } from '../simulator/scenario';
import { DEFAULT_LATENCY, GENERATED, generateOrganization, ORG_PROFILES, scaleLatency, type OrgProfile } from '../simulator/generate';
import { lowerBound } from './bench-model';
import type { BaselineOptions, RegionMode } from './bench-baseline';
import type { RunRequest, RunResult } from './bench-runner';
import type { SimulatorMessage } from './bench-simulator';

interface Options {
  accounts: number;
  profiles: OrgProfile[];
  json?: string;
  concurrency: number;
  assumeRate: number;
  latencyScale: number;
  seed: number;
  baseline: RegionMode | 'none';
  baselineAccounts: number;
  /** Fraction of every call throttled in a second engine run; undefined: no such run. */
  throttle?: number;
  deadlineS: number;
}

// A type-only import of bench-baseline keeps the AWS SDK out of this process (it only orchestrates).
const REGION_MODES: readonly RegionMode[] = ['prowler', 'parallel', 'serial'];

const USAGE =
  'usage: npm run bench -- [--accounts N] [--profile org-trail|own-trails] [--json FILE] [--concurrency C] [--assume-rate R] [--latency-scale K] [--seed S] [--baseline prowler|parallel|serial|none] [--baseline-accounts M] [--throttle P] [--deadline-s S]';

function parseArgs(argv: string[]): Options {
  const o: Options = {
    accounts: 10_000,
    profiles: [...ORG_PROFILES],
    concurrency: DEFAULTS.concurrency,
    assumeRate: DEFAULTS.assumeRolePerSecond,
    latencyScale: 1,
    seed: 1,
    baseline: 'prowler',
    baselineAccounts: 1000,
    deadlineS: 840,
  };
  let baselineGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    const num = (min: number) => {
      const v = value();
      const n = Number(v);
      if (!Number.isFinite(n) || n < min) throw new Error(`${flag}: expected a number ≥ ${min}, got ${v}`);
      return n;
    };
    switch (flag) {
      case '--accounts':
        o.accounts = Math.floor(num(1));
        break;
      case '--profile': {
        const p = value();
        if (!ORG_PROFILES.includes(p as OrgProfile)) throw new Error(`--profile: expected ${ORG_PROFILES.join(' or ')}, got ${p}`);
        o.profiles = [p as OrgProfile];
        break;
      }
      case '--json':
        o.json = value();
        break;
      case '--concurrency':
        o.concurrency = Math.floor(num(1));
        break;
      case '--assume-rate':
        o.assumeRate = Math.floor(num(1));
        break;
      case '--latency-scale':
        o.latencyScale = num(0);
        break;
      case '--seed':
        o.seed = Math.floor(num(0));
        break;
      case '--baseline': {
        const b = value();
        if (b !== 'none' && !REGION_MODES.includes(b as RegionMode)) throw new Error(`--baseline: expected ${REGION_MODES.join(', ')} or none, got ${b}`);
        o.baseline = b as RegionMode | 'none';
        baselineGiven = true;
        break;
      }
      case '--throttle': {
        const p = num(0);
        if (p <= 0 || p > 1) throw new Error(`--throttle: expected a fraction greater than 0 and at most 1, got ${p}`);
        o.throttle = p;
        break;
      }
      case '--deadline-s':
        o.deadlineS = num(1);
        break;
      case '--baseline-accounts':
        o.baselineAccounts = Math.floor(num(1));
        break;
      case '-h':
      case '--help':
        console.log(USAGE);
        process.exit(0);
      default:
        throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
    }
  }
  // The throttled run is measured against the clean one, not against the baseline.
  if (o.throttle !== undefined && !baselineGiven) o.baseline = 'none';
  return o;
}

/** Sends `message` and resolves with the child's next message. */
function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`child exited (${code}) before answering`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
    child.send(message as object);
  });
}

async function measuredRun(url: string, request: RunRequest): Promise<RunResult> {
  const child = fork(path.join(__dirname, 'bench-runner.ts'), {
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: url,
      AWS_ACCESS_KEY_ID: GENERATED.caller.accessKeyId,
      AWS_SECRET_ACCESS_KEY: GENERATED.caller.secretAccessKey,
      AWS_REGION: request.config.region,
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      // Node 20 here; the SDK's notice that future versions need Node 22 is noise in a table.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    execArgv: [...process.execArgv, ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
  });
  const answer = await ask<{ ok: true; result: RunResult } | { ok: false; error: string }>(child, request);
  if (!answer.ok) throw new Error(`${request.mode} run failed: ${answer.error}`);
  return answer.result;
}

function perAccount(counts: Record<string, number>, accounts: number): Record<string, number> {
  const out: Record<string, number> = { total: 0 };
  for (const [key, n] of Object.entries(counts).sort()) {
    const action = key.split(':')[1];
    out[action] = round(n / accounts, 4);
    out.total += n;
  }
  out.total = round(out.total / accounts, 4);
  return out;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

async function benchProfile(o: Options, profile: OrgProfile) {
  const config: AuditConfig = parseConfig(
    {
      region: { key: 'region', value: 'us-east-1' },
      concurrency: { key: '--concurrency', value: String(o.concurrency) },
      assumeRolePerSecond: { key: '--assume-rate', value: String(o.assumeRate) },
    },
    undefined,
  );
  const latency = { ...scaleLatency(DEFAULT_LATENCY, o.latencyScale), seed: o.seed };
  const bound = lowerBound(generateOrganization({ accounts: o.accounts, profile, latency }), config);

  const sim = fork(path.join(__dirname, 'bench-simulator.ts'));
  try {
    const { url } = await ask<{ url: string }>(sim, { type: 'start', accounts: o.accounts, profile, latencyScale: o.latencyScale, seed: o.seed } satisfies SimulatorMessage);
    const baselineAccounts = Math.min(o.accounts, o.baselineAccounts);
    // With `--baseline none` the options still travel with the engine's request (unused there).
    const baselineOptions: BaselineOptions = { regions: DEFAULT_REGIONS, regionMode: o.baseline === 'none' ? 'parallel' : o.baseline, limit: baselineAccounts };

    const deadlineMs = o.deadlineS * 1000;
    process.stderr.write(`${profile}: ${o.accounts} accounts, trailcheck… `);
    const engine = await measuredRun(url, { mode: 'engine', config, baseline: baselineOptions, deadlineMs });
    const engineCounts = (await ask<{ counts: Record<string, number> }>(sim, { type: 'counts' } satisfies SimulatorMessage)).counts;
    process.stderr.write(`${round(engine.wallMs / 1000)} s`);

    let throttled: { result: RunResult; counts: Record<string, number> } | undefined;
    if (o.throttle !== undefined) {
      await ask(sim, { type: 'reset', throttle: o.throttle } satisfies SimulatorMessage);
      process.stderr.write(`; with ${round(o.throttle * 100)}% of every call throttled… `);
      const result = await measuredRun(url, { mode: 'engine', config, baseline: baselineOptions, deadlineMs });
      const counts = (await ask<{ counts: Record<string, number> }>(sim, { type: 'counts' } satisfies SimulatorMessage)).counts;
      throttled = { result, counts };
      process.stderr.write(`${round(result.wallMs / 1000)} s, ${result.statuses.ERROR} ERROR`);
    }

    let baseline: { result: RunResult; counts: Record<string, number> } | undefined;
    if (o.baseline !== 'none') {
      await ask(sim, { type: 'reset' } satisfies SimulatorMessage);
      process.stderr.write(`; per-region baseline (${o.baseline}, ${baselineAccounts} accounts)… `);
      const result = await measuredRun(url, { mode: 'baseline', config, baseline: baselineOptions, deadlineMs });
      const counts = (await ask<{ counts: Record<string, number> }>(sim, { type: 'counts' } satisfies SimulatorMessage)).counts;
      baseline = { result, counts };
      process.stderr.write(`${round(result.wallMs / 1000)} s`);
    }
    process.stderr.write('\n');

    return {
      profile,
      accounts: o.accounts,
      wallMs: Math.round(engine.wallMs),
      lowerBoundMs: Math.round(bound.lowerBoundMs),
      ratioToLowerBound: round(engine.wallMs / bound.lowerBoundMs, 3),
      lowerBoundTerms: { listingMs: Math.round(bound.listingMs), workMs: Math.round(bound.workMs), assumeRateMs: Math.round(bound.assumeRateMs), pages: bound.pages },
      callsPerAccount: perAccount(engineCounts, o.accounts),
      cpuMsPerAccount: round(engine.cpuMs / o.accounts, 3),
      cpuSystemMsPerAccount: round(engine.cpuSystemMs / o.accounts, 3),
      peakRssMb: round(engine.peakRssMb),
      maxOpenFds: engine.maxOpenFds,
      socketWarnings: engine.socketWarnings,
      statuses: engine.statuses,
      errorReasons: engine.errorReasons,
      settings: { concurrency: config.concurrency, assumeRolePerSecond: config.assumeRolePerSecond, latencyScale: o.latencyScale, seed: o.seed, deadlineS: o.deadlineS },
      ...(throttled
        ? {
            throttled: {
              probability: o.throttle,
              wallMs: Math.round(throttled.result.wallMs),
              ratioToClean: round(throttled.result.wallMs / engine.wallMs, 3),
              callsPerAccount: perAccount(throttled.counts, o.accounts),
              cpuMsPerAccount: round(throttled.result.cpuMs / o.accounts, 3),
              peakRssMb: round(throttled.result.peakRssMb),
              statuses: throttled.result.statuses,
              errorReasons: throttled.result.errorReasons,
            },
          }
        : {}),
      ...(baseline
        ? {
            baseline: {
              regionMode: o.baseline,
              regions: DEFAULT_REGIONS.length,
              // Measured on the first `measuredAccounts` accounts, scaled linearly to `accounts`
              // (its throughput is steady: bound by CPU or by the AssumeRole cap, not by the listing).
              wallMs: Math.round((baseline.result.wallMs * o.accounts) / baselineAccounts),
              measuredAccounts: baselineAccounts,
              measuredWallMs: Math.round(baseline.result.wallMs),
              callsPerAccount: perAccount(baseline.counts, baselineAccounts),
              cpuMsPerAccount: round(baseline.result.cpuMs / baselineAccounts, 3),
              peakRssMb: round(baseline.result.peakRssMb),
              statuses: baseline.result.statuses,
            },
            speedupOverBaseline: round((baseline.result.wallMs * o.accounts) / baselineAccounts / engine.wallMs, 2),
          }
        : {}),
    };
  } finally {
    sim.send({ type: 'stop' } satisfies SimulatorMessage);
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const runs = [];
  for (const profile of o.profiles) runs.push(await benchProfile(o, profile));

  const rows = runs.map((r) => ({
    profile: r.profile,
    accounts: r.accounts,
    'wall s': round(r.wallMs / 1000),
    'lower bound s': round(r.lowerBoundMs / 1000),
    'wall/bound': r.ratioToLowerBound,
    'calls/acct': r.callsPerAccount.total,
    'CPU ms/acct': r.cpuMsPerAccount,
    'peak RSS MB': r.peakRssMb,
    'max fds': r.maxOpenFds,
    'baseline s': r.baseline ? round(r.baseline.wallMs / 1000) : '-',
    'baseline calls/acct': r.baseline ? r.baseline.callsPerAccount.total : '-',
    speedup: r.speedupOverBaseline ?? '-',
    ...(r.throttled
      ? { 'throttled wall s': round(r.throttled.wallMs / 1000), 'throttled/clean': r.throttled.ratioToClean, 'throttled calls/acct': r.throttled.callsPerAccount.total, 'throttled ERROR': r.throttled.statuses.ERROR }
      : {}),
  }));
  console.table(rows);
  for (const r of runs) {
    if (!r.throttled) continue;
    const reasons = Object.entries(r.throttled.errorReasons).map(([k, n]) => `${n} ${k}`).join(', ');
    console.log(
      `${r.profile}: ${round((r.throttled.probability ?? 0) * 100)}% of every call throttled: ${r.throttled.statuses.ERROR} ERROR${reasons ? ` (${reasons})` : ''} ` +
        `[clean run: ${r.statuses.ERROR} ERROR]; wall ${round(r.throttled.wallMs / 1000)} s against ${round(r.wallMs / 1000)} s clean, ${r.throttled.ratioToClean}×`,
    );
  }
  if (o.json) {
    writeFileSync(o.json, `${JSON.stringify({ command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), node: process.version, runs }, null, 2)}\n`);
    console.log(`wrote ${o.json}`);
  }
}

main().catch((err: unknown) => {
  console.error((err as Error)?.message ?? err);
  process.exit(1);
});
