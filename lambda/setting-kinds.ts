/**
 * How a setting is declared (`setting(kind, { default, env, flag, deploy, help })`), and the kinds
 * of value it can hold. A kind reads a value from either source a setting can come from:
 * - `config`, the deployment configuration (`trailcheck.<key>` in cdk.json, a JSON file or `-c`):
 *   JSON values, or strings from `-c`; booleans are `true`/`false` only;
 * - `text`, an environment variable or a CLI flag: booleans may also be `yes`/`no`/`1`/`0`.
 * Every error is `<key>: expected <what>, got <the value as JSON>`, the key as the user wrote it.
 * No imports: this is bundled into the function and loaded by `cdk synth`.
 */

/** The configuration's one error type: at synth (lib/config.ts), in the function and in the CLI. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type Source = 'config' | 'text';
/** The key as the user wrote it; `index` names an item of a list (`trailcheck.emails[1]`), where the source does. */
export type KeyName = (index?: number) => string;

export interface Kind<T> {
  read(value: unknown, from: Source, key: KeyName): T;
  /** The value as it travels in an environment variable. */
  text(value: T): string;
  /** Text of only spaces means unset, as an empty string does (lists). */
  readonly blankIsUnset?: boolean;
}

export interface Declaration {
  /** Applied when the setting is not given (or, from text, given empty). */
  readonly default?: unknown;
  /** The environment variable the function reads it from. */
  readonly env?: string;
  /** The CLI flag, with its value as the usage shows it: `--concurrency N`, `--strict`. */
  readonly flag?: string;
  /**
   * Set at deployment too (`trailcheck.<key>`, validated at synth): `always`, the stack sets the
   * variable to the value or the default; `when-set`, only when configured, so the function's
   * default applies otherwise.
   */
  readonly deploy?: 'always' | 'when-set';
  /** The deployment key, when it is not the setting's own name. */
  readonly deployKey?: string;
  /** At deployment, an empty list is a value, not a mistake (`emails: []`). */
  readonly emptyAllowed?: boolean;
  /** One line: what it does (the CLI usage, and the reader of the declaration). */
  readonly help: string;
}

export type Setting<T> = Declaration & { readonly kind: Kind<T> };
export type Settings = Record<string, Setting<unknown>>;

