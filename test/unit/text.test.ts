/** lambda/report/text.ts: the terminal report. */
import { headline, renderTable, renderText, summaryLine } from '../../lambda/report/text';
import { account, accountId, report } from './report-fixtures';

const PASS_ID = accountId(1);
const WARN_ID = accountId(2);
const FAIL_ID = accountId(3);
const ERROR_ID = accountId(4);
const SKIP_ID = accountId(5);

function sample() {
  return report(
    [
      account(PASS_ID, 'PASS'),
      account(WARN_ID, 'PASS', {
        warnings: [
          { code: 'EXCLUDED_EVENT_SOURCES', message: 'Trail main excludes kms.amazonaws.com.' },
          { code: 'DELIVERY_ERROR', message: 'Trail main reports delivery error AccessDenied.' },
        ],
      }),
      account(FAIL_ID, 'FAIL', {
        remediation: [
          'aws cloudtrail update-trail --name main --is-multi-region-trail',
          'aws cloudtrail start-logging --name main',
        ],
      }),
      account(ERROR_ID, 'ERROR'),
      account(SKIP_ID, 'SKIPPED', { accountName: '' }),
    ],
    {
      errors: [
        { code: 'LISTING_INCOMPLETE', message: 'ListAccounts failed after 2 page(s).' },
        { code: 'ACCOUNT_NOT_FOUND', message: 'Account 999999999999 was selected by configuration but is not in the organization.' },
      ],
      notes: ['Organizations listed account 100000000001 more than once; it is reported once.'],
    },
  );
}

const lines = (s: string) => s.split('\n');
const section = (text: string, title: string): string[] => {
  const all = lines(text);
  const start = all.indexOf(title);
  if (start < 0) return [];
  const end = all.findIndex((l, i) => i > start && l === '');
  return all.slice(start + 1, end < 0 ? undefined : end);
};

describe('renderText', () => {
  const r = sample();
  const text = renderText(r);

  test('one table row per account, each with its status, in report order', () => {
    const rows = lines(text).filter((l) => /^\d{12} /.test(l));
    expect(rows.map((l) => l.slice(0, 12))).toEqual([PASS_ID, WARN_ID, FAIL_ID, ERROR_ID, SKIP_ID]);
    expect(rows.map((l) => l.split(/\s+/).find((w) => ['PASS', 'FAIL', 'ERROR', 'SKIPPED'].includes(w)))).toEqual(['PASS', 'PASS', 'FAIL', 'ERROR', 'SKIPPED']);
  });

  test('the table has a header, and a missing name shows as "-"', () => {
    expect(lines(text)).toContainEqual(expect.stringMatching(/^ACCOUNT\s+NAME\s+STATUS\s+DETAIL$/));
    expect(lines(text).find((l) => l.startsWith(SKIP_ID))).toMatch(new RegExp(`^${SKIP_ID}\\s+-\\s+SKIPPED`));
  });

  test('the summary line counts every status and the run errors', () => {
    expect(text).toContain('Summary: 2 PASS, 1 FAIL, 1 ERROR, 1 SKIPPED of 5 accounts, 2 run errors');
    expect(lines(text).at(-1)).toBe('Summary: 2 PASS, 1 FAIL, 1 ERROR, 1 SKIPPED of 5 accounts, 2 run errors');
  });

  test('"What to fix:" lists the FAIL and ERROR accounts with their remediation commands, and no PASS or SKIPPED account', () => {
    const all = lines(text);
    const start = all.indexOf('What to fix:');
    expect(start).toBeGreaterThan(0);
    const fix = all.slice(start, all.findIndex((l, i) => i > start && /^(Warnings|Run errors|Notes|Summary)/.test(l)));
    const blob = fix.join('\n');
    expect(blob).toContain(`FAIL  ${FAIL_ID}`);
    expect(blob).toContain(`ERROR  ${ERROR_ID}`);
    expect(blob).toContain('    aws cloudtrail update-trail --name main --is-multi-region-trail');
    expect(blob).toContain('    aws cloudtrail start-logging --name main');
    expect(blob).toContain('NOT_LOGGING: Trail main is multi-region but not logging.');
    expect(blob).toContain(`Deploy the audit role TrailcheckAuditRole in account ${ERROR_ID}.`);
    expect(blob).not.toContain(PASS_ID);
    expect(blob).not.toContain(SKIP_ID);
  });

  test('the warnings section lists each warning of passing accounts', () => {
    expect(section(text, 'Warnings (passing accounts):')).toEqual([
      `  ${WARN_ID} EXCLUDED_EVENT_SOURCES: Trail main excludes kms.amazonaws.com.`,
      `  ${WARN_ID} DELIVERY_ERROR: Trail main reports delivery error AccessDenied.`,
    ]);
  });

  test('run errors and notes have their own sections', () => {
    expect(section(text, 'Run errors:')).toEqual([
      '  - LISTING_INCOMPLETE: ListAccounts failed after 2 page(s).',
      '  - ACCOUNT_NOT_FOUND: Account 999999999999 was selected by configuration but is not in the organization.',
    ]);
    expect(section(text, 'Notes:')).toEqual(['  - Organizations listed account 100000000001 more than once; it is reported once.']);
  });

  test('the header names the version, run, caller and region', () => {
    expect(lines(text)[0]).toBe('trailcheck 9.9.9-test · run 20260101T000000Z-abcd · caller 111111111111 · region us-east-1');
  });

  test('an all-PASS report has no fix, warnings, errors or notes sections', () => {
    const t = renderText(report([account(PASS_ID, 'PASS')]));
    expect(t).not.toContain('What to fix:');
    expect(t).not.toContain('Warnings');
    expect(t).not.toContain('Run errors:');
    expect(t).not.toContain('Notes:');
    expect(t).toContain('Summary: 1 PASS, 0 FAIL, 0 ERROR, 0 SKIPPED of 1 account');
    expect(t).not.toContain('of 1 accounts');
  });

  test('strict mode and an unavailable organization are stated', () => {
    const r2 = report([account(PASS_ID, 'PASS')], { strict: true });
    r2.run.organization = { available: false, reason: 'account 111111111111 is not in an AWS Organization' };
    const t = renderText(r2);
    expect(lines(t)[0]).toMatch(/ · strict$/);
    expect(t).toContain('Note: account 111111111111 is not in an AWS Organization; only this account was audited.');
  });
});

