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
  /** `own-credentials` for the account the run is in, `assumed-role` otherwise. */
  auditedWith?: 'own-credentials' | 'assumed-role';
  durationMs?: number;
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

/** Whether the run found anything to alert on. */
export function needsAttention(report: AuditReport): boolean {
  return report.summary.FAIL > 0 || report.summary.ERROR > 0 || report.summary.runErrors > 0;
}
