/**
 * The JSON report: the stable output other tools read (docs/report-format.md).
 * Fields are only ever added; `schemaVersion` changes if one is removed or changes meaning.
 *
 * Plain data that every layer passes on, so it sits below them all but the rule: the audit
 * builds it, the archive (aws/archive.ts) stores it, report/ renders it, alerts/ compares two.
 */
import type { AccountVerdict, Finding } from './rule/types';

export const REPORT_SCHEMA_VERSION = 1;

export interface AuditReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'trailcheck'; version: string };
  run: RunInfo;
  summary: Summary;
  accounts: AccountReport[];
}

export interface Summary {
  /** Every account Organizations listed (or the single account audited). */
  total: number;
  PASS: number;
  FAIL: number;
  ERROR: number;
  SKIPPED: number;
  /** Problems with the run itself (listing incomplete, Organizations unavailable when required). */
  runErrors: number;
  /**
   * FAIL and ERROR accounts under an exemption in force (counted in FAIL and ERROR too): set when
   * exemptions were applied (audit/apply-exemptions.ts), absent otherwise (none).
   */
  exempt?: number;
}

export interface RunInfo {
  id: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  callerAccountId: string;
  callerArn: string;
  partition: string;
  /** The region DescribeTrails was called in. */
  region: string;
  roleName: string;
  strict: boolean;
  organization: { available: true; id?: string; managementAccountId?: string } | { available: false; reason: string };
  filters: { accounts?: string[]; excludeAccounts?: string[]; ous?: string[] };
  /** Whether the run reached its deadline (accounts then show ERROR / TIMEOUT). */
  deadlineReached: boolean;
  errors: Finding[];
  notes: string[];
  /** The exemptions in force this run (docs/deploy.md "Exemptions"), when any were configured; the archive is their history. */
  exemptions?: ExemptionInForce[];
  /** The Security Hub import, when the run made one (docs/security-hub.md). */
  securityHub?: SecurityHubRunInfo;
  /**
   * A real-time audit's report (docs/alerts.md "Real-time alerts"): the report of run `basedOn`
   * with these accounts re-audited after these CloudTrail or Organizations events; absent on a
   * scheduled run's.
   */
  realtime?: { basedOn: string; accountIds: string[]; eventIds: string[] };
}

/** An exemption in force, as the report lists it (`run.exemptions`). */
export interface ExemptionInForce {
  id: string;
  accounts: string[];
  ous: string[];
  reason: string;
  owner: string;
  /** Last day in force, `YYYY-MM-DD` (UTC). */
  expires: string;
  ticket?: string;
  /** Whole days left after today (0: it ends today). */
  daysLeft: number;
  /** Within `exemptionWarningDays` of its end: the alert names it. */
  expiringSoon?: true;
}

/** One account in the report: who it is, and its verdict (see AccountVerdict). */
export interface AccountReport extends AccountVerdict {
  accountId: string;
  accountName: string;
  /** Organizations State, when known. */
  state?: string;
  /** The OU (or root) the account sits in directly: known when OU filters were used, and looked up for the accounts an alert is about. */
  ouId?: string;
  /** That OU's name, when known. */
  ouName?: string;
  /**
   * The exemption in force for this account, when one is: the verdict above stays the real one;
   * an exempt FAIL or ERROR is not alerted as failing and does not make the CLI exit 1.
   */
  exemption?: AccountExemption;
  /** An exemption that covered this account has expired (and no other is in force): it alerts as newly failing, saying so. */
  exemptionExpired?: AccountExemption;
  /** `own-credentials` for the account the run is in, `assumed-role` otherwise. */
  auditedWith?: 'own-credentials' | 'assumed-role';
  /**
   * The account's Security Hub finding (docs/security-hub.md), when findings are imported: its
   * stable id and when it was first created, kept from run to run (the next run reads them here).
   */
  securityHubFinding?: SecurityHubFindingRecord;
  durationMs?: number;
}

/** An account's finding in Security Hub, as the report keeps it from run to run. */
export interface SecurityHubFindingRecord {
  /** The ASFF `Id`: `trailcheck/<partition>/<account>/cis-cloudtrail-all-regions`. */
  id: string;
  /** ISO 8601: `CreatedAt` and `FirstObservedAt`, kept across runs. */
  createdAt: string;
  /** `ACTIVE` while the account is audited; `ARCHIVED` once it is SKIPPED. */
  recordState: 'ACTIVE' | 'ARCHIVED';
  /** Whether this run's import of it succeeded. */
  imported: boolean;
  /** Why it was not imported, when it was not (AWS's error code and message, or a FailedFindings entry). */
  error?: string;
}

/** What a run imported into Security Hub (`run.securityHub`). */
export interface SecurityHubRunInfo {
  region: string;
  /** Findings Security Hub accepted, archived ones included. */
  imported: number;
  /** Findings not imported: failed calls and FailedFindings entries. */
  failed: number;
  /** ARCHIVED findings sent, for accounts that left the organization or are now SKIPPED. */
  archived: number;
  /** Accounts where Security Hub is not enabled in the region (InvalidAccessException). */
  notEnabled: string[];
}

/** An exemption as an account carries it (the configured exemption, docs/deploy.md "Exemptions"). */
export interface AccountExemption {
  /** Stable id of the exemption. */
  id: string;
  reason: string;
  owner: string;
  /** Last day in force, `YYYY-MM-DD` (UTC). */
  expires: string;
  ticket?: string;
  /** How it applies: `account` (listed by id) or the OU id it applies through. */
  via: string;
}

export function summarize(accounts: AccountReport[], runErrors: number): Summary {
  const s: Summary = { total: accounts.length, PASS: 0, FAIL: 0, ERROR: 0, SKIPPED: 0, runErrors };
  for (const a of accounts) s[a.status] += 1;
  return s;
}

/** Whether the run found anything to alert on: FAIL and ERROR accounts under an exemption in force do not count. */
export function needsAttention(report: AuditReport): boolean {
  const exempt = report.summary.exempt ?? 0;
  return report.summary.FAIL + report.summary.ERROR - exempt > 0 || report.summary.runErrors > 0;
}
