/** Synthetic audit reports for the report, alert and publish tests. */
import type { AccountStatus, Finding } from '../../lambda/rule/types';
import { REPORT_SCHEMA_VERSION, summarize, type AccountReport, type AuditReport } from '../../lambda/report-format';

export const CALLER = '111111111111';

export function accountId(n: number): string {
  return String(100000000000 + n);
}

export function account(id: string, status: AccountStatus, extra: Partial<AccountReport> = {}): AccountReport {
  const trailArn = `arn:aws:cloudtrail:us-east-1:${id}:trail/main`;
  const base: AccountReport = {
    accountId: id,
    accountName: `acct-${id}`,
    state: status === 'SKIPPED' ? 'SUSPENDED' : 'ACTIVE',
    status,
    reasons: [],
    warnings: [],
    trails: [],
    remediation: [],
  };
  if (status === 'PASS') {
    base.qualifyingTrailArn = trailArn;
    base.trails = [
      {
        arn: trailArn,
        name: 'main',
        homeRegion: 'us-east-1',
        ownerAccountId: id,
        isMultiRegionTrail: true,
        isOrganizationTrail: false,
        isLogging: true,
        managementEvents: 'ALL',
        detailsSource: 'self',
        result: 'QUALIFIES',
        failures: [],
        warnings: [],
      },
    ];
  } else if (status === 'FAIL') {
    base.reasons = [{ code: 'NOT_LOGGING', message: 'Trail main is multi-region but not logging.', trailArn }];
    base.closestTrailArn = trailArn;
    base.remediation = [`aws cloudtrail start-logging --name ${trailArn}`];
  } else if (status === 'ERROR') {
    base.reasons = [{ code: 'ASSUME_ROLE_FAILED', message: `Could not assume arn:aws:iam::${id}:role/TrailcheckAuditRole: AccessDenied: not authorized` }];
    base.remediation = [`Deploy the audit role TrailcheckAuditRole in account ${id}.`];
  } else {
    base.reasons = [{ code: 'NOT_ACTIVE', message: 'The account is SUSPENDED in Organizations, not ACTIVE.' }];
  }
  return { ...base, ...extra };
}

export function report(accounts: AccountReport[], run: { errors?: Finding[]; notes?: string[]; strict?: boolean } = {}): AuditReport {
  const errors = run.errors ?? [];
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'trailcheck', version: '9.9.9-test' },
    run: {
      id: '20260101T000000Z-abcd',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:01:00.000Z',
      durationMs: 60_000,
      callerAccountId: CALLER,
      callerArn: `arn:aws:sts::${CALLER}:assumed-role/trailcheck/fn`,
      partition: 'aws',
      region: 'us-east-1',
      roleName: 'TrailcheckAuditRole',
      strict: run.strict ?? false,
      organization: { available: true, id: 'o-abc123def4', managementAccountId: CALLER },
      filters: {},
      deadlineReached: false,
      errors,
      notes: run.notes ?? [],
    },
    summary: summarize(accounts, errors.length),
    accounts,
  };
}
