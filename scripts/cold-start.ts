/**
 * `npm run cold-start -- [--runs N] [--bundle FILE] [--json FILE] [--node-options OPTIONS] [--cpus 1|all]`
 *
 * Size of the audit function's bundle, and how long a fresh Node.js process takes to load it,
 * against loading the same packages unbundled from node_modules (median of N fresh processes each,
 * alternating). The bundle is built with esbuild from lib/function-defaults.ts's BUNDLING options,
 * as `cdk synth` does; `--bundle FILE` measures a given one instead (e.g. cdk.out/asset.*\/index.js).
 *
 * Both are loaded as the deployed function is: with the function's NODE_OPTIONS
 * (RUNTIME_NODE_OPTIONS: none; `--enable-source-maps` would make Node read and parse the
 * bundle's source map as it loads it). `--node-options OPTIONS` measures others instead, e.g.
 * `--node-options=--enable-source-maps`.
 *
 * And on one CPU core (`taskset`, Linux), as the deployed function runs: at the default 1,024 MB a
 * Lambda function has about 0.58 vCPU, so no second core compiles modules in the background while
 * the main thread loads others, as V8 does for the unbundled packages on a multi-core machine.
 * `--cpus all` measures on every core of this machine instead.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build, type Metafile } from 'esbuild';
import { BUNDLING, PROJECT_ROOT, RUNTIME_NODE_OPTIONS } from '../lib/function-defaults';

const ENTRY = 'lambda/handler.ts';

function parseArgs(argv: string[]) {
  const o = { runs: 21, bundle: undefined as string | undefined, json: undefined as string | undefined, nodeOptions: RUNTIME_NODE_OPTIONS, cpus: '1' as '1' | 'all' };
  for (let i = 0; i < argv.length; i++) {
    const eq = argv[i].indexOf('=');
    const flag = eq < 0 ? argv[i] : argv[i].slice(0, eq);
    const inline = eq < 0 ? undefined : argv[i].slice(eq + 1);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag}: expected a value`);
      return v;
    };
    if (flag === '--runs') o.runs = Number(value());
    else if (flag === '--bundle') o.bundle = path.resolve(value());
    else if (flag === '--json') o.json = value();
    else if (flag === '--node-options') o.nodeOptions = value();
    else if (flag === '--cpus') {
      const v = value();
      if (v !== '1' && v !== 'all') throw new Error(`--cpus: expected 1 or all, got ${v}`);
      o.cpus = v;
    }
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs: expected a whole number ≥ 1');
  return o;
}

/** esbuild with the options CDK's NodejsFunction derives from BUNDLING. */
async function bundle(outdir: string): Promise<{ file: string; metafile: Metafile }> {
  const args = (BUNDLING.esbuildArgs ?? {}) as Record<string, string | boolean>;
  const legal = args['--legal-comments'];
  const result = await build({
    entryPoints: [path.join(PROJECT_ROOT, ENTRY)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    sourcesContent: BUNDLING.sourcesContent,
    mainFields: BUNDLING.mainFields,
    external: BUNDLING.externalModules,
    ...(typeof legal === 'string' ? { legalComments: legal as 'none' } : {}),
    outfile: path.join(outdir, 'index.js'),
    metafile: true,
    logLevel: 'error',
  });
  return { file: path.join(outdir, 'index.js'), metafile: result.metafile };
}

/** The packages the project's own code imports (what the unbundled function would load). */
function packagesImported(metafile: Metafile): string[] {
  const out = new Set<string>();
  for (const [file, input] of Object.entries(metafile.inputs)) {
    if (file.includes('node_modules/')) continue;
    for (const imp of input.imports) {
      const spec = imp.original;
      if (spec && !spec.startsWith('.') && !spec.startsWith('node:') && !imp.external) out.add(spec);
    }
  }
  return [...out].sort();
}

/**
 * Milliseconds to `require` the file in a fresh process (module evaluation included, Node's own
 * start excluded): wall time, and the process's CPU time over the same span (steadier than wall
 * time when other work shares the machine). NODE_OPTIONS is set as Lambda sets it from the
 * function's environment (replacing any the caller has, e.g. tsx's).
 */
/** `taskset -c <core>` when one core is asked for and taskset exists, else nothing. */
function pinning(cpus: '1' | 'all'): string[] {
  if (cpus === 'all') return [];
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return ['taskset', '-c', '0'];
  } catch {
    throw new Error('--cpus 1 needs taskset (util-linux); use --cpus all to measure on every core');
  }
}

