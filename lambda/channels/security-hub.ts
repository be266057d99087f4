/**
 * The report as AWS Security Hub findings (ASFF, schema 2018-10-08): one finding per audited
 * account, for the one control trailcheck checks (CIS "CloudTrail enabled in all regions",
 * Security Hub's own CloudTrail.1). Pure: the import is aws/security-hub.ts's, the step that runs
 * it run/import-findings.ts's; docs/security-hub.md says what a finding holds.
 *
 * - `Id` is stable per partition, account and control, so each run updates the same finding;
 *   `CreatedAt`/`FirstObservedAt` come from the previous report's record of it.
 * - `Compliance.Status` is the real verdict (an exemption is described, never applied to it):
 *   PASS → PASSED (WARNING when it has warnings), FAIL → FAILED, ERROR → NOT_AVAILABLE.
 * - `Workflow` and `Note` are never set: they are the security team's.
 * - Every string is held to ASFF's documented limits (Title 256, Description 1,024,
 *   Recommendation.Text 512, Id/GeneratorId 512, ProductFields 50 pairs of 128/2,048, Resources
 *   32), cut on a code-point boundary and measured in UTF-16 units (the stricter count), ending
 *   with "…" when cut. Text from AWS (account names, error messages) has its control and
 *   bidirectional characters escaped (report/display.ts) before it goes in.
 */
import type { AccountExemption, AccountReport, AuditReport } from '../report-format';
import { parseTrailArn, PARTITION, REGION } from '../rule/identifiers';
import { displayText } from '../report/display';

export const ASFF_SCHEMA_VERSION = '2018-10-08';
export const CONTROL_ID = 'cis-cloudtrail-all-regions';
export const GENERATOR_ID = `trailcheck/${CONTROL_ID}`;
export const FINDING_TYPE = 'Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark';
/** The CIS recommendations Security Hub maps CloudTrail.1 to. */
export const RELATED_REQUIREMENTS = ['CIS AWS Foundations Benchmark v1.2.0/2.1', 'CIS AWS Foundations Benchmark v1.4.0/3.1', 'CIS AWS Foundations Benchmark v3.0.0/3.1'];
export const REMEDIATION_URL = 'https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1';

/** ASFF's limits (AWS Security Hub API Reference, AwsSecurityFinding and its objects). */
export const ASFF_LIMITS = {
  id: 512,
  generatorId: 512,
  productArn: 2048,
  title: 256,
  description: 1024,
  recommendationText: 512,
  productFields: 50,
  productFieldKey: 128,
  productFieldValue: 2048,
  resources: 32,
  types: 50,
  relatedRequirements: 32,
} as const;

export type ComplianceStatus = 'PASSED' | 'WARNING' | 'FAILED' | 'NOT_AVAILABLE';
export type SeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export interface AsffResource {
  Type: 'AwsAccount' | 'AwsCloudTrailTrail';
  Id: string;
  Partition: string;
  Region: string;
}

/** The ASFF fields trailcheck sets (BatchImportFindings' `Findings[]`). */
export interface AsffFinding {
  SchemaVersion: typeof ASFF_SCHEMA_VERSION;
  Id: string;
  ProductArn: string;
  ProductName: string;
  CompanyName: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  FirstObservedAt: string;
  LastObservedAt: string;
  CreatedAt: string;
  UpdatedAt: string;
  Severity: { Label: SeverityLabel };
  Title: string;
  Description: string;
  Remediation: { Recommendation: { Text: string; Url: string } };
  ProductFields: Record<string, string>;
  Resources: AsffResource[];
  Compliance: { Status: ComplianceStatus; RelatedRequirements: string[] };
  RecordState: 'ACTIVE' | 'ARCHIVED';
}

export interface AsffOptions {
  /** The Security Hub region (the product ARN's). */
  region: string;
  /** The previous run's report: CreatedAt of each finding, and the accounts to archive. */
  previous?: AuditReport;
  now: Date;
}

/** `findings`: one per audited account (not SKIPPED); `archived`: ARCHIVED ones for accounts that left or are now SKIPPED. */
export function asffFindings(report: AuditReport, options: AsffOptions): { findings: AsffFinding[]; archived: AsffFinding[] } {
  const partition = partitionOf(report);
  const before = new Map((options.previous?.accounts ?? []).map((a) => [a.accountId, a]));
  const findings: AsffFinding[] = [];
  const archived: AsffFinding[] = [];
  for (const account of report.accounts) {
    const prev = before.get(account.accountId);
    if (account.status !== 'SKIPPED') findings.push(accountFinding(account, report, partition, { ...options, createdAt: createdAtFrom(prev, partition) }));
    else if (wasActive(prev, partition)) archived.push(archivedFinding(prev as AccountReport, partition, options, skippedWhy(account)));
  }
  const current = new Set(report.accounts.map((a) => a.accountId));
  for (const prev of options.previous?.accounts ?? []) {
    if (!current.has(prev.accountId) && wasActive(prev, partition)) archived.push(archivedFinding(prev, partition, options, 'it is no longer listed by the organization'));
  }
  return { findings, archived };
}

