/**
 * The layers import one way (docs/architecture.md): every import, re-export and require of every
 * file under lambda/, lib/ and bin/ is read with TypeScript's own pre-processor (type-only imports
 * count: a type is a dependency too) and checked for
 *   1. no import circle anywhere;
 *   2. no file importing a layer above its own, in this order, lowest first:
 *        rule ← base ← events ← aws ← audit ← report ← alerts ← channels ← run ← entry points
 *      (lib/ may take from lambda/ only its base: synthesis must not load the runtime);
 *   3. lambda/ never importing lib/ or the CDK.
 * A new folder under lambda/ needs a layer here (and in docs/architecture.md) before it passes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');

/** Lowest first: a file may import its own layer and those before it. */
const LAYERS = ['rule', 'base', 'events', 'aws', 'audit', 'report', 'alerts', 'channels', 'run', 'entry'] as const;
type Layer = (typeof LAYERS)[number] | 'infrastructure';

/** The folders of lambda/ and their layers. Files at lambda/'s root are `base`, unless entry points. */
const FOLDERS: Record<string, Layer> = {
  rule: 'rule',
  // The real-time audit's events, parsed and validated: pure, above the base it may use.
  events: 'events',
  aws: 'aws',
  audit: 'audit',
  report: 'report',
  alerts: 'alerts',
  channels: 'channels',
  run: 'run',
  // The CLI's parts (arguments, progress, output) are the entry point's own.
  cli: 'entry',
};
const ENTRY_POINTS = new Set(['lambda/handler.ts', 'lambda/event-handler.ts', 'lambda/cli.ts', 'lambda/forwarder/handler.ts']);
/** Packages the runtime may not import (the CDK stays in lib/ and bin/). */
const CDK_PACKAGES = /^(aws-cdk-lib|aws-cdk|constructs|cdk-nag)(\/|$)/;

export function layerOf(file: string): Layer | undefined {
  if (file.startsWith('bin/')) return 'entry';
  if (file.startsWith('lib/')) return 'infrastructure';
  if (ENTRY_POINTS.has(file)) return 'entry';
  const parts = file.split('/');
  if (parts[0] !== 'lambda') return undefined;
  if (parts.length === 2) return 'base';
  return FOLDERS[parts[1]];
}

/** Specifiers a source imports: `import`, `import type`, `export … from`, `require()`, `import()`. */
export function specifiersOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

interface Graph {
  files: string[];
  /** Project file → project files it imports. */
  edges: Map<string, string[]>;
  /** Project file → packages it imports. */
  packages: Map<string, string[]>;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

function resolve(from: string, specifier: string): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return [`${base}.ts`, `${base}.js`, `${base}/index.ts`, base].find((f) => fs.existsSync(path.join(ROOT, f)) && fs.statSync(path.join(ROOT, f)).isFile());
}

function readGraph(): Graph {
  const files = ['lambda', 'lib', 'bin'].flatMap(sourceFiles).sort();
  const edges = new Map<string, string[]>();
  const packages = new Map<string, string[]>();
  for (const file of files) {
    const specifiers = specifiersOf(fs.readFileSync(path.join(ROOT, file), 'utf8'));
    const local = specifiers.filter((s) => s.startsWith('.'));
    edges.set(file, local.map((s) => resolve(file, s) ?? `${file}: unresolved ${s}`));
    packages.set(file, specifiers.filter((s) => !s.startsWith('.')));
  }
  return { files, edges, packages };
}

/** One circle per strongly connected component (Tarjan), as `a > b > … > a`, and the files it holds when more. */
export function circles(edges: Map<string, string[]>): string[] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[] = [];
  const visit = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) !== indexOf.get(v)) return;
    const component = new Set<string>();
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.add(w);
    } while (w !== v);
    if (component.size === 1 && !(edges.get(v) ?? []).includes(v)) return;
    const circle = circleThrough(v, component, edges);
    const others = [...component].filter((f) => !circle.split(' > ').includes(f)).sort();
    found.push(others.length ? `${circle} (and ${others.join(', ')} in the same tangle)` : circle);
  };
  for (const v of [...edges.keys()].sort()) if (!indexOf.has(v)) visit(v);
  return found.sort();
}

/** A shortest path from `start` back to itself inside its component (breadth first). */
function circleThrough(start: string, component: Set<string>, edges: Map<string, string[]>): string {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of edges.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0])!);
        return [...path, start].join(' > ');
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return start;
}

