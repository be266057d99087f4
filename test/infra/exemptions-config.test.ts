/** `trailcheck.exemptions` at synth (lib/config.ts, lib/deploy-settings.ts): each malformed case fails `cdk synth` naming key[i].field and how to fix it. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exemptionsForRuntime, parseExemptions } from '../../lambda/exemptions';
import { loadConfig, parseConfig, TrailcheckConfigError } from '../../lib/config';

const NOW = new Date('2026-03-01T12:00:00Z');
const valid = { id: 'sandbox', accounts: ['111111111111'], reason: 'sandbox, deleted in June', owner: 'platform@example.com', expires: '2026-06-30', ticket: 'SEC-1' };
/** The least configuration that synthesizes (the member roles' settings are not what is tested). */
const BASE = { memberRoles: false };
const synth = (exemptions: unknown, extra: Record<string, unknown> = {}) => parseConfig({ ...BASE, exemptions, ...extra }, { now: NOW });
const synthError = (exemptions: unknown, extra: Record<string, unknown> = {}): string => {
  try {
    synth(exemptions, extra);
  } catch (err) {
    expect(err).toBeInstanceOf(TrailcheckConfigError);
    return (err as Error).message;
  }
  throw new Error('expected synth to fail');
};

test('valid exemptions are read, and none is the default', () => {
  expect(parseConfig(BASE, { now: NOW }).exemptions).toEqual([]);
  expect(synth([]).exemptions).toEqual([]);
  expect(synth([valid, { ous: ['ou-ab12-cd34ef56'], reason: 'r', owner: 'o', expires: '2026-03-01' }]).exemptions).toEqual([
    { ...valid, ous: [] },
    { id: expect.stringMatching(/^ex-[0-9a-f]{12}$/), accounts: [], ous: ['ou-ab12-cd34ef56'], reason: 'r', owner: 'o', expires: '2026-03-01' },
  ]);
});

test.each<[string, unknown, RegExp]>([
  ['missing owner', { ...valid, owner: undefined }, /^trailcheck\.exemptions\[0\]\.owner: required/],
  ['bad date', { ...valid, expires: '2026-13-01' }, /^trailcheck\.exemptions\[0\]\.expires: expected a calendar date YYYY-MM-DD/],
  ['past expiry', { ...valid, expires: '2026-02-28' }, /^trailcheck\.exemptions\[0\]\.expires: 2026-02-28 is in the past .*renew it/],
  ['beyond max', { ...valid, expires: '2027-03-02' }, /^trailcheck\.exemptions\[0\]\.expires: 2027-03-02 is more than 365 days from now \(exemptionMaxDays\)/],
  ['bad account id', { ...valid, accounts: ['1234'] }, /^trailcheck\.exemptions\[0\]\.accounts\[0\]: expected a 12-digit account id/],
  ['unknown field', { ...valid, expiry: '2026-06-30' }, /^trailcheck\.exemptions\[0\]\.expiry: unknown field; expected only/],
  ['control characters', { ...valid, reason: 'sandbox\r\nBcc: x' }, /^trailcheck\.exemptions\[0\]\.reason: contains a control, line-break or bidirectional character/],
])('synth fails on %s', (_name, item, message) => {
  expect(synthError([item])).toMatch(message);
});

test('the maximum is exemptionMaxDays, itself validated', () => {
  expect(synthError([{ ...valid, expires: '2026-04-01' }], { exemptionMaxDays: 30 })).toMatch(/more than 30 days from now .*expected 2026-03-31 or earlier/);
  expect(synth([{ ...valid, expires: '2027-06-30' }], { exemptionMaxDays: 730 }).exemptions).toHaveLength(1);
  expect(() => synth([], { exemptionMaxDays: 0 })).toThrow(/^trailcheck\.exemptionMaxDays: expected a whole number from 1 to 3650/);
  expect(() => synth([], { exemptionWarningDays: -1 })).toThrow(/^trailcheck\.exemptionWarningDays: expected a whole number from 0 to 365/);
});

test('not a list; given with -c as JSON; the config file named in the error', () => {
  expect(synthError({ accounts: [] })).toMatch(/^trailcheck\.exemptions: expected a list of exemptions/);
  expect(synth(JSON.stringify([valid])).exemptions).toHaveLength(1);
  expect(synthError('sandbox')).toMatch(/^trailcheck\.exemptions: expected a JSON list of exemptions/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trailcheck-exemptions-'));
  fs.writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify({ ...BASE, exemptions: [{ ...valid, owner: '' }] }));
  const context = { tryGetContext: (k: string) => (k === 'trailcheck.configFile' ? 'cfg.json' : undefined) };
  expect(() => loadConfig(context, dir)).toThrow(/^trailcheck\.exemptions\[0\]\.owner: expected a non-empty string .* \(from cfg\.json\)$/);
});

test('what the function is given reads back the same at run time, with the same ids', () => {
  const config = synth([valid, { accounts: ['222222222222'], reason: 'r', owner: 'o', expires: '2026-06-30' }]);
  const carried = JSON.parse(JSON.stringify(exemptionsForRuntime(config.exemptions)));
  expect(parseExemptions(carried, 'policy.exemptions', { now: NOW, maxDays: 365, atSynth: false })).toEqual(config.exemptions);
});