describe('renderTable and headline', () => {
  test('long details are cut to the width, with an ellipsis', () => {
    const r = report([account(FAIL_ID, 'FAIL', { reasons: [{ code: 'NOT_LOGGING', message: 'x'.repeat(500) }] })]);
    const row = lines(renderTable(r, 100)).find((l) => l.startsWith(FAIL_ID)) as string;
    expect(row.length).toBeLessThanOrEqual(100);
    expect(row.endsWith('…')).toBe(true);
  });

  test('a width that is not a number (cli.ts passes Number(COLUMNS), e.g. COLUMNS=abc) does not blank the DETAIL column', () => {
    const r = report([account(FAIL_ID, 'FAIL')]);
    const row = lines(renderTable(r, Number('abc'))).find((l) => l.startsWith(FAIL_ID)) as string;
    expect(row).toContain('NOT_LOGGING');
  });

  test('PASS headline names the qualifying trail and counts warnings', () => {
    const a = account(PASS_ID, 'PASS', { warnings: [{ code: 'DELIVERY_ERROR', message: 'm' }] });
    expect(headline(a)).toBe('via trail main (1 warning: DELIVERY_ERROR)');
  });

  test('FAIL headline is the first reason with a count of the others', () => {
    const a = account(FAIL_ID, 'FAIL', {
      reasons: [
        { code: 'NOT_LOGGING', message: 'first' },
        { code: 'NO_MANAGEMENT_EVENTS', message: 'second' },
      ],
    });
    expect(headline(a)).toBe('NOT_LOGGING: first (+1 more)');
  });

  test('summaryLine without run errors has no run-error part', () => {
    expect(summaryLine(report([account(PASS_ID, 'PASS'), account(FAIL_ID, 'FAIL')]))).toBe('1 PASS, 1 FAIL, 0 ERROR, 0 SKIPPED of 2 accounts');
  });
});
