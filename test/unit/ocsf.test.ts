import { ocsfFindings } from '../../lambda/report/ocsf';
import { account, accountId, report } from './report-fixtures';

describe('ocsfFindings', () => {
  const r = report([account(accountId(1), 'PASS'), account(accountId(2), 'FAIL'), account(accountId(3), 'ERROR'), account(accountId(4), 'SKIPPED'), account(accountId(5), 'PASS', { warnings: [{ code: 'EXCLUDED_EVENT_SOURCES', message: 'kms' }] })]);
  const found = ocsfFindings(r);

  it('one Compliance Finding (class 2003, category 2) per audited account', () => {
    expect(found.map((f) => f.cloud.account.uid)).toEqual([accountId(1), accountId(2), accountId(3), accountId(5)]);
    for (const f of found) {
      expect([f.class_uid, f.category_uid, f.type_uid, f.activity_id]).toEqual([2003, 2, 200301, 1]);
      expect(f.metadata).toMatchObject({ version: '1.1.0', product: { name: 'trailcheck', vendor_name: 'trailcheck', version: '9.9.9-test' } });
      expect(f.time).toBe(Date.parse(r.run.finishedAt));
      // Required attributes of the class are all present.
      for (const k of ['activity_id', 'category_uid', 'class_uid', 'compliance', 'finding_info', 'metadata', 'severity_id', 'time', 'type_uid']) expect(f).toHaveProperty(k);
    }
  });

  it('maps the verdict to compliance.status_id and severity', () => {
    expect(found.map((f) => [f.compliance.status_id, f.compliance.status, f.severity_id, f.severity])).toEqual([
      [1, 'Pass', 1, 'Informational'],
      [3, 'Fail', 4, 'High'],
      [0, 'Unknown', 4, 'High'],
      [2, 'Warning', 2, 'Low'],
    ]);
    expect(found[1].finding_info.uid).toBe(`trailcheck/aws/${accountId(2)}/cis-cloudtrail-all-regions`);
    expect(found[1].resources.map((x) => x.type)).toEqual(['AWS::::Account', 'AWS::CloudTrail::Trail']);
    expect(found[1].remediation?.desc).toContain('start-logging');
    expect(found[1].compliance.status_detail).toContain('NOT_LOGGING');
  });

  it('survives JSON and hostile text stays data', () => {
    const hostile = ocsfFindings(report([account(accountId(6), 'FAIL', { accountName: '\u001b[2Jx\u2028' })]));
    const back = JSON.parse(JSON.stringify(hostile));
    expect(back[0].cloud.account.name).toBe('\u001b[2Jx\u2028');
  });
});
