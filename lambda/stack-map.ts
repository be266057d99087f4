/**
 * Stack traces of the bundled functions, mapped to the TypeScript sources only when an error
 * escapes a handler, not at every cold start.
 *
 * `node --enable-source-maps` reads and parses the bundle's ~0.9 MB source map while the bundle
 * loads: 18–27 ms more on every cold start (measured: docs/performance.md, cold start). Here the
 * map (shipped beside the bundle, `index.js.map`) is read the first time an error escapes, and
 * the frames that point into the bundle are rewritten to `lambda/….ts:line:column`.
 * Unbundled (tests, the CLI under tsx) there is no map and stacks are left as they are.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

let cached: { file: string; map: SourceMap | undefined } | undefined;

function sourceMapOf(file: string): SourceMap | undefined {
  if (cached?.file !== file) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = undefined; // no map beside it (unbundled), or unreadable: leave stacks as they are
    }
    cached = { file, map };
  }
  return cached.map;
}

const FRAME = /\(?((?:\/|[A-Za-z]:\\)[^\s():]+\.js):(\d+):(\d+)\)?/g;

/** `stack` with every frame in `file` (the bundle) pointed at its source; others unchanged. */
export function mapStack(stack: string, file: string): string {
  const map = sourceMapOf(file);
  if (!map) return stack;
  return stack.replace(FRAME, (frame: string, path: string, line: string, column: string) => {
    if (path !== file) return frame;
    const e = map.findEntry(Number(line) - 1, Number(column) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (!e?.originalSource || e.originalLine === undefined || e.originalColumn === undefined) return frame;
    const source = e.originalSource.replace(/^(?:\.\.\/)+/, '');
    const mapped = `${source}:${e.originalLine + 1}:${e.originalColumn + 1}`;
    return frame.startsWith('(') ? `(${mapped})` : mapped;
  });
}

/**
 * `handler`, with the stack of any error that escapes it mapped to the sources before the Lambda
 * runtime logs it. `file` is the bundle (`__filename` there).
 */
export function withMappedStacks<A extends unknown[], R>(handler: (...args: A) => Promise<R>, file: string): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (err) {
      if (err instanceof Error && typeof err.stack === 'string') {
        try {
          err.stack = mapStack(err.stack, file);
        } catch {
          // Mapping is a courtesy: the original error is what matters.
        }
      }
      throw err;
    }
  };
}
