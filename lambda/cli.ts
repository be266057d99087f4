/**
 * `trailcheck audit`: the same engine as the Lambda, from a laptop. Standard credential chain,
 * AWS_PROFILE and AWS_ENDPOINT_URL work as in any SDK tool.
 * Exit codes: 0 every evaluated account passes; 1 any FAIL or ERROR (or the run failed); 2 usage.
 */
import { STSClient } from '@aws-sdk/client-sts';
import { accessSync, constants as fsConstants, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { AwsClients } from './aws/clients';
import { ConfigError, flagUsage, parseConfig, SETTING_FLAGS, settingsFromFlags, type AuditConfig } from './config';
import { buildAlertDocument } from './alerts/document';
import { everyRunPlan } from './alerts/plan';
import { publishJsonMessage, topicRegion } from './aws/sns';
import { renderEmailText } from './channels/email';
import { composeSnsMessage, deliverBySns } from './channels/sns';
import { snsParts } from './channels/sns-parts';
import { RunError, runAudit, type Progress } from './audit/run-audit';
import { displayText, safeJson } from './report/display';
import { renderText, summaryLine } from './report/text';
import { needsAttention, type AuditReport } from './report-format';
import { VERSION } from './version';

export const USAGE = `Usage: trailcheck audit [options]

Audits every account of the AWS Organization against CIS "CloudTrail is enabled in all regions".

Options:
${flagUsage()}
  --format text|json        output format (default text)
  --output FILE             write the report to FILE instead of standard output
  --timeout SECONDS         stop after this long; unfinished accounts are reported ERROR (TIMEOUT)
  --show-message            also print the alert that would be sent to SNS
  -h, --help                this help
  -v, --version             the version

Exit codes: 0 every evaluated account passes, 1 an account FAILs or is ERROR (or the run failed), 2 usage or configuration error.`;

/** Longest --timeout: a week is far beyond any audit, and well within what a timer can hold. */
const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

/** Fails before the audit, not after it, when the report could not be written. */
function checkWritable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    accessSync(dir, fsConstants.W_OK);
  } catch (err) {
    throw new ConfigError(`--output: cannot write to ${dir} (${(err as NodeJS.ErrnoException).code ?? 'not writable'}); choose an existing, writable directory`);
  }
}

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

