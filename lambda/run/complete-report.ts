/**
 * The steps between the audit and the alert, the same for the Lambda and the CLI: enrich (OUs),
 * read the previous report and the OUs the policy names (all three independent: at once), apply
 * the exemptions, note routes that cannot see an OU, and import the Security Hub findings. Each
 * step takes a report and returns a new one.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import { applyExemptions } from '../audit/apply-exemptions';
import { enrichOus, ouLookupBudgetMs } from '../audit/enrich-ous';
import { resolveOuMembers, type OuMembers } from '../audit/ou-members';
import type { Logger } from '../audit/run-types';
import type { PreviousState, ReportArchive } from '../aws/archive';
import type { AwsClients } from '../aws/clients';
import { routeNotes } from '../channels/routes';
import type { AuditConfig } from '../config';
import { policyOus, type Policy } from '../policy';
import type { AuditReport } from '../report-format';
import type { Finding } from '../rule/types';
import { readPreviousReport } from './archive-report';
import { importFindings } from './import-findings';

export interface CompleteDeps {
  config: Pick<AuditConfig, 'region' | 'exemptionWarningDays' | 'securityHubRegion'>;
  clients: AwsClients;
  log: Logger;
  now: () => Date;
  /** What the run has left, in milliseconds; undefined: no deadline (the CLI without --timeout). */
  remainingMs: () => number | undefined;
  policy: Policy;
  /** Why the policy could not be read: a run error, and the run goes on without it. */
  policyError?: string;
  archive?: ReportArchive;
  /** Why there is no archive, when there is none. */
  noArchive: string;
  /** The run's account credentials (from the audit), for the Security Hub import. */
  credentialsFor: (accountId: string) => Promise<AwsCredentialIdentity | undefined>;
}

export interface Completed {
  report: AuditReport;
  previous: PreviousState;
  ous: OuMembers;
}

/** Security Hub imports get at most this share of what is left (the archive and the alert follow). */
const SECURITY_HUB_SHARE = 0.5;

export async function completeReport(audited: AuditReport, deps: CompleteDeps): Promise<Completed> {
  const { clients, config, log } = deps;
  const org = clients.organizations(config.region);
  const left = deps.remainingMs();
  const [enriched, previous, ous] = await Promise.all([
    enrichOus(audited, { organizations: org, budgetMs: ouLookupBudgetMs(left ?? 20_000), log, ...(left === undefined ? { runner: 'the run' } : {}) }),
    readPreviousReport(deps.archive, log, deps.noArchive),
    resolveOuMembers(org, policyOus(deps.policy), config.region),
  ]);
  let report = applyExemptions(enriched, deps.policy.exemptions, ous, deps.now(), config.exemptionWarningDays);
  report = withNotes(report, routeNotes(deps.policy.routes, ous));
  if (deps.policyError) report = withRunError(report, { code: 'POLICY_UNREADABLE', message: deps.policyError });
  if (config.securityHubRegion) {
    const budget = deps.remainingMs();
    report = await importFindings(report, {
      previous: previous.ok ? previous.report : undefined,
      credentialsFor: deps.credentialsFor,
      clients,
      region: config.securityHubRegion,
      log,
      now: deps.now,
      ...(budget === undefined ? {} : { signal: AbortSignal.timeout(Math.max(1, Math.floor(budget * SECURITY_HUB_SHARE))) }),
    });
  }
  return { report, previous, ous };
}

function withNotes(report: AuditReport, notes: string[]): AuditReport {
  return notes.length ? { ...report, run: { ...report.run, notes: [...report.run.notes, ...notes] } } : report;
}

function withRunError(report: AuditReport, error: Finding): AuditReport {
  return { ...report, run: { ...report.run, errors: [...report.run.errors, error] }, summary: { ...report.summary, runErrors: report.summary.runErrors + 1 } };
}
