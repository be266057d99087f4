/**
 * `npm run cold-start -- [--runs N] [--bundle FILE] [--json FILE]`
 *
 * Size of the audit function's bundle, and how long a fresh Node.js process takes to load it,
 * against loading the same packages unbundled from node_modules (median of N fresh processes each,
 * alternating). The bundle is built with esbuild from lib/function-defaults.ts's BUNDLING options,
 * as `cdk synth` does; `--bundle FILE` measures a given one instead (e.g. cdk.out/asset.*\/index.js).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build, type Metafile } from 'esbuild';
import { BUNDLING, PROJECT_ROOT } from '../lib/function-defaults';

const ENTRY = 'lambda/handler.ts';

function parseArgs(argv: string[]) {
  const o = { runs: 21, bundle: undefined as string | undefined, json: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--runs') o.runs = Number(value());
    else if (flag === '--bundle') o.bundle = path.resolve(value());
    else if (flag === '--json') o.json = value();
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

/** Milliseconds to `require` the file in a fresh process (module evaluation included, Node's own start excluded). */
function loadMs(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const out = execFileSync(process.execPath, ['-e', script], { cwd: PROJECT_ROOT, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  return Number(out.toString());
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

  const bundled: number[] = [];
  const plain: number[] = [];
  loadMs(bundleFile); // warm the file cache for both
  loadMs(unbundled);
  for (let i = 0; i < o.runs; i++) {
    bundled.push(loadMs(bundleFile));
    plain.push(loadMs(unbundled));
  }
  const bytes = statSync(bundleFile).size;
  const result = {
    command: `npm run cold-start -- ${process.argv.slice(2).join(' ')}`.trim(),
    node: process.version,
    bundle: bundleFile === built.file ? `${ENTRY} built with BUNDLING (lib/function-defaults.ts)` : bundleFile,
    bundleBytes: bytes,
    bundleKB: Math.round(bytes / 1000),
    bundleGzipKB: Math.round(gzipSync(readFileSync(bundleFile)).length / 1000),
    unbundledPackages: packages,
    runs: o.runs,
    bundledLoadMsMedian: Math.round(median(bundled) * 10) / 10,
    unbundledLoadMsMedian: Math.round(median(plain) * 10) / 10,
    ratio: Math.round((median(bundled) / median(plain)) * 1000) / 1000,
  };
  console.log(JSON.stringify(result, null, 2));
  if (o.json) writeFileSync(o.json, `${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error((err as Error)?.stack ?? err);
  process.exit(1);
});
