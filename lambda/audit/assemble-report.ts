/** Step 4, assemble the report: the run's facts and every account's report, as the JSON report. */
import type { AuditConfig } from '../config';
import { REPORT_SCHEMA_VERSION, summarize, type AccountReport, type AuditReport } from '../report-format';
import { VERSION } from '../version';
import type { Caller } from './identify-caller';
import type { AccountListing } from './list-accounts';

export interface ReportParts {
  config: Pick<AuditConfig, 'region' | 'roleName' | 'strict' | 'accounts' | 'excludeAccounts' | 'ous'>;
  runId: string;
  caller: Caller;
  /** Epoch milliseconds. */
  startedAt: number;
  finishedAt: number;
  listing: AccountListing;
  accounts: AccountReport[];
  deadlineReached: boolean;
}

export function assembleReport(parts: ReportParts): AuditReport {
  const { config, listing, accounts } = parts;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'trailcheck', version: VERSION },
    run: {
      id: parts.runId,
      startedAt: new Date(parts.startedAt).toISOString(),
      finishedAt: new Date(parts.finishedAt).toISOString(),
      durationMs: parts.finishedAt - parts.startedAt,
      callerAccountId: parts.caller.accountId,
      callerArn: parts.caller.arn,
      partition: parts.caller.partition,
      region: config.region,
      roleName: config.roleName,
      strict: config.strict,
      organization: listing.organization,
      filters: {
        ...(config.accounts ? { accounts: config.accounts } : {}),
        ...(config.excludeAccounts ? { excludeAccounts: config.excludeAccounts } : {}),
        ...(config.ous ? { ous: config.ous } : {}),
      },
      deadlineReached: parts.deadlineReached,
      errors: listing.errors,
      notes: [...new Set(listing.notes)],
    },
    summary: summarize(accounts, listing.errors.length),
    accounts,
  };
}

/** Sortable and valid in an STS session name: `20261122T015200Z-3f9a`. */
export function makeRunId(at: number): string {
  const iso = new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${iso}-${Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0')}`;
}
