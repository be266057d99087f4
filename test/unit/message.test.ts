/** lambda/channels/sns.ts: the SNS alert stays within SNS's limits and says what it left out. */
import { buildSubject } from '../../lambda/alerts/document';
import type { AlertJson } from '../../lambda/channels/alert-json';
import { MAX_MESSAGE_BYTES, MAX_SUBJECT_CHARS, toSubject } from '../../lambda/channels/sns';
import { buildAlert } from '../alerts/build-alert';
import { account, accountId, report } from './report-fixtures';

const longText = (seed: string, n: number) => `${seed} `.repeat(Math.ceil(n / (seed.length + 1))).slice(0, n);

function bigReport(fails: number, errors: number) {
  const accounts = [
    account(accountId(0), 'PASS'),
    ...Array.from({ length: fails }, (_, i) =>
      account(accountId(1 + i), 'FAIL', {
        accountName: `workload-${i}-ünïcødé`,
        reasons: [
          { code: 'NOT_LOGGING', message: longText(`Trail t-${i} is multi-region but "not" logging \u2014`, 600) },
          { code: 'MANAGEMENT_EVENTS_WRITE_ONLY', message: longText(`Trail w-${i} records write-only\n`, 400) },
        ],
        remediation: [longText(`aws cloudtrail start-logging --name t-${i}`, 300), longText(`aws cloudtrail put-event-selectors --trail-name t-${i}`, 300)],
      }),
    ),
    // ERROR accounts listed last in the report: the alert must still put them first.
    ...Array.from({ length: errors }, (_, i) =>
      account(accountId(5000 + i), 'ERROR', { reasons: [{ code: 'ACCESS_DENIED', message: longText('DescribeTrails denied', 500) }] }),
    ),
    account(accountId(9000), 'SKIPPED'),
  ];
  return report(accounts, { errors: [{ code: 'LISTING_INCOMPLETE', message: 'listing stopped after page 3' }], notes: ['a note'] });
}

function parse(message: string): { default: string; email: string; json: AlertJson } {
  const outer = JSON.parse(message);
  return { ...outer, json: JSON.parse(outer.default) };
}

describe('buildAlert on 1,000 FAIL accounts with long reasons (and 5 ERROR)', () => {
  const r = bigReport(1000, 5);
  const alert = buildAlert(r);
  const parsed = parse(alert.message);
  const failing = 1005;

  test('the message fits within MAX_MESSAGE_BYTES (UTF-8 bytes, not characters)', () => {
    expect(Buffer.byteLength(alert.message, 'utf8')).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(MAX_MESSAGE_BYTES).toBeLessThanOrEqual(256 * 1024);
  });

  test('some accounts are omitted, and shown + omitted = the failing count', () => {
    expect(alert.omittedAccounts).toBeGreaterThan(0);
    expect(parsed.json.accounts.length).toBeGreaterThan(0);
    expect(parsed.json.accounts.length + alert.omittedAccounts).toBe(failing);
  });

  test('the JSON omittedAccounts matches, and the JSON body is the one returned', () => {
    expect(parsed.json.omittedAccounts).toBe(alert.omittedAccounts);
    expect(parsed.json).toEqual(alert.json);
    expect(parsed.email).toBe(alert.text);
  });

  test('the text says how many accounts were left out', () => {
    expect(alert.text).toContain(`and ${alert.omittedAccounts} more accounts`);
  });

  test('the text lists exactly the accounts the JSON lists', () => {
    const inText = (alert.text.match(/^(FAIL|ERROR) {2}\d{12}/gm) ?? []).map((l) => l.slice(-12));
    expect(inText).toEqual(parsed.json.accounts.map((a) => a.accountId));
  });

  test('ERROR accounts come before FAIL accounts', () => {
    const statuses = parsed.json.accounts.map((a) => a.status);
    expect(statuses.slice(0, 5)).toEqual(['ERROR', 'ERROR', 'ERROR', 'ERROR', 'ERROR']);
    expect(statuses.slice(5).every((s) => s === 'FAIL')).toBe(true);
    expect(parsed.json.accounts[5].accountId).toBe(accountId(1));
  });

  test('the message is as full as it can be: the room left is less than one more account takes', () => {
    const whole = buildAlert(r, Number.POSITIVE_INFINITY);
    expect(whole.omittedAccounts).toBe(0);
    const perAccount = (Buffer.byteLength(whole.message) - Buffer.byteLength(alert.message)) / alert.omittedAccounts;
    // The limit holds the attributes too (names, types and values, as SNS counts them).
    const attributes = Object.entries(alert.attributes).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v.DataType) + Buffer.byteLength(v.StringValue), 0);
    expect(MAX_MESSAGE_BYTES - Buffer.byteLength(alert.message) - attributes).toBeLessThan(perAccount);
  });

  test('run errors and the summary are still in the text', () => {
    expect(alert.text).toContain('LISTING_INCOMPLETE');
    expect(alert.text).toContain('1 PASS, 1000 FAIL, 5 ERROR, 1 SKIPPED of 1007 accounts');
  });
});

