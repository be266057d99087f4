/** The exemptions' parser (lambda/exemptions.ts) and the exemptions file, JSON or YAML (lambda/exemptions-file.ts). */
import { ConfigError } from '../../lambda/setting-kinds';
import { daysLeft, exemptionsForRuntime, inForce, parseExemptions, type ParseExemptionsOptions } from '../../lambda/exemptions';
import { parseExemptionsFile } from '../../lambda/exemptions-file';

const NOW = new Date('2026-03-01T12:00:00Z');
const SYNTH: ParseExemptionsOptions = { now: NOW, maxDays: 365, atSynth: true };
const RUN: ParseExemptionsOptions = { ...SYNTH, atSynth: false };
const valid = { accounts: ['111111111111'], reason: 'sandbox, deleted in June', owner: 'platform@example.com', expires: '2026-06-30' };
const parse = (items: unknown[], opts = SYNTH) => parseExemptions(items, 'trailcheck.exemptions', opts);
const error = (items: unknown[], opts = SYNTH): string => {
  try {
    parse(items, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('parseExemptions', () => {
  it('reads a valid exemption, with a derived id that does not depend on the expiry or the ticket', () => {
    const [e] = parse([valid]);
    expect(e).toEqual({ ...valid, ous: [], id: expect.stringMatching(/^ex-[0-9a-f]{12}$/) });
    const [renewed] = parse([{ ...valid, expires: '2026-09-30', ticket: 'SEC-12' }]);
    expect(renewed.id).toBe(e.id);
    const [other] = parse([{ ...valid, accounts: ['222222222222'] }]);
    expect(other.id).not.toBe(e.id);
    expect(parse([{ ...valid, id: 'sandbox-1' }])[0].id).toBe('sandbox-1');
  });

  it('takes OU ids and the root id, and deduplicates ids', () => {
    const [e] = parse([{ ous: ['ou-ab12-cd34ef56', 'r-ab12', 'ou-ab12-cd34ef56'], reason: 'r', owner: 'o', expires: '2026-04-01' }]);
    expect(e.ous).toEqual(['ou-ab12-cd34ef56', 'r-ab12']);
    expect(e.accounts).toEqual([]);
  });

  it.each<[string, unknown, RegExp]>([
    ['missing owner', { ...valid, owner: undefined }, /^trailcheck\.exemptions\[0\]\.owner: required; expected who answers for it/],
    ['empty owner', { ...valid, owner: '  ' }, /^trailcheck\.exemptions\[0\]\.owner: expected a non-empty string/],
    ['missing reason', { ...valid, reason: undefined }, /^trailcheck\.exemptions\[0\]\.reason: required/],
    ['missing expiry', { ...valid, expires: undefined }, /^trailcheck\.exemptions\[0\]\.expires: required; expected the last day .* YYYY-MM-DD/],
    ['bad date', { ...valid, expires: '2026-02-30' }, /^trailcheck\.exemptions\[0\]\.expires: expected a calendar date YYYY-MM-DD \(UTC\) such as 2026-06-30, got "2026-02-30"/],
    ['date in another form', { ...valid, expires: '30/06/2026' }, /\.expires: expected a calendar date/],
    ['date with a time', { ...valid, expires: '2026-06-30T00:00:00Z' }, /\.expires: expected a calendar date/],
    ['date as a number', { ...valid, expires: 20260630 }, /\.expires: expected a calendar date/],
    ['past expiry', { ...valid, expires: '2026-02-28' }, /^trailcheck\.exemptions\[0\]\.expires: 2026-02-28 is in the past .*renew it with a later date \(at most 2027-03-01\) or remove it/],
    ['beyond the maximum', { ...valid, expires: '2027-03-02' }, /^trailcheck\.exemptions\[0\]\.expires: 2027-03-02 is more than 365 days from now \(exemptionMaxDays\); expected 2027-03-01 or earlier/],
    ['bad account id', { ...valid, accounts: ['11111111111'] }, /^trailcheck\.exemptions\[0\]\.accounts\[0\]: expected a 12-digit account id as a string/],
    ['account id as a number', { ...valid, accounts: [111111111111] }, /\.accounts\[0\]: expected a 12-digit account id as a string .*got 111111111111/],
    ['accounts not a list', { ...valid, accounts: '111111111111' }, /\.accounts: expected a list/],
    ['bad OU id', { ...valid, ous: ['ou-AB12-cd34ef56'] }, /^trailcheck\.exemptions\[0\]\.ous\[0\]: expected an OU id/],
    ['nothing covered', { ...valid, accounts: [] }, /^trailcheck\.exemptions\[0\]: expected accounts and\/or ous/],
    ['unknown field', { ...valid, account: ['111111111111'] }, /^trailcheck\.exemptions\[0\]\.account: unknown field; expected only id, accounts, ous, reason, owner, expires, ticket/],
    ['control character', { ...valid, reason: 'ok\u0007' }, /^trailcheck\.exemptions\[0\]\.reason: contains a control, line-break or bidirectional character/],
    ['line break', { ...valid, owner: 'a\nSubject: x' }, /\.owner: contains a control, line-break/],
    ['bidirectional override', { ...valid, ticket: 'SEC-\u202e1' }, /\.ticket: contains a control, line-break or bidirectional/],
    ['C1 control', { ...valid, reason: 'x\u0085y' }, /\.reason: contains a control/],
    ['reason too long', { ...valid, reason: 'x'.repeat(501) }, /\.reason: at most 500 characters, got 501/],
    ['bad id', { ...valid, id: 'has space' }, /\.id: expected 1-64 characters/],
    ['not an object', 'sandbox', /^trailcheck\.exemptions\[0\]: expected an exemption object/],
    ['a Date as the expiry', { ...valid, expires: new Date('2026-06-30T00:00:00Z') }, /\.expires: expected a date as the string YYYY-MM-DD, got a date-time value \(2026-06-30T00:00:00\.000Z\); write it as a string/],
  ])('refuses %s, naming key[i].field and how to fix it', (_name, item, message) => {
    expect(error([item])).toMatch(message);
  });

  it('names the right item of the list', () => {
    expect(error([valid, { ...valid, accounts: ['222222222222'], owner: undefined }])).toMatch(/^trailcheck\.exemptions\[1\]\.owner/);
  });

  it('refuses a value that is not a list, and two exemptions with one id', () => {
    expect(() => parseExemptions({ accounts: [] }, 'trailcheck.exemptions', SYNTH)).toThrow(/^trailcheck\.exemptions: expected a list of exemptions/);
    expect(error([valid, valid])).toMatch(/^trailcheck\.exemptions\[1\]\.id: "ex-[0-9a-f]{12}" is also the id of trailcheck\.exemptions\[0\]/);
  });

  it('at run time keeps an expired exemption, marked expired; a past expiry is not an error there', () => {
    const [e] = parse([{ ...valid, expires: '2026-02-28' }], RUN);
    expect(e.expired).toBe(true);
    expect(parse([valid], RUN)[0].expired).toBeUndefined();
  });

  it('an exemption expiring today is in force until 23:59:59.999Z and not a millisecond longer', () => {
    const today = { ...valid, expires: '2026-03-01' };
    expect(parse([today])[0].expired).toBeUndefined();
    expect(inForce('2026-03-01', new Date('2026-03-01T23:59:59.999Z'))).toBe(true);
    expect(inForce('2026-03-01', new Date('2026-03-02T00:00:00.000Z'))).toBe(false);
    expect(parse([today], { ...RUN, now: new Date('2026-03-02T00:00:00Z') })[0].expired).toBe(true);
    expect(daysLeft('2026-03-01', NOW)).toBe(0);
    expect(daysLeft('2026-03-15', NOW)).toBe(14);
  });

  it('the maximum is a setting', () => {
    expect(error([{ ...valid, expires: '2026-04-01' }], { ...SYNTH, maxDays: 30 })).toMatch(/more than 30 days from now .*expected 2026-03-31 or earlier/);
    expect(() => parse([{ ...valid, expires: '2026-03-31' }], { ...SYNTH, maxDays: 30 })).not.toThrow();
  });

  it('exemptionsForRuntime carries explicit ids, and reads back the same', () => {
    const list = parse([valid, { ...valid, accounts: ['222222222222'], ticket: 'SEC-1' }]);
    const back = parseExemptions(JSON.parse(JSON.stringify(exemptionsForRuntime(list))), 'policy.exemptions', RUN);
    expect(back).toEqual(list);
    expect(exemptionsForRuntime(list).every((e) => typeof e.id === 'string' && !('expired' in e))).toBe(true);
  });
});

describe('parseExemptionsFile', () => {
  it('reads JSON: a list, or an object with the one key "exemptions"', () => {
    expect(parseExemptionsFile(JSON.stringify([valid]), 'ex.json', RUN)).toHaveLength(1);
    expect(parseExemptionsFile(JSON.stringify({ exemptions: [valid] }), 'ex.json', RUN)).toHaveLength(1);
    expect(() => parseExemptionsFile(JSON.stringify({ exemptions: [valid], extra: 1 }), 'ex.json', RUN)).toThrow(/^ex\.json: expected a list of exemptions, or an object with the one key "exemptions"/);
    expect(() => parseExemptionsFile('[{', 'ex.json', RUN)).toThrow(/^ex\.json: not valid JSON/);
    expect(() => parseExemptionsFile(JSON.stringify({ exemptions: [{ ...valid, owner: 1 }] }), 'ex.json', RUN)).toThrow(/^ex\.json: exemptions\[0\]\.owner: expected a non-empty string/);
  });

  it('reads YAML, an unquoted date staying a date string', () => {
    const yaml = ['- id: sandbox', '  accounts: ["111111111111"]', '  ous: [ou-ab12-cd34ef56]', '  reason: sandbox', '  owner: platform@example.com', '  expires: 2026-06-30', '  ticket: SEC-1'].join('\n');
    expect(parseExemptionsFile(yaml, 'ex.yaml', RUN)).toEqual([
      { id: 'sandbox', accounts: ['111111111111'], ous: ['ou-ab12-cd34ef56'], reason: 'sandbox', owner: 'platform@example.com', expires: '2026-06-30', ticket: 'SEC-1' },
    ]);
  });

  it('refuses what YAML would quietly turn into something else', () => {
    const item = (extra: string) => `- accounts: ["111111111111"]\n  reason: r\n  owner: o\n${extra}`;
    // An explicit timestamp tag is a Date: refused with how to write it.
    expect(() => parseExemptionsFile(item('  expires: !!timestamp 2026-06-30\n'), 'ex.yaml', RUN)).toThrow(/^ex\.yaml\[0\]\.expires: expected a date as the string YYYY-MM-DD, got a date-time value/);
    // An unquoted id with a leading zero is a number, its zero lost.
    expect(() => parseExemptionsFile('- accounts: [012345678901]\n  reason: r\n  owner: o\n  expires: 2026-06-30\n', 'ex.yml', RUN)).toThrow(/^ex\.yml\[0\]\.accounts\[0\]: expected a 12-digit account id as a string \(quote it in YAML/);
    // Merge keys are not merged (so an exemption cannot borrow another's accounts unseen): refused.
    const merged = `- &base\n  accounts: ["111111111111"]\n  reason: r\n  owner: o\n  expires: 2026-06-30\n- <<: *base\n  owner: someone-else\n`;
    expect(() => parseExemptionsFile(merged, 'ex.yaml', RUN)).toThrow(/^ex\.yaml\[1\]\.<<: unknown field \(YAML merge keys are not supported: write the fields out\)/);
    // An alias repeats the same exemption: two with one id.
    expect(() => parseExemptionsFile(`- &a\n  accounts: ["111111111111"]\n  reason: r\n  owner: o\n  expires: 2026-06-30\n- *a\n`, 'ex.yaml', RUN)).toThrow(/^ex\.yaml\[1\]\.id: .* is also the id of ex\.yaml\[0\]/);
    expect(() => parseExemptionsFile(item('  expires: 2026-06-30\n  owner: p\n'), 'ex.yaml', RUN)).toThrow(/^ex\.yaml: not valid YAML/);
    expect(() => parseExemptionsFile(`${item('  expires: 2026-06-30\n')}---\n- x\n`, 'ex.yaml', RUN)).toThrow(/^ex\.yaml: not valid YAML/);
  });

  it('refuses an alias bomb', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`);
    expect(() => parseExemptionsFile(lines.join('\n'), 'bomb.yaml', RUN)).toThrow(/^bomb\.yaml: cannot be read \(Excessive alias count/);
  });
});
