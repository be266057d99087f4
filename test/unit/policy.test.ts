import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { policyFileText, POLICY_FILE, POLICY_FILE_ENV, readPolicy } from '../../lambda/policy';
import { assetFileCommands } from '../../lib/function-defaults';

const dir = () => mkdtempSync(path.join(tmpdir(), 'trailcheck-policy-'));

describe('the policy file in the function asset', () => {
  test('hostile configured text is written byte for byte by the bundling command, and nothing of it runs', () => {
    const out = dir();
    const canary = path.join(out, 'pwned');
    const hostile = { exemptions: [{ reason: `$(touch ${canary}) \`touch ${canary}\` '; touch ${canary}; ' "\\" \n\u0000 ünï 🔒` }], routes: [] };
    const text = policyFileText(hostile);
    for (const command of assetFileCommands(out, { [POLICY_FILE]: text })) execFileSync('bash', ['-c', command]);
    expect(readFileSync(path.join(out, POLICY_FILE), 'utf8')).toBe(text);
    expect(() => readFileSync(canary)).toThrow();
    expect(readPolicy(out, {})).toEqual({ schemaVersion: 1, ...hostile });
  });

  test('a file name outside [a-z0-9-].json, or an output directory with a quote, is refused', () => {
    expect(() => assetFileCommands('/tmp/x', { '../evil.json': '{}' })).toThrow(/asset file name/);
    expect(() => assetFileCommands('/tmp/x', { 'a b.json': '{}' })).toThrow(/asset file name/);
    expect(() => assetFileCommands("/tmp/x'; rm -rf ~; '", { 'p.json': '{}' })).toThrow(/single quote/);
  });

  test('no file beside the bundle: nothing configured', () => {
    expect(readPolicy(dir(), {})).toEqual({ schemaVersion: 1, exemptions: [], routes: [] });
  });

  test('a file that is there but not a policy is an error naming it, never "no policy"', () => {
    const d = dir();
    writeFileSync(path.join(d, POLICY_FILE), '{"schemaVersion":1,"exemptions":{}}');
    expect(() => readPolicy(d, {})).toThrow(/not a trailcheck policy/);
    writeFileSync(path.join(d, POLICY_FILE), '{not json');
    expect(() => readPolicy(d, {})).toThrow(/trailcheck-policy.json: .* could not be read as JSON/);
  });

  test(`${POLICY_FILE_ENV} names the file instead; a named file that is missing is an error`, () => {
    const d = dir();
    const file = path.join(d, 'mine.json');
    writeFileSync(file, policyFileText({ exemptions: [], routes: [{ name: 'r' }] }));
    expect(readPolicy('/nonexistent', { [POLICY_FILE_ENV]: file }).routes).toEqual([{ name: 'r' }]);
    expect(() => readPolicy('/nonexistent', { [POLICY_FILE_ENV]: path.join(d, 'missing.json') })).toThrow(new RegExp(`^${POLICY_FILE_ENV}: `));
  });
});
