/**
 * The shape stays small (docs/architecture.md): every function in lambda/ fits on a screen
 * (at most 60 lines), and each entry point is wiring only (at most 80 lines). A function that
 * grows past this is split into named steps or helpers, each with one job.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const MAX_FUNCTION_LINES = 60;
const MAX_ENTRY_LINES = 80;
const ENTRY_POINTS = ['lambda/handler.ts', 'lambda/event-handler.ts', 'lambda/cli.ts'];

function files(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    return e.isDirectory() ? files(rel) : rel.endsWith('.ts') && !rel.endsWith('.d.ts') ? [rel] : [];
  });
}

/** Every function, method, arrow function and function expression, with its length in lines. */
export function functionLengths(file: string, text: string): Array<{ where: string; lines: number }> {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Array<{ where: string; lines: number }> = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const named = (node as { name?: ts.Node }).name ?? (ts.isVariableDeclaration(node.parent) || ts.isPropertyAssignment(node.parent) ? node.parent.name : undefined);
      out.push({ where: `${file}:${first + 1} ${named?.getText(source) ?? '(anonymous)'}`, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

test(`no function in lambda/ is over ${MAX_FUNCTION_LINES} lines`, () => {
  const all = files('lambda').flatMap((f) => functionLengths(f, fs.readFileSync(path.join(ROOT, f), 'utf8')));
  expect(all.length).toBeGreaterThan(200);
  expect(all.filter((f) => f.lines > MAX_FUNCTION_LINES).map((f) => `${f.where}: ${f.lines} lines`)).toEqual([]);
});

test(`each entry point is wiring only: at most ${MAX_ENTRY_LINES} lines`, () => {
  const long = ENTRY_POINTS.map((f) => [f, fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n').length - 1] as const).filter(([, n]) => n > MAX_ENTRY_LINES);
  expect(long).toEqual([]);
});

test('the measure sees functions of every form, and counts their lines', () => {
  const text = ['function a() {', '  return 1;', '}', 'const b = () => {', '  const c = function () {', '    return 2;', '  };', '};', 'class D {', '  e() {}', '}', ''].join('\n');
  expect(functionLengths('x.ts', text)).toEqual([
    { where: 'x.ts:1 a', lines: 3 },
    { where: 'x.ts:4 b', lines: 5 },
    { where: 'x.ts:5 c', lines: 3 },
    { where: 'x.ts:10 e', lines: 1 },
  ]);
});