function loadMs(file: string, nodeOptions: string, pin: string[]): { wall: number; cpu: number } {
  const script =
    `const c=process.cpuUsage(),t=process.hrtime.bigint();require(${JSON.stringify(file)});` +
    `const w=Number(process.hrtime.bigint()-t)/1e6,u=process.cpuUsage(c);process.stdout.write(w+' '+(u.user+u.system)/1e3)`;
  const env = { ...process.env, NODE_OPTIONS: nodeOptions, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const [cmd, ...args] = [...pin, process.execPath, '-e', script];
  const out = execFileSync(cmd, args, { cwd: PROJECT_ROOT, env }).toString();
  const [wall, cpu] = out.split(' ').map(Number);
  if (!Number.isFinite(wall) || !Number.isFinite(cpu)) throw new Error(`unexpected output loading ${file}: ${out.slice(0, 200)}`);
  return { wall, cpu };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(path.join(tmpdir(), 'trailcheck-cold-start-'));
  const built = await bundle(dir);
  const bundleFile = o.bundle ?? built.file;
  const packages = packagesImported(built.metafile);
  const unbundled = path.join(dir, 'unbundled.js');
  writeFileSync(unbundled, packages.map((p) => `require(${JSON.stringify(require.resolve(p, { paths: [PROJECT_ROOT] }))});`).join('\n'));

  const bundled: Array<{ wall: number; cpu: number }> = [];
  const plain: Array<{ wall: number; cpu: number }> = [];
  const pin = pinning(o.cpus);
  loadMs(bundleFile, o.nodeOptions, pin); // warm the file cache for both
  loadMs(unbundled, o.nodeOptions, pin);
  for (let i = 0; i < o.runs; i++) {
    bundled.push(loadMs(bundleFile, o.nodeOptions, pin));
    plain.push(loadMs(unbundled, o.nodeOptions, pin));
  }
  const ms = (x: number) => Math.round(x * 10) / 10;
  const wall = { bundled: median(bundled.map((r) => r.wall)), plain: median(plain.map((r) => r.wall)) };
  const cpu = { bundled: median(bundled.map((r) => r.cpu)), plain: median(plain.map((r) => r.cpu)) };
  const bytes = statSync(bundleFile).size;
  const result = {
    command: `npm run cold-start -- ${process.argv.slice(2).join(' ')}`.trim(),
    node: process.version,
    bundle: bundleFile === built.file ? `${ENTRY} built with BUNDLING (lib/function-defaults.ts)` : bundleFile,
    // NODE_OPTIONS of every measured process, bundled and unbundled alike.
    nodeOptions: o.nodeOptions,
    nodeOptionsAsDeployed: o.nodeOptions === RUNTIME_NODE_OPTIONS,
    // 1: every load pinned to one core (as a Lambda function at the default memory); all: every core.
    cpus: o.cpus,
    bundleBytes: bytes,
    bundleKB: Math.round(bytes / 1000),
    bundleGzipKB: Math.round(gzipSync(readFileSync(bundleFile)).length / 1000),
    unbundledPackages: packages,
    runs: o.runs,
    bundledLoadMsMedian: ms(wall.bundled),
    unbundledLoadMsMedian: ms(wall.plain),
    ratio: Math.round((wall.bundled / wall.plain) * 1000) / 1000,
    // The same loads in CPU time (user + system of the loading process).
    bundledLoadCpuMsMedian: ms(cpu.bundled),
    unbundledLoadCpuMsMedian: ms(cpu.plain),
    cpuRatio: Math.round((cpu.bundled / cpu.plain) * 1000) / 1000,
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(
    `NODE_OPTIONS=${JSON.stringify(o.nodeOptions)}${result.nodeOptionsAsDeployed ? ' (as deployed)' : ' (NOT as deployed)'}, ${o.cpus === '1' ? 'one core' : 'every core'}: ` +
      `bundled ${result.bundledLoadMsMedian} ms, unbundled ${result.unbundledLoadMsMedian} ms, ratio ${result.ratio}; ` +
      `CPU ${result.bundledLoadCpuMsMedian} / ${result.unbundledLoadCpuMsMedian} ms, ratio ${result.cpuRatio} (median of ${o.runs} each)`,
  );
  if (o.json) writeFileSync(o.json, `${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error((err as Error)?.stack ?? err);
  process.exit(1);
});
