/**
 * The report as OCSF (Open Cybersecurity Schema Framework 1.1) Compliance Findings: class 2003
 * (`Compliance Finding`), category 2 (`Findings`), one per audited account (SKIPPED accounts are
 * not evaluated, so they have none), for the one control trailcheck checks. Pure: what to write
 * and where is the caller's (docs/report-format.md, "OCSF").
 *
 * The verdict maps to `compliance.status_id` (PASS 1 Pass, PASS with warnings 2 Warning, FAIL 3
 * Fail, ERROR 0 Unknown), severity as Security Hub rates CloudTrail.1 (channels/security-hub.ts:
 * High when failing or unknown), `finding_info.uid` is the same stable id as the ASFF finding's.
 * Text is kept as the report holds it (JSON escapes it); nothing is cut.
 */
import type { AccountReport, AuditReport } from '../report-format';
import { parseTrailArn } from '../rule/identifiers';

export const OCSF_VERSION = '1.1.0';
export const COMPLIANCE_FINDING_CLASS_UID = 2003;
export const FINDINGS_CATEGORY_UID = 2;
const CONTROL = 'cis-cloudtrail-all-regions';
const STANDARDS = ['CIS AWS Foundations Benchmark'];
const REQUIREMENTS = ['CIS AWS Foundations Benchmark v1.2.0/2.1', 'CIS AWS Foundations Benchmark v1.4.0/3.1', 'CIS AWS Foundations Benchmark v3.0.0/3.1'];

export interface OcsfComplianceFinding {
  class_uid: 2003;
  class_name: 'Compliance Finding';
  category_uid: 2;
  category_name: 'Findings';
  activity_id: 1;
  activity_name: 'Create';
  type_uid: 200301;
  type_name: 'Compliance Finding: Create';
  time: number;
  severity_id: number;
  severity: string;
  status_id: number;
  status: string;
  message: string;
  metadata: { version: string; product: { name: 'trailcheck'; vendor_name: 'trailcheck'; version: string }; uid: string; logged_time: number };
  finding_info: { uid: string; title: string; desc: string; types: string[]; first_seen_time?: number; last_seen_time: number; created_time?: number };
  compliance: { control: string; standards: string[]; requirements: string[]; status_id: number; status: string; status_code: string; status_detail?: string };
  cloud: { provider: 'AWS'; account: { uid: string; name?: string; type: 'AWS Account'; type_id: 10 }; region: string };
  resources: Array<{ uid: string; type: string; name?: string; region?: string; cloud_partition: string; owner?: { account: { uid: string } } }>;
  remediation?: { desc: string };
  unmapped: Record<string, unknown>;
}

const COMPLIANCE: Record<AccountReport['status'], [number, string]> = { PASS: [1, 'Pass'], FAIL: [3, 'Fail'], ERROR: [0, 'Unknown'], SKIPPED: [99, 'Other'] };

/** One OCSF Compliance Finding per audited account of the report. */
export function ocsfFindings(report: AuditReport): OcsfComplianceFinding[] {
  return report.accounts.filter((a) => a.status !== 'SKIPPED').map((a) => accountFinding(a, report));
}

function accountFinding(a: AccountReport, report: AuditReport): OcsfComplianceFinding {
  const time = Date.parse(report.run.finishedAt) || Date.now();
  const [statusId, status] = a.status === 'PASS' && a.warnings.length > 0 ? [2, 'Warning'] : COMPLIANCE[a.status];
  const [severityId, severity] = statusId === 1 ? [1, 'Informational'] : statusId === 2 ? [2, 'Low'] : [4, 'High'];
  const created = Date.parse(a.securityHubFinding?.createdAt ?? '');
  const uid = `trailcheck/${report.run.partition}/${a.accountId}/${CONTROL}`;
  const detail = [...a.reasons, ...a.warnings].map((r) => `${r.code}: ${r.message}`).join(' ');
  return {
    class_uid: 2003,
    class_name: 'Compliance Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: 1,
    activity_name: 'Create',
    type_uid: 200301,
    type_name: 'Compliance Finding: Create',
    time,
    severity_id: severityId,
    severity,
    // The finding's own workflow is the team's: always New here.
    status_id: 1,
    status: 'New',
    message: `CloudTrail in all regions: ${a.status} for account ${a.accountId}`,
    metadata: { version: OCSF_VERSION, product: { name: 'trailcheck', vendor_name: 'trailcheck', version: report.tool.version }, uid: `${report.run.id}/${a.accountId}`, logged_time: time },
    finding_info: {
      uid,
      title: `CloudTrail enabled in all regions: ${status} in account ${a.accountId}`,
      desc: detail || `trailcheck verdict: ${a.status}.`,
      types: [`Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark`],
      ...(Number.isFinite(created) ? { first_seen_time: created, created_time: created } : {}),
      last_seen_time: time,
    },
    compliance: { control: CONTROL, standards: STANDARDS, requirements: REQUIREMENTS, status_id: statusId, status, status_code: a.status, ...(detail ? { status_detail: detail } : {}) },
    cloud: { provider: 'AWS', account: { uid: a.accountId, ...(a.accountName ? { name: a.accountName } : {}), type: 'AWS Account', type_id: 10 }, region: report.run.region },
    resources: resourcesOf(a, report.run.partition),
    ...(a.remediation.length > 0 ? { remediation: { desc: a.remediation.join('\n') } } : {}),
    unmapped: { exemption: a.exemption, ou_id: a.ouId, qualifying_trail_arn: a.qualifyingTrailArn, closest_trail_arn: a.closestTrailArn },
  };
}

function resourcesOf(a: AccountReport, partition: string): OcsfComplianceFinding['resources'] {
  const out: OcsfComplianceFinding['resources'] = [{ uid: a.accountId, type: 'AWS::::Account', ...(a.accountName ? { name: a.accountName } : {}), cloud_partition: partition }];
  const arn = a.qualifyingTrailArn ?? a.closestTrailArn;
  const trail = parseTrailArn(arn);
  if (trail) out.push({ uid: arn as string, type: 'AWS::CloudTrail::Trail', name: trail.name, region: trail.region, cloud_partition: trail.partition, owner: { account: { uid: trail.accountId } } });
  return out;
}