/** Imports that go up a layer, or from lib/ into the runtime beyond its base. */
export function upwardImports(edges: Map<string, string[]>): string[] {
  const rank = (l: Layer) => LAYERS.indexOf(l as (typeof LAYERS)[number]);
  const out: string[] = [];
  for (const [file, targets] of edges) {
    const from = layerOf(file);
    for (const target of targets) {
      const to = layerOf(target);
      if (!from || !to || from === 'entry') continue;
      if (from === 'infrastructure') {
        if (to !== 'infrastructure' && to !== 'base') out.push(`${file} (lib) imports ${target} (${to}): lib/ may take only lambda/'s base modules`);
      } else if (to === 'infrastructure') out.push(`${file} (${from}) imports ${target} (lib/)`);
      else if (rank(to) > rank(from)) out.push(`${file} (${from}) imports ${target} (${to}), a layer above it`);
    }
  }
  return out.sort();
}

describe('the import graph of lambda/, lib/ and bin/', () => {
  const graph = readGraph();

  test('it is read: every relative import resolves to a file', () => {
    const unresolved = [...graph.edges.values()].flat().filter((t) => t.includes(': unresolved '));
    expect(unresolved).toEqual([]);
    expect(graph.files.filter((f) => f.startsWith('lambda/')).length).toBeGreaterThan(30);
    expect([...graph.edges.values()].flat().length).toBeGreaterThan(100);
  });

  test('every file has a layer', () => {
    expect(graph.files.filter((f) => !layerOf(f))).toEqual([]);
  });

  test('no import circle', () => {
    expect(circles(graph.edges)).toEqual([]);
  });

  test(`no file imports a layer above its own (${LAYERS.join(' ← ')})`, () => {
    expect(upwardImports(graph.edges)).toEqual([]);
  });

  test('lambda/ never imports lib/ or the CDK', () => {
    const bad: string[] = [];
    for (const file of graph.files.filter((f) => f.startsWith('lambda/'))) {
      for (const target of graph.edges.get(file) ?? []) if (target.startsWith('lib/')) bad.push(`${file} imports ${target}`);
      for (const pkg of graph.packages.get(file) ?? []) if (CDK_PACKAGES.test(pkg)) bad.push(`${file} imports ${pkg}`);
    }
    expect(bad).toEqual([]);
  });
});

describe('the checks themselves', () => {
  test('the parser sees type-only imports, re-exports, require and import(), and not comments', () => {
    const source = [
      "import type { A } from './a';",
      "import { b } from '../b';",
      "export { c } from './c';",
      "export * from './d';",
      "const e = require('./e');",
      "const f = () => import('./f');",
      "// import { g } from './g';",
      "/* require('./h') */",
      "const s = 'from \\'./i\\'';",
    ].join('\n');
    expect(specifiersOf(source).sort()).toEqual(['../b', './a', './c', './d', './e', './f']);
  });

  test('a circle is found and named', () => {
    const edges = new Map([
      ['lambda/report/a.ts', ['lambda/alerts/b.ts']],
      ['lambda/alerts/b.ts', ['lambda/alerts/c.ts']],
      ['lambda/alerts/c.ts', ['lambda/report/a.ts']],
      ['lambda/rule/d.ts', []],
    ]);
    expect(circles(edges)).toEqual(['lambda/alerts/b.ts > lambda/alerts/c.ts > lambda/report/a.ts > lambda/alerts/b.ts']);
  });

  test('an adapter importing orchestration, lib/ importing the runtime and lambda/ importing lib/ are found; downward imports pass', () => {
    const edges = new Map([
      ['lambda/aws/ous.ts', ['lambda/audit/pool.ts', 'lambda/rule/types.ts', 'lambda/config.ts']],
      ['lib/stack.ts', ['lambda/env.ts', 'lambda/handler.ts']],
      ['lambda/channels/x.ts', ['lib/config.ts', 'lambda/alerts/y.ts']],
      ['lambda/handler.ts', ['lambda/channels/x.ts']],
    ]);
    expect(upwardImports(edges)).toEqual([
      'lambda/aws/ous.ts (aws) imports lambda/audit/pool.ts (audit), a layer above it',
      'lambda/channels/x.ts (channels) imports lib/config.ts (lib/)',
      "lib/stack.ts (lib) imports lambda/handler.ts (entry): lib/ may take only lambda/'s base modules",
    ]);
  });
});