describe('buildAlert, small report', () => {
  test('fits whole: omitted 0, every FAIL/ERROR account listed, no "left out" line', () => {
    const r = report([account(accountId(1), 'FAIL'), account(accountId(2), 'PASS'), account(accountId(3), 'ERROR')]);
    const alert = buildAlert(r);
    const parsed = parse(alert.message);
    expect(alert.omittedAccounts).toBe(0);
    expect(parsed.json.omittedAccounts).toBe(0);
    expect(parsed.json.accounts.map((a) => a.accountId)).toEqual([accountId(3), accountId(1)]);
    expect(alert.text).not.toMatch(/left out/);
    expect(alert.text).toContain('Fix:');
    expect(alert.text).toContain(`aws cloudtrail start-logging --name arn:aws:cloudtrail:us-east-1:${accountId(1)}:trail/main`);
  });

  test('a tight budget leaves accounts out and says "1 more account" in the singular', () => {
    const r = report([account(accountId(1), 'FAIL'), account(accountId(2), 'FAIL')]);
    const whole = buildAlert(r);
    const oneLess = buildAlert(r, Buffer.byteLength(whole.message) - 1);
    expect(oneLess.omittedAccounts).toBe(1);
    expect(Buffer.byteLength(oneLess.message)).toBeLessThan(Buffer.byteLength(whole.message));
    expect(oneLess.text).toContain('and 1 more account failing');
    expect(parse(oneLess.message).json.accounts.map((a) => a.accountId)).toEqual([accountId(1)]);
  });

  test('an all-PASS report (publish on pass) has no accounts and a PASS subject', () => {
    const r = report([account(accountId(1), 'PASS'), account(accountId(2), 'PASS')]);
    const alert = buildAlert(r);
    expect(alert.json.accounts).toEqual([]);
    expect(alert.subject).toBe('trailcheck: all 2 audited accounts PASS');
  });
});

describe('buildAlert, many run errors', () => {
  // channels/sns.ts promises "never over SNS's 256 KiB limit". Run errors are unbounded (one
  // MALFORMED_RESPONSE per unreadable ListAccounts entry) and are always included in full.
  test('1,500 run errors and one FAIL account: the message still fits within MAX_MESSAGE_BYTES', () => {
    const errors = Array.from({ length: 1500 }, (_, i) => ({
      code: 'MALFORMED_RESPONSE',
      message: `ListAccounts page ${i} entry 3 has no valid 12-digit Id (got null, name "${'x'.repeat(100)}"); that account could not be audited.`,
    }));
    const alert = buildAlert(report([account(accountId(1), 'FAIL')], { errors }));
    expect(Buffer.byteLength(alert.message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });
});

describe('buildSubject', () => {
  test.each([
    ['FAIL and ERROR', [account(accountId(1), 'FAIL'), account(accountId(2), 'ERROR')], [], 'trailcheck: 1 FAIL, 1 ERROR of 2 accounts'],
    ['FAIL only', [account(accountId(1), 'FAIL'), account(accountId(2), 'PASS')], [], 'trailcheck: 1 FAIL of 2 accounts'],
    ['run error only', [account(accountId(1), 'PASS')], [{ code: 'X', message: 'y' }], 'trailcheck: run incomplete of 1 accounts'],
    ['FAIL and a run error', [account(accountId(1), 'FAIL')], [{ code: 'X', message: 'y' }], 'trailcheck: 1 FAIL, run incomplete of 1 accounts'],
  ])('%s', (_name, accounts, errors, expected) => {
    expect(buildSubject(report(accounts, { errors }))).toBe(expected);
  });
});

describe('toSubject', () => {
  test.each([
    ['plain ASCII is kept', 'trailcheck: 3 FAIL of 10 accounts', 'trailcheck: 3 FAIL of 10 accounts'],
    ['a newline becomes a space', 'line one\nline two', 'line one line two'],
    ['CRLF runs become one space', 'a\r\n\r\nb', 'a b'],
    ['non-ASCII characters are replaced', 'caf\u00e9 \u2014 ok', 'caf? ? ok'],
    ['a tab (control character) is replaced', 'a\tb', 'a?b'],
  ])('%s', (_name, input, expected) => {
    expect(toSubject(input)).toBe(expected);
  });

  test(`caps at ${MAX_SUBJECT_CHARS} characters, ending in "..."`, () => {
    const s = toSubject('x'.repeat(300));
    expect(s).toHaveLength(99);
    expect(s.endsWith('...')).toBe(true);
  });

  test('exactly 99 characters is kept whole; 100 is cut', () => {
    expect(toSubject('y'.repeat(99))).toBe('y'.repeat(99));
    expect(toSubject('y'.repeat(100))).toHaveLength(99);
    expect(toSubject('y'.repeat(100)).endsWith('...')).toBe(true);
  });

  test('any input gives printable ASCII under 100 characters', () => {
    const inputs = ['\u{1F600}'.repeat(80), '\n'.repeat(200), `${'\u00e9'.repeat(60)}\r\n${'z'.repeat(60)}`, '\u0000\u0007\u007f'];
    for (const input of inputs) {
      const s = toSubject(input);
      expect(s.length).toBeLessThan(100);
      expect(s).toMatch(/^[\x20-\x7e]*$/);
    }
  });
});