/** Declares a setting: its kind, and where it comes from and goes to. */
export function setting<T, const D extends Declaration>(kind: Kind<T>, declaration: D & { readonly default?: NoInfer<T> }): D & { readonly kind: Kind<T> } {
  return { ...declaration, kind };
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ValueOf<S> = S extends { kind: Kind<infer T> } ? T : never;
/** The values of declared settings: those with a default are always set. */
export type Values<M> = Simplify<
  { -readonly [K in keyof M as M[K] extends { default: unknown } ? K : never]: ValueOf<M[K]> } & {
    -readonly [K in keyof M as M[K] extends { default: unknown } ? never : K]?: ValueOf<M[K]>;
  }
>;

export function fail(key: string, expected: string, got: unknown): never {
  throw new ConfigError(`${key}: expected ${expected}, got ${JSON.stringify(got)}`);
}

/** The default, copied when it is a list (so no caller can change the declaration's). */
export function defaultOf(s: Setting<unknown>): unknown {
  return Array.isArray(s.default) ? [...s.default] : s.default;
}

/** A string matching `re` (a RegExp, or any `{ test }`). */
export function pattern(re: { test(v: string): boolean }, expected: string): Kind<string> {
  return { read: (v, _from, key) => (typeof v === 'string' && re.test(v) ? v : fail(key(), expected, v)), text: (v) => v };
}

/** A whole number in [min, max]: a number, or (from `-c` or text) its digits. */
export function whole(min: number, max: number): Kind<number> {
  return {
    read(v, _from, key) {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
      return Number.isSafeInteger(n) && n >= min && n <= max ? n : fail(key(), `a whole number from ${min} to ${max}`, v);
    },
    text: String,
  };
}

const TEXT_BOOLEANS = new Map([['true', true], ['1', true], ['yes', true], ['false', false], ['0', false], ['no', false]]);

export const bool: Kind<boolean> = {
  read(v, from, key) {
    if (from === 'config' && (typeof v === 'boolean' || v === 'true' || v === 'false')) return v === true || v === 'true';
    const b = from === 'text' && typeof v === 'string' ? TEXT_BOOLEANS.get(v.toLowerCase()) : undefined;
    return b ?? fail(key(), 'true or false', v);
  },
  text: String,
};

/** One of `values`; said as `one of "a", "b"` in the deployment configuration, `a or b` in text. */
export function oneOf<const T extends string>(values: readonly T[]): Kind<T> {
  return {
    read(v, from, key) {
      if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
      const expected = from === 'config' ? `one of ${values.map((a) => JSON.stringify(a)).join(', ')}` : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
      return fail(key(), expected, v);
    },
    text: (v) => v,
  };
}

/**
 * A list of items each passing `item`: a JSON array, or one string of comma- or space-separated
 * items. Deduplicated in order (`same` says which items are the same, e.g. emails in any case).
 */
export function list(item: { test(v: string): boolean }, expected: string, same: (v: string) => string = (v) => v): Kind<string[]> {
  return {
    blankIsUnset: true,
    read(v, from, key) {
      const items: unknown[] = Array.isArray(v) && from === 'config' ? v : typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : fail(key(), `a list (each ${expected})`, v);
      if (items.length === 0 && !Array.isArray(v)) {
        if (from === 'config') fail(key(), `a list (each ${expected}); the string holds only separators`, v);
        // "," is not "unset": it would silently audit every account (or none), so it is refused.
        throw new ConfigError(`${key()}: expected ${expected} or a comma-separated list of them, got ${JSON.stringify(v)} (no value in it); give at least one, or leave it unset`);
      }
      const seen = new Set<string>();
      const out: string[] = [];
      items.forEach((it, i) => {
        if (typeof it !== 'string' || !item.test(it)) fail(key(i), expected, it);
        if (!seen.has(same(it))) out.push(it);
        seen.add(same(it));
      });
      return out;
    },
    text: (v) => v.join(','),
  };
}

/** A setting as given in text: the name the user wrote (a flag, an environment variable) and the value. */
export interface TextSetting {
  key: string;
  value: string | undefined;
}

/** Reads declared settings from text: unset or empty takes the default. */
export function readText<M extends Settings>(settings: M, raw: Partial<Record<keyof M, TextSetting>>): Values<M> {
  const out: Record<string, unknown> = {};
  for (const [field, s] of Object.entries(settings)) {
    const given = raw[field];
    const v = given?.value;
    const unset = v === undefined || v === '' || (s.kind.blankIsUnset === true && v.trim() === '');
    out[field] = unset ? defaultOf(s) : s.kind.read(v, 'text', () => (given as TextSetting).key);
  }
  return out as Values<M>;
}

/** Each declared setting's environment variable name. */
export function envNames<M extends Settings>(settings: M): { readonly [K in keyof M]: M[K] extends { env: infer E } ? E : never } {
  return Object.fromEntries(Object.entries(settings).map(([field, s]) => [field, s.env])) as never;
}

/** The variables for the given values (unset values and empty lists are left out). */
export function environment<M extends Settings>(settings: M, values: Partial<Record<keyof M, unknown>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [field, s] of Object.entries(settings)) {
    const v = values[field];
    if (s.env && v !== undefined && !(Array.isArray(v) && v.length === 0)) env[s.env] = s.kind.text(v);
  }
  return env;
}

/** Each declared setting's default, for those that have one. */
export function defaultsOf<M extends Settings>(settings: M): { readonly [K in keyof M as M[K] extends { default: unknown } ? K : never]: ValueOf<M[K]> } {
  return Object.fromEntries(Object.entries(settings).filter(([, s]) => s.default !== undefined).map(([field, s]) => [field, s.default])) as never;
}
