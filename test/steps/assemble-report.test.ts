/** Step 4, assemble the report (lambda/audit/assemble-report.ts): plain data in, the JSON report out. */
import { assembleReport, makeRunId, type ReportParts } from '../../lambda/audit/assemble-report';
import { needsAttention, REPORT_SCHEMA_VERSION } from '../../lambda/report-format';
import { VERSION } from '../../lambda/version';
import { account, accountId, CALLER } from '../unit/report-fixtures';

const caller = { accountId: CALLER, arn: `arn:aws-us-gov:sts::${CALLER}:assumed-role/trailcheck/fn`, partition: 'aws-us-gov' };
const started = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

function parts(overrides: Partial<ReportParts> = {}): ReportParts {
  return {
    config: { region: 'us-gov-west-1', roleName: 'TrailcheckAuditRole', strict: true },
    runId: '20260102T030405Z-00ff',
    caller,
    startedAt: started,
    finishedAt: started + 12_345,
    listing: { organization: { available: true, id: 'o-abc123def4', managementAccountId: CALLER }, pages: 2, errors: [], notes: [] },
    accounts: [],
    deadlineReached: false,
    ...overrides,
  };
}

test('the run facts: ids, times, the caller and its partition, the configuration, the organization', () => {
  const r = assembleReport(parts());
  expect(r.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
  expect(r.tool).toEqual({ name: 'trailcheck', version: VERSION });
  expect(r.run).toEqual({
    id: '20260102T030405Z-00ff',
    startedAt: '2026-01-02T03:04:05.678Z',
    finishedAt: '2026-01-02T03:04:18.023Z',
    durationMs: 12_345,
    callerAccountId: CALLER,
    callerArn: caller.arn,
    partition: 'aws-us-gov',
    region: 'us-gov-west-1',
    roleName: 'TrailcheckAuditRole',
    strict: true,
    organization: { available: true, id: 'o-abc123def4', managementAccountId: CALLER },
    filters: {},
    deadlineReached: false,
    errors: [],
    notes: [],
  });
});

test('the summary counts every account by status, and the accounts are the ones given, in order', () => {
  const accounts = [
    account(accountId(1), 'PASS'),
    account(accountId(2), 'FAIL'),
    account(accountId(3), 'ERROR'),
    account(accountId(4), 'SKIPPED'),
    account(accountId(5), 'FAIL'),
    account(accountId(6), 'ERROR'),
    account(accountId(7), 'ERROR'),
  ];
  const r = assembleReport(parts({ accounts }));
  expect(r.summary).toEqual({ total: 7, PASS: 1, FAIL: 2, ERROR: 3, SKIPPED: 1, runErrors: 0 });
  expect(r.accounts).toBe(accounts);
  expect(needsAttention(r)).toBe(true);
});

test('run errors of the listing are the report errors and counted: an all-PASS run with one still needs attention', () => {
  const errors = [
    { code: 'LISTING_INCOMPLETE', message: 'The run reached its deadline while listing accounts: 1 accounts listed in 1 page(s); accounts after those are not in this report.' },
    { code: 'ACCOUNT_NOT_FOUND', message: `Account ${accountId(9)} was selected by configuration but is not in the organization.` },
  ];
  const r = assembleReport(parts({ accounts: [account(accountId(1), 'PASS')], listing: { ...parts().listing, errors }, deadlineReached: true }));
  expect(r.run.errors).toEqual(errors);
  expect(r.summary).toEqual({ total: 1, PASS: 1, FAIL: 0, ERROR: 0, SKIPPED: 0, runErrors: 2 });
  expect(r.run.deadlineReached).toBe(true);
  expect(needsAttention(r)).toBe(true);
});

test('no account at all with no error is a clean, empty report (the listing step is what refuses an empty listing)', () => {
  const r = assembleReport(parts());
  expect(r.summary).toEqual({ total: 0, PASS: 0, FAIL: 0, ERROR: 0, SKIPPED: 0, runErrors: 0 });
  expect(needsAttention(r)).toBe(false);
});

test('filters: only those configured appear', () => {
  const config = { ...parts().config, accounts: [accountId(1)], excludeAccounts: [accountId(2)], ous: ['ou-ab12-prod0000'] };
  expect(assembleReport(parts({ config })).run.filters).toEqual({ accounts: [accountId(1)], excludeAccounts: [accountId(2)], ous: ['ou-ab12-prod0000'] });
  expect(assembleReport(parts({ config: { ...parts().config, excludeAccounts: [accountId(2)] } })).run.filters).toEqual({ excludeAccounts: [accountId(2)] });
});

test('notes are kept once each, in the order first given; no organization is said as it was learnt', () => {
  const note = `Organizations listed account ${accountId(1)} more than once; it is reported once.`;
  const organization = { available: false as const, reason: `account ${CALLER} is not in an AWS Organization` };
  const r = assembleReport(parts({ listing: { organization, pages: 0, errors: [], notes: [note, 'second', note] } }));
  expect(r.run.notes).toEqual([note, 'second']);
  expect(r.run.organization).toEqual(organization);
});

test('the report is JSON: it round-trips unchanged', () => {
  const r = assembleReport(parts({ accounts: [account(accountId(1), 'FAIL')] }));
  expect(JSON.parse(JSON.stringify(r))).toEqual(r);
});

describe('makeRunId', () => {
  test('the start time to the second in UTC, then four hex digits', () => {
    const id = makeRunId(started);
    expect(id).toMatch(/^20260102T030405Z-[0-9a-f]{4}$/);
  });

  test('valid in an STS session name (trailcheck-<id>: at most 64 of [\\w+=,.@-])', () => {
    for (let i = 0; i < 50; i++) expect(`trailcheck-${makeRunId(Date.now())}`).toMatch(/^[\w+=,.@-]{2,64}$/);
  });

  test('the suffix keeps leading zeros', () => {
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.0001);
    try {
      expect(makeRunId(0)).toBe('19700101T000000Z-0006');
    } finally {
      random.mockRestore();
    }
  });
});
