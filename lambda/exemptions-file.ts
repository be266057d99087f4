/**
 * An exemptions file (the CLI's `--exemptions FILE`): JSON or YAML, holding the list of
 * exemptions, or an object whose only key is `exemptions`. Read with the same parser as the
 * deployment's `trailcheck.exemptions` (./exemptions.ts).
 *
 * YAML is read with the YAML 1.2 core schema: an unquoted `2026-06-30` stays a string (no
 * timestamps), merge keys (`<<`) are not merged (they are refused as an unknown field), aliases
 * are bounded (the `yaml` package's maxAliasCount), duplicate keys and several documents in one
 * file are errors. An unquoted account id with a leading zero is a number in YAML, and refused as
 * one (quote it). This file is the only one that imports `yaml`: the function never loads it
 * (it reads the JSON the stack wrote, with ./exemptions.ts alone).
 */
import { parseDocument } from 'yaml';
import { ConfigError } from './setting-kinds';
import { parseExemptions, type Exemption, type ParseExemptionsOptions } from './exemptions';

/** Larger than any sensible exemptions file; a bigger one is a mistake (or an attack on the parser). */
export const MAX_EXEMPTIONS_FILE_BYTES = 1024 * 1024;

export function parseExemptionsFile(text: string, fileName: string, opts: ParseExemptionsOptions): Exemption[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_EXEMPTIONS_FILE_BYTES) throw new ConfigError(`${fileName}: larger than ${MAX_EXEMPTIONS_FILE_BYTES} bytes; expected a list of exemptions`);
  const value = /\.json$/i.test(fileName) ? readJson(text, fileName) : readYaml(text, fileName);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length !== 1 || keys[0] !== 'exemptions') {
      throw new ConfigError(`${fileName}: expected a list of exemptions, or an object with the one key "exemptions", got the keys ${keys.map((k) => JSON.stringify(k)).join(', ') || '(none)'}`);
    }
    return parseExemptions((value as { exemptions: unknown }).exemptions, `${fileName}: exemptions`, opts);
  }
  return parseExemptions(value, fileName, opts);
}

function readJson(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${fileName}: not valid JSON (${(err as Error).message}); expected a list of exemptions`);
  }
}

function readYaml(text: string, fileName: string): unknown {
  const doc = parseDocument(text, { schema: 'core', merge: false, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) throw new ConfigError(`${fileName}: not valid YAML (${doc.errors[0].message.split('\n')[0]}); expected a list of exemptions`);
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError(`${fileName}: cannot be read (${(err as Error).message.split('\n')[0]}); expected a list of exemptions without deeply nested aliases`);
  }
}