/** The stable finding id of an account. */
export function findingId(partition: string, accountId: string): string {
  return `trailcheck/${partition}/${accountId}/${CONTROL_ID}`;
}

/** The default product ARN of an account: the one product a custom integration imports to without registering. */
export function productArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

export function complianceStatus(account: Pick<AccountReport, 'status' | 'warnings'>): ComplianceStatus {
  if (account.status === 'PASS') return account.warnings.length > 0 ? 'WARNING' : 'PASSED';
  return account.status === 'FAIL' ? 'FAILED' : 'NOT_AVAILABLE';
}

/** As Security Hub rates CloudTrail.1 (HIGH) when the account fails or cannot be audited; a pass is informational, a pass with warnings low. */
export function severityOf(status: ComplianceStatus): SeverityLabel {
  return status === 'PASSED' ? 'INFORMATIONAL' : status === 'WARNING' ? 'LOW' : 'HIGH';
}

function partitionOf(report: AuditReport): string {
  return PARTITION.test(report.run.partition) ? report.run.partition : 'aws';
}

function wasActive(prev: AccountReport | undefined, partition: string): boolean {
  const r = prev?.securityHubFinding;
  return r !== undefined && r.recordState === 'ACTIVE' && r.id === findingId(partition, prev!.accountId);
}

/** The previous record's CreatedAt, when it is this finding's and a real time. */
export function createdAtFrom(prev: AccountReport | undefined, partition: string): string | undefined {
  const r = prev?.securityHubFinding;
  if (!r || r.id !== findingId(partition, prev!.accountId) || typeof r.createdAt !== 'string') return undefined;
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/.test(r.createdAt) && !Number.isNaN(Date.parse(r.createdAt)) ? r.createdAt : undefined;
}

function skippedWhy(account: AccountReport): string {
  return `it is now SKIPPED${account.reasons[0] ? ` (${account.reasons[0].code})` : ''}`;
}

interface FindingContext extends AsffOptions {
  createdAt?: string;
}

function accountFinding(account: AccountReport, report: AuditReport, partition: string, o: FindingContext): AsffFinding {
  const status = complianceStatus(account);
  const now = o.now.toISOString();
  const created = o.createdAt ?? now;
  return {
    ...identity(account.accountId, partition, o.region),
    Types: [FINDING_TYPE],
    FirstObservedAt: created,
    LastObservedAt: now,
    CreatedAt: created,
    UpdatedAt: now,
    Severity: { Label: severityOf(status) },
    Title: fit(titleOf(account, status), ASFF_LIMITS.title),
    Description: fit(descriptionOf(account), ASFF_LIMITS.description),
    Remediation: { Recommendation: { Text: recommendationOf(account), Url: REMEDIATION_URL } },
    ProductFields: productFields(account, report),
    Resources: resourcesOf(account, partition, o.region),
    Compliance: { Status: status, RelatedRequirements: RELATED_REQUIREMENTS },
    RecordState: 'ACTIVE',
  };
}

function identity(accountId: string, partition: string, region: string) {
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: findingId(partition, accountId),
    ProductArn: productArn(partition, region, accountId),
    ProductName: 'trailcheck',
    CompanyName: 'trailcheck',
    GeneratorId: GENERATOR_ID,
    AwsAccountId: accountId,
  } as const;
}

function archivedFinding(prev: AccountReport, partition: string, o: AsffOptions, why: string): AsffFinding {
  const now = o.now.toISOString();
  const created = createdAtFrom(prev, partition) ?? now;
  return {
    ...identity(prev.accountId, partition, o.region),
    Types: [FINDING_TYPE],
    FirstObservedAt: created,
    LastObservedAt: now,
    CreatedAt: created,
    UpdatedAt: now,
    Severity: { Label: 'INFORMATIONAL' },
    Title: fit(`CloudTrail in all regions: account ${prev.accountId}${nameOf(prev)} is no longer audited`, ASFF_LIMITS.title),
    Description: fit(`trailcheck archived this finding: ${why}. Its last verdict was ${prev.status}.`, ASFF_LIMITS.description),
    Remediation: { Recommendation: { Text: 'None: the account is no longer audited by trailcheck.', Url: REMEDIATION_URL } },
    ProductFields: { 'trailcheck/status': 'ARCHIVED', 'trailcheck/lastStatus': prev.status },
    Resources: [accountResource(prev.accountId, partition, o.region)],
    Compliance: { Status: 'NOT_AVAILABLE', RelatedRequirements: RELATED_REQUIREMENTS },
    RecordState: 'ARCHIVED',
  };
}

function nameOf(account: Pick<AccountReport, 'accountName'>): string {
  const name = safe(account.accountName ?? '').trim();
  return name ? ` (${fit(name, 64)})` : '';
}