const processIo = (): CliIo => ({
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stderr.isTTY),
  env: process.env,
});

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...SETTING_FLAGS,
        format: { type: 'string' },
        output: { type: 'string' },
        timeout: { type: 'string' },
        'show-message': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    io.stderr(`trailcheck: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (v.version) {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'audit') {
    io.stderr(`trailcheck: ${positionals.length ? `unknown command ${JSON.stringify(positionals.join(' '))}` : 'no command given'}; the command is "audit"\n\n${USAGE}\n`);
    return 2;
  }

  const format = v.format ?? 'text';
  let config: AuditConfig;
  let timeoutSeconds: number | undefined;
  try {
    if (format !== 'text' && format !== 'json') throw new ConfigError(`--format: expected text or json, got ${JSON.stringify(format)}`);
    const settings = settingsFromFlags(v);
    // An empty value usually comes from an unset shell variable (settingsFromFlags refuses them too).
    for (const flag of ['output', 'timeout'] as const) {
      if (v[flag] !== undefined && v[flag].trim() === '') throw new ConfigError(`--${flag}: empty value; give a value or leave the flag out`);
    }
    if (v.output !== undefined) checkWritable(v.output);
    if (settings.publishOnPass?.value && !settings.topicArn?.value) throw new ConfigError('--publish-on-pass needs --topic-arn: there is nowhere to publish');
    if (v.timeout !== undefined) {
      timeoutSeconds = Number(v.timeout);
      if (!/^\d+$/.test(v.timeout) || timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
        throw new ConfigError(`--timeout: expected a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS} (7 days), got ${JSON.stringify(v.timeout)}`);
      }
    }
    config = parseConfig(settings, settings.region?.value ?? (await defaultRegion()));
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`trailcheck: ${displayText(err.message)}\n`);
      return 2;
    }
    throw err;
  }

  const progress = io.isTTY ? progressBar(io) : undefined;
  const clients = new AwsClients({ transport: config.transport, maxAttempts: config.maxAttempts, callTimeoutMs: config.callTimeoutMs, maxSockets: Math.max(50, config.concurrency * 4) });
  let report: AuditReport;
  try {
    report = await runAudit(config, { clients, onProgress: progress?.update, deadline: timeoutSeconds ? Date.now() + timeoutSeconds * 1000 : undefined });
  } catch (err) {
    progress?.clear();
    clients.close();
    if (err instanceof RunError) {
      io.stderr(`trailcheck: ${displayText(err.message)}\n`);
      return 1;
    }
    throw err;
  }
  progress?.clear();

  if (!report.run.organization.available) io.stderr(`trailcheck: note: ${displayText(report.run.organization.reason)}; only this account was audited.\n`);
  const columns = Number(io.env.COLUMNS);
  const width = Number.isFinite(columns) && columns >= 60 ? columns : 160;
  // Text from responses is escaped for the terminal (report/display.ts); the JSON keeps the data as it came.
  const rendered = format === 'json' ? `${safeJson(JSON.stringify(report, null, 2))}\n` : `${renderText(report, width)}\n`;
  let exit = needsAttention(report) ? 1 : 0;
  if (v.output) {
    try {
      writeFileSync(v.output, rendered);
      io.stderr(`trailcheck: report written to ${displayText(v.output)}: ${summaryLine(report)}\n`);
    } catch (err) {
      // The audit is done: say so, show the summary, and still publish below.
      io.stderr(`trailcheck: could not write the report to ${displayText(v.output)}: ${displayText((err as Error).message)}; ${summaryLine(report)}\n`);
      exit = 1;
    }
  } else {
    io.stdout(rendered);
  }
  // What the alert says, decided once: every failing account (the CLI has no previous report to compare with).
  const alert = buildAlertDocument(report, everyRunPlan(report, config.publishOnPass));
  if (v['show-message']) {
    const message = composeSnsMessage(alert, snsParts());
    io.stdout(`\n--- Alert that would be sent to SNS ---\nSubject: ${message.subject}\n\n${renderEmailText(message.document)}\n`);
  }

  if (config.topicArn) {
    try {
      const topicArn = config.topicArn;
      const sns = clients.sns(topicRegion(topicArn));
      const result = await deliverBySns(alert, { publish: (m) => publishJsonMessage(sns, topicArn, m), parts: snsParts() });
      io.stderr(displayText(result.published ? `trailcheck: published to ${config.topicArn} (message ${result.messageId})` : `trailcheck: nothing published: ${result.reason}`) + '\n');
    } catch (err) {
      const e = err as Error;
      io.stderr(`trailcheck: publishing to ${config.topicArn} failed: ${displayText(`${e.name}: ${e.message}`)}\n`);
      exit = 1;
    }
  }
  clients.close();
  return exit;
}

/** The region the SDK would use (AWS_REGION, AWS_DEFAULT_REGION is not read by SDK v3, or the profile). */
async function defaultRegion(): Promise<string | undefined> {
  try {
    return await new STSClient({}).config.region();
  } catch {
    return undefined;
  }
}

function progressBar(io: CliIo) {
  let last = 0;
  const draw = (p: Progress) => {
    const total = p.listed;
    const width = 30;
    const filled = total ? Math.round((p.done / total) * width) : 0;
    io.stderr(`\r[${'='.repeat(filled)}${' '.repeat(width - filled)}] ${p.done}/${total}${p.listingComplete ? '' : '+'} accounts`);
  };
  return {
    update: (p: Progress) => {
      const now = Date.now();
      if (now - last < 100 && p.done < p.listed) return;
      last = now;
      draw(p);
    },
    clear: () => io.stderr('\r\x1b[2K'),
  };
}
