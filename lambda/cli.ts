/**
 * `trailcheck audit`: the same engine as the Lambda, from a laptop, wiring only: arguments
 * (lambda/cli/args.ts) → audit → complete the report (OUs, --exemptions, --security-hub) → the report → the alert (every failing account:
 * the CLI has no previous report to compare with) → publish, when --topic-arn is given.
 * Standard credential chain, AWS_PROFILE and AWS_ENDPOINT_URL work as in any SDK tool.
 * Exit codes: 0 every evaluated account passes; 1 any FAIL or ERROR (or the run failed); 2 usage.
 */
import { buildAlertDocument } from './alerts/document';
import { everyRunPlan } from './alerts/plan';
import { RunError, runAuditSession, silentLogger } from './audit/run-audit';
import { clientsFor, type AwsClients } from './aws/clients';
import { parseCli, type CliOptions } from './cli/args';
import { processIo, type CliIo } from './cli/io';
import { publish, showMessage, writeReport } from './cli/output';
import { progressBar } from './cli/progress';
import { displayText } from './report/display';
import { completeReport } from './run/complete-report';
import { needsAttention, type AuditReport } from './report-format';

export { USAGE } from './cli/args';
export type { CliIo } from './cli/io';

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = await parseCli(argv);
  if ('exit' in parsed) {
    if (parsed.stdout) io.stdout(parsed.stdout);
    if (parsed.stderr) io.stderr(parsed.stderr);
    return parsed.exit;
  }
  const options = parsed.run;
  const clients = clientsFor(options.config);
  try {
    const report = await audit(options, clients, io);
    if (!report) return 1;
    if (!report.run.organization.available) io.stderr(`trailcheck: note: ${displayText(report.run.organization.reason)}; only this account was audited.\n`);
    let ok = writeReport(report, options, io);
    const alert = buildAlertDocument(report, everyRunPlan(report, options.config.publishOnPass));
    if (options.showMessage) showMessage(alert, io);
    if (options.config.topicArn) ok = (await publish(alert, options.config.topicArn, clients, io)) && ok;
    return ok && !needsAttention(report) ? 0 : 1;
  } finally {
    clients.close();
  }
}

/** The audited and enriched report, or undefined when the run could not start (said on stderr). */
async function audit(options: CliOptions, clients: AwsClients, io: CliIo): Promise<AuditReport | undefined> {
  const progress = io.isTTY ? progressBar(io) : undefined;
  const deadline = options.timeoutSeconds ? Date.now() + options.timeoutSeconds * 1000 : undefined;
  try {
    const session = await runAuditSession(options.config, { clients, onProgress: progress?.update, deadline });
    // The same steps as the Lambda's after the audit, with what --timeout left; no archive, no routes.
    const completed = await completeReport(session.report, {
      config: options.config,
      clients,
      log: silentLogger,
      now: () => new Date(),
      remainingMs: () => (deadline ? deadline - Date.now() : undefined),
      policy: { exemptions: options.exemptions, routes: [] },
      noArchive: 'the CLI keeps no archive',
      credentialsFor: (id) => session.credentials.forAccount(id),
    });
    return completed.report;
  } catch (err) {
    if (!(err instanceof RunError)) throw err;
    io.stderr(`trailcheck: ${displayText(err.message)}\n`);
    return undefined;
  } finally {
    progress?.clear();
  }
}