function titleOf(account: AccountReport, status: ComplianceStatus): string {
  const who = `account ${account.accountId}${nameOf(account)}`;
  if (status === 'PASSED') return `CloudTrail is enabled in all regions in ${who}`;
  if (status === 'WARNING') return `CloudTrail is enabled in all regions in ${who}, with warnings`;
  if (status === 'FAILED') return `CloudTrail is not enabled in all regions in ${who}`;
  return `CloudTrail in all regions could not be checked in ${who}`;
}

function descriptionOf(account: AccountReport): string {
  const parts: string[] = [];
  if (account.exemption) parts.push(exemptionText(account.exemption));
  const via = account.qualifyingTrailArn ?? account.closestTrailArn;
  parts.push(`trailcheck verdict: ${account.status}${via ? ` (trail ${safe(via)})` : ''}.`);
  for (const r of account.reasons) parts.push(`${safe(r.code)}: ${safe(r.message)}`);
  for (const w of account.warnings) parts.push(`Warning ${safe(w.code)}: ${safe(w.message)}`);
  return parts.join(' ');
}

function exemptionText(e: AccountExemption): string {
  return `Exempt until ${safe(e.expires)} (owner ${safe(e.owner)}${e.ticket ? `, ticket ${safe(e.ticket)}` : ''}): ${safe(e.reason)}. The status below is the real one.`;
}

/** The fix commands, one a line, as many whole ones as fit in 512, and how many more the report holds. */
export function recommendationOf(account: Pick<AccountReport, 'status' | 'remediation'>): string {
  const steps = account.remediation.map((s) => safe(s, true));
  if (steps.length === 0) return account.status === 'PASS' ? 'None: the account passes.' : 'See the trailcheck report for this account.';
  const max = ASFF_LIMITS.recommendationText;
  const kept: string[] = [];
  for (const [i, step] of steps.entries()) {
    const more = steps.length - i - 1;
    const tail = more > 0 ? `\n… ${more} more in the trailcheck report` : '';
    const candidate = [...kept, step].join('\n') + tail;
    if (candidate.length > max) break;
    kept.push(step);
  }
  const left = steps.length - kept.length;
  if (kept.length === 0) {
    // Even the first step is too long: its beginning, cut.
    const tail = left > 1 ? `\n… ${left - 1} more in the trailcheck report` : '';
    return fit(steps[0], max - tail.length) + tail;
  }
  return kept.join('\n') + (left > 0 ? `\n… ${left} more in the trailcheck report` : '');
}

function productFields(account: AccountReport, report: AuditReport): Record<string, string> {
  const f: Record<string, string> = {
    ProviderName: 'trailcheck',
    ProviderVersion: report.tool.version,
    'trailcheck/status': account.status,
    'trailcheck/runId': report.run.id,
  };
  if (account.accountName) f['trailcheck/accountName'] = safe(account.accountName);
  if (account.reasons.length > 0) f['trailcheck/reasons'] = account.reasons.map((r) => safe(r.code)).join(',');
  if (account.warnings.length > 0) f['trailcheck/warnings'] = account.warnings.map((w) => safe(w.code)).join(',');
  const e = account.exemption;
  if (e) {
    Object.assign(f, { 'trailcheck/exemption/id': safe(e.id), 'trailcheck/exemption/owner': safe(e.owner), 'trailcheck/exemption/reason': safe(e.reason) });
    Object.assign(f, { 'trailcheck/exemption/expires': safe(e.expires), 'trailcheck/exemption/via': safe(e.via), ...(e.ticket ? { 'trailcheck/exemption/ticket': safe(e.ticket) } : {}) });
  }
  return Object.fromEntries(Object.entries(f).slice(0, ASFF_LIMITS.productFields).map(([k, v]) => [fit(k, ASFF_LIMITS.productFieldKey), fit(v, ASFF_LIMITS.productFieldValue)]));
}

function accountResource(accountId: string, partition: string, region: string): AsffResource {
  return { Type: 'AwsAccount', Id: `AWS::::Account:${accountId}`, Partition: partition, Region: region };
}

/** The account, and the qualifying (PASS) or closest (FAIL) trail when its ARN is a trail ARN. */
function resourcesOf(account: AccountReport, partition: string, region: string): AsffResource[] {
  const out = [accountResource(account.accountId, partition, region)];
  const arn = account.qualifyingTrailArn ?? account.closestTrailArn;
  const trail = parseTrailArn(arn);
  if (trail && trail.partition === partition && REGION.test(trail.region)) out.push({ Type: 'AwsCloudTrailTrail', Id: arn as string, Partition: partition, Region: trail.region });
  return out.slice(0, ASFF_LIMITS.resources);
}

/** Text from AWS made harmless: control and bidirectional characters escaped. */
function safe(s: string, multiline = false): string {
  return displayText(String(s), { multiline });
}

/**
 * `s` in at most `max` UTF-16 units (ASFF's lengths; a code point outside the BMP counts two),
 * cut on a code-point boundary, ending with "…" when cut.
 */
export function fit(s: string, max: number): string {
  if (s.length <= max) return s;
  let out = '';
  for (const c of s) {
    if (out.length + c.length > max - 1) break;
    out += c;
  }
  return `${out}…`;
}
