/**
 * What the CLI prints after the audit: the report (standard output or --output), the alert it
 * would send (--show-message), and the publish to --topic-arn. Each returns whether it went wrong,
 * so the exit code says so; none stops the others (the audit is done either way).
 */
import { writeFileSync } from 'node:fs';
import type { AlertDocument } from '../alerts/document';
import type { AwsClients } from '../aws/clients';
import { renderEmailText } from '../channels/email';
import { composeSnsMessage } from '../channels/sns';
import { snsParts } from '../channels/sns-parts';
import { displayText, safeJson } from '../report/display';
import { renderHtml } from '../report/html';
import { ocsfFindings } from '../report/ocsf';
import { renderText, summaryLine } from '../report/text';
import type { AuditReport } from '../report-format';
import { deliverAlert } from '../run/deliver';
import type { CliOptions } from './args';
import type { CliIo } from './io';

/** The report, to standard output or the file; false when the file could not be written. */
export function writeReport(report: AuditReport, options: Pick<CliOptions, 'format' | 'output'>, io: CliIo): boolean {
  const columns = Number(io.env.COLUMNS);
  const width = Number.isFinite(columns) && columns >= 60 ? columns : 160;
  const rendered = render(report, options.format, width);
  if (!options.output) {
    io.stdout(rendered);
    return true;
  }
  try {
    writeFileSync(options.output, rendered);
    io.stderr(`trailcheck: report written to ${displayText(options.output)}: ${summaryLine(report)}\n`);
    return true;
  } catch (err) {
    // The audit is done: say so, show the summary, and still publish.
    io.stderr(`trailcheck: could not write the report to ${displayText(options.output)}: ${displayText((err as Error).message)}; ${summaryLine(report)}\n`);
    return false;
  }
}

/** Text from responses is escaped for the terminal (report/display.ts); JSON and OCSF keep the data as it came, as JSON; the page escapes it for HTML. */
function render(report: AuditReport, format: CliOptions['format'], width: number): string {
  if (format === 'json') return `${safeJson(JSON.stringify(report, null, 2))}\n`;
  if (format === 'ocsf') return `${safeJson(JSON.stringify(ocsfFindings(report), null, 2))}\n`;
  if (format === 'html') return renderHtml(report, { generatedAt: new Date().toISOString() });
  return `${renderText(report, width)}\n`;
}

/** The alert as SNS would carry it to email subscribers. */
export function showMessage(alert: AlertDocument, io: CliIo): void {
  const message = composeSnsMessage(alert, snsParts());
  io.stdout(`\n--- Alert that would be sent to SNS ---\nSubject: ${message.subject}\n\n${renderEmailText(message.document)}\n`);
}

/** The alert, published to the topic; false when the publish failed. */
export async function publish(alert: AlertDocument, topicArn: string, clients: AwsClients, io: CliIo): Promise<boolean> {
  try {
    const result = await deliverAlert(alert, { clients, topicArn, parts: snsParts() });
    io.stderr(displayText(result.published ? `trailcheck: published to ${topicArn} (message ${result.messageId})` : `trailcheck: nothing published: ${result.reason}`) + '\n');
    return true;
  } catch (err) {
    const e = err as Error;
    io.stderr(`trailcheck: publishing to ${topicArn} failed: ${displayText(`${e.name}: ${e.message}`)}\n`);
    return false;
  }
}
