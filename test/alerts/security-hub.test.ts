import { asffFindings, findingId, fit, type AsffFinding } from '../../lambda/channels/security-hub';
import type { AccountReport, AuditReport } from '../../lambda/report-format';
import { account, accountId, report } from '../unit/report-fixtures';
import { asffProblems } from './asff-check';

const NOW = new Date('2026-02-01T06:00:00.000Z');
const LATER = new Date('2026-02-02T06:00:00.000Z');
const region = 'eu-west-1';

/** What the next run sees as `previous`: the report with each finding's record, as the step writes it. */
function recorded(r: AuditReport, findings: AsffFinding[]): AuditReport {
  const byAccount = new Map(findings.map((f) => [f.AwsAccountId, f]));
  return {
    ...r,
    accounts: r.accounts.map((a): AccountReport => {
      const f = byAccount.get(a.accountId);
      return f ? { ...a, securityHubFinding: { id: f.Id, createdAt: f.CreatedAt, recordState: f.RecordState, imported: true } } : a;
    }),
  };
}

describe('asffFindings', () => {
  const base = report([account(accountId(1), 'PASS'), account(accountId(2), 'FAIL'), account(accountId(3), 'ERROR'), account(accountId(4), 'SKIPPED'), account(accountId(5), 'PASS', { warnings: [{ code: 'EXCLUDED_EVENT_SOURCES', message: 'kms excluded' }] })]);

  it('one finding per audited account, none for SKIPPED, each a valid ASFF document', () => {
    const { findings, archived } = asffFindings(base, { region, now: NOW });
    expect(findings.map((f) => f.AwsAccountId)).toEqual([accountId(1), accountId(2), accountId(3), accountId(5)]);
    expect(archived).toEqual([]);
    for (const f of findings) expect(asffProblems(f)).toEqual([]);
    expect(findings.map((f) => [f.Compliance.Status, f.Severity.Label])).toEqual([
      ['PASSED', 'INFORMATIONAL'],
      ['FAILED', 'HIGH'],
      ['NOT_AVAILABLE', 'HIGH'],
      ['WARNING', 'LOW'],
    ]);
    const fail = findings[1];
    expect(fail.Id).toBe(`trailcheck/aws/${accountId(2)}/cis-cloudtrail-all-regions`);
    expect(fail.ProductArn).toBe(`arn:aws:securityhub:eu-west-1:${accountId(2)}:product/${accountId(2)}/default`);
    expect(fail.Types).toEqual(['Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark']);
    expect(fail.Resources).toEqual([
      { Type: 'AwsAccount', Id: `AWS::::Account:${accountId(2)}`, Partition: 'aws', Region: region },
      { Type: 'AwsCloudTrailTrail', Id: `arn:aws:cloudtrail:us-east-1:${accountId(2)}:trail/main`, Partition: 'aws', Region: 'us-east-1' },
    ]);
    expect(fail.Description).toContain('NOT_LOGGING: Trail main is multi-region but not logging.');
    expect(fail.Remediation.Recommendation.Text).toBe(`aws cloudtrail start-logging --name arn:aws:cloudtrail:us-east-1:${accountId(2)}:trail/main`);
    expect(fail.RecordState).toBe('ACTIVE');
    expect(fail.CreatedAt).toBe(NOW.toISOString());
    expect(fail.UpdatedAt).toBe(NOW.toISOString());
  });

  it('keeps the Id and CreatedAt across runs, and moves UpdatedAt', () => {
    const first = asffFindings(base, { region, now: NOW }).findings;
    const second = asffFindings(base, { region, now: LATER, previous: recorded(base, first) }).findings;
    expect(second.map((f) => f.Id)).toEqual(first.map((f) => f.Id));
    for (const f of second) {
      expect(f.CreatedAt).toBe(NOW.toISOString());
      expect(f.FirstObservedAt).toBe(NOW.toISOString());
      expect(f.UpdatedAt).toBe(LATER.toISOString());
    }
  });

  it('does not take a CreatedAt from a record that is not this finding’s, or not a time', () => {
    const prev = report([
      account(accountId(1), 'PASS', { securityHubFinding: { id: findingId('aws-cn', accountId(1)), createdAt: '2020-01-01T00:00:00.000Z', recordState: 'ACTIVE', imported: true } }),
      account(accountId(2), 'FAIL', { securityHubFinding: { id: findingId('aws', accountId(2)), createdAt: 'yesterday\u001b[2J', recordState: 'ACTIVE', imported: true } }),
    ]);
    const { findings } = asffFindings(base, { region, now: LATER, previous: prev });
    expect(findings[0].CreatedAt).toBe(LATER.toISOString());
    expect(findings[1].CreatedAt).toBe(LATER.toISOString());
  });

  it('archives the findings of accounts that left the organization or are now SKIPPED, once', () => {
    const first = asffFindings(report([account(accountId(1), 'PASS'), account(accountId(2), 'FAIL'), account(accountId(3), 'PASS')]), { region, now: NOW }).findings;
    const previous = recorded(report([account(accountId(1), 'PASS'), account(accountId(2), 'FAIL'), account(accountId(3), 'PASS')]), first);
    // 2 left the organization, 3 is now SKIPPED.
    const now = report([account(accountId(1), 'PASS'), account(accountId(3), 'SKIPPED')]);
    const { findings, archived } = asffFindings(now, { region, now: LATER, previous });
    expect(findings.map((f) => f.AwsAccountId)).toEqual([accountId(1)]);
    expect(archived.map((f) => [f.AwsAccountId, f.RecordState, f.Id, f.CreatedAt])).toEqual([
      [accountId(3), 'ARCHIVED', findingId('aws', accountId(3)), NOW.toISOString()],
      [accountId(2), 'ARCHIVED', findingId('aws', accountId(2)), NOW.toISOString()],
    ]);
    for (const f of archived) expect(asffProblems(f)).toEqual([]);
    expect(archived[1].Description).toContain('no longer listed by the organization');
    // The next run does not archive them again.
    const again = asffFindings(now, { region, now: LATER, previous: recorded(now, archived) });
    expect(again.archived).toEqual([]);
  });

  it('a SKIPPED account that comes back is ACTIVE again with its first CreatedAt', () => {
    const first = asffFindings(report([account(accountId(3), 'PASS')]), { region, now: NOW }).findings;
    const skipped = report([account(accountId(3), 'SKIPPED')]);
    const { archived } = asffFindings(skipped, { region, now: LATER, previous: recorded(report([account(accountId(3), 'PASS')]), first) });
    const back = asffFindings(report([account(accountId(3), 'FAIL')]), { region, now: new Date('2026-02-03T00:00:00.000Z'), previous: recorded(skipped, archived) }).findings;
    expect(back[0].RecordState).toBe('ACTIVE');
    expect(back[0].CreatedAt).toBe(NOW.toISOString());
  });

  it('an exemption is described and in ProductFields; the status stays the real one; Workflow and Note are never set', () => {
    const exemption = { id: 'ex-1', reason: 'migrating to the org trail', owner: 'secops@example.com', expires: '2026-03-01', ticket: 'SEC-42', via: 'account' };
    const [f] = asffFindings(report([account(accountId(2), 'FAIL', { exemption })]), { region, now: NOW }).findings;
    expect(f.Compliance.Status).toBe('FAILED');
    expect(f.Severity.Label).toBe('HIGH');
    expect(f.Description).toMatch(/^Exempt until 2026-03-01 \(owner secops@example.com, ticket SEC-42\): migrating to the org trail/);
    expect(f.ProductFields).toMatchObject({ 'trailcheck/exemption/owner': 'secops@example.com', 'trailcheck/exemption/expires': '2026-03-01', 'trailcheck/exemption/ticket': 'SEC-42', 'trailcheck/exemption/id': 'ex-1' });
    expect(Object.keys(f)).not.toEqual(expect.arrayContaining(['Workflow']));
    expect(asffProblems(f)).toEqual([]);
  });

  it('hostile text: long names with control and bidirectional characters, huge messages, 1,000 fix commands, astral characters at the cut', () => {
    const evil = '\u001b]8;;http://evil\u0007click\u001b]8;;\u0007\u202e\r\nFORGED LINE\u2028' + '😀'.repeat(400);
    const hostile = account(accountId(7), 'FAIL', {
      accountName: evil,
      reasons: Array.from({ length: 50 }, (_, i) => ({ code: `CODE_${i}\u0000`, message: evil })),
      warnings: [{ code: 'W', message: evil }],
      remediation: Array.from({ length: 1000 }, (_, i) => `aws cloudtrail start-logging --name trail-${i} --region us-east-1 ${'😀'.repeat(i % 3)}`),
      exemption: { id: evil, reason: evil.repeat(10), owner: evil, expires: '2026-03-01', via: evil },
    });
    const [f] = asffFindings(report([hostile]), { region, now: NOW }).findings;
    expect(asffProblems(f)).toEqual([]);
    expect(f.Title).toContain('\\u001b');
    // The name is cut to 64, so the title still says what it is about.
    expect(f.Title).toMatch(/^CloudTrail is not enabled in all regions in account 100000000007 \(.*…\)$/);
    expect(f.Remediation.Recommendation.Text).toMatch(/\n… \d+ more in the trailcheck report$/);
    // Whole commands only: every kept line is one of the commands.
    const lines = f.Remediation.Recommendation.Text.split('\n');
    for (const line of lines.slice(0, -1)) expect(hostile.remediation).toContain(line);
    expect(lines.length).toBeGreaterThan(3);
  });

  it('one fix command longer than 512 is cut, and says how many follow', () => {
    const [f] = asffFindings(report([account(accountId(8), 'FAIL', { remediation: ['x'.repeat(2000), 'aws cloudtrail start-logging --name t'] })]), { region, now: NOW }).findings;
    expect(f.Remediation.Recommendation.Text.length).toBeLessThanOrEqual(512);
    expect(f.Remediation.Recommendation.Text).toMatch(/^x+…\n… 1 more in the trailcheck report$/);
  });

  it('a trail ARN that is not one, or of another partition, is not a resource', () => {
    const a = account(accountId(9), 'FAIL', { closestTrailArn: 'arn:aws:cloudtrail:us-east-1:123:trail/x\u001b' });
    const b = account(accountId(10), 'PASS', { qualifyingTrailArn: `arn:aws-cn:cloudtrail:cn-north-1:${accountId(10)}:trail/main` });
    const { findings } = asffFindings(report([a, b]), { region, now: NOW });
    expect(findings.map((f) => f.Resources.map((r) => r.Type))).toEqual([['AwsAccount'], ['AwsAccount']]);
  });

  it('fit cuts on code points within UTF-16 limits', () => {
    expect(fit('abc', 3)).toBe('abc');
    expect(fit('abcd', 3)).toBe('ab…');
    const cut = fit('a😀😀😀', 4);
    expect(cut).toBe('a😀…');
    expect(fit('a😀😀😀', 3)).toBe('a…'); // never half a surrogate pair
    expect(cut.length).toBeLessThanOrEqual(4);
  });
});
