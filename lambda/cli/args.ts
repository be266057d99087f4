/**
 * The CLI's arguments: parsed and checked before anything is audited. Every mistake is a usage
 * error (exit 2) that names the flag and what it takes.
 */
import { STSClient } from '@aws-sdk/client-sts';
import { accessSync, constants as fsConstants, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, flagUsage, parseConfig, SETTING_FLAGS, settingsFromFlags, type AuditConfig } from '../config';
import type { Exemption } from '../exemptions';
import { parseExemptionsFile } from '../exemptions-file';
import { displayText } from '../report/display';
import { VERSION } from '../version';

export const USAGE = `Usage: trailcheck audit [options]

Audits every account of the AWS Organization against CIS "CloudTrail is enabled in all regions".

Options:
${flagUsage()}
  --format FORMAT           text (default), json (the report), ocsf (OCSF Compliance Findings, one per
                            account) or html (a self-contained page to open in a browser)
  --exemptions FILE         exemptions (JSON or YAML, docs/deploy.md "Exemptions"): an exempt account keeps its
                            verdict, is not alerted and does not make the exit code 1
  --output FILE             write the report to FILE instead of standard output
  --timeout SECONDS         stop after this long; unfinished accounts are reported ERROR (TIMEOUT)
  --show-message            also print the alert that would be sent to SNS
  -h, --help                this help
  -v, --version             the version

Exit codes: 0 every evaluated account passes, 1 an account FAILs or is ERROR (or the run failed), 2 usage or configuration error.`;

/** Longest --timeout: a week is far beyond any audit, and well within what a timer can hold. */
const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

export const FORMATS = ['text', 'json', 'ocsf', 'html'] as const;

export interface CliOptions {
  config: AuditConfig;
  format: (typeof FORMATS)[number];
  /** From --exemptions FILE, parsed (empty without it). */
  exemptions: Exemption[];
  output?: string;
  timeoutSeconds?: number;
  showMessage: boolean;
}

/** What to run, or what to print and the exit code when there is nothing to run. */
export type Parsed = { run: CliOptions } | { exit: number; stdout?: string; stderr?: string };

const OPTIONS = {
  ...SETTING_FLAGS,
  format: { type: 'string' },
  output: { type: 'string' },
  exemptions: { type: 'string' },
  timeout: { type: 'string' },
  'show-message': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

export async function parseCli(argv: string[]): Promise<Parsed> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (err) {
    return { exit: 2, stderr: `trailcheck: ${(err as Error).message}\n\n${USAGE}\n` };
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { exit: 0, stdout: `${USAGE}\n` };
  if (v.version) return { exit: 0, stdout: `${VERSION}\n` };
  if (positionals.length !== 1 || positionals[0] !== 'audit') {
    return { exit: 2, stderr: `trailcheck: ${positionals.length ? `unknown command ${JSON.stringify(positionals.join(' '))}` : 'no command given'}; the command is "audit"\n\n${USAGE}\n` };
  }
  try {
    return { run: await optionsOf(v) };
  } catch (err) {
    if (err instanceof ConfigError) return { exit: 2, stderr: `trailcheck: ${displayText(err.message)}\n` };
    throw err;
  }
}

async function optionsOf(v: Values): Promise<CliOptions> {
  const format = (v.format ?? 'text') as CliOptions['format'];
  if (!FORMATS.includes(format)) throw new ConfigError(`--format: expected ${FORMATS.join(', ')}, got ${JSON.stringify(v.format)}`);
  const settings = settingsFromFlags(v);
  // An empty value usually comes from an unset shell variable (settingsFromFlags refuses them too).
  for (const flag of ['output', 'timeout', 'exemptions'] as const) {
    if (v[flag] !== undefined && v[flag].trim() === '') throw new ConfigError(`--${flag}: empty value; give a value or leave the flag out`);
  }
  if (v.output !== undefined) checkWritable(v.output);
  if (settings.publishOnPass?.value && !settings.topicArn?.value) throw new ConfigError('--publish-on-pass needs --topic-arn: there is nowhere to publish');
  const timeoutSeconds = v.timeout === undefined ? undefined : parseTimeout(v.timeout);
  const config = parseConfig(settings, settings.region?.value ?? (await defaultRegion()));
  const exemptions = v.exemptions === undefined ? [] : readExemptions(v.exemptions, config);
  return { config, format, exemptions, showMessage: Boolean(v['show-message']), ...(v.output !== undefined ? { output: v.output } : {}), ...(timeoutSeconds ? { timeoutSeconds } : {}) };
}

/** The exemptions file, parsed as the deployed ones are; unreadable or invalid: a usage error naming it. */
function readExemptions(file: string, config: AuditConfig): Exemption[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`--exemptions: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseExemptionsFile(text, `--exemptions ${file}`, { now: new Date(), maxDays: config.exemptionMaxDays, atSynth: false });
}

function parseTimeout(text: string): number {
  const seconds = Number(text);
  if (!/^\d+$/.test(text) || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
    throw new ConfigError(`--timeout: expected a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS} (7 days), got ${JSON.stringify(text)}`);
  }
  return seconds;
}

/** Fails before the audit, not after it, when the report could not be written. */
function checkWritable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    accessSync(dir, fsConstants.W_OK);
  } catch (err) {
    throw new ConfigError(`--output: cannot write to ${dir} (${(err as NodeJS.ErrnoException).code ?? 'not writable'}); choose an existing, writable directory`);
  }
}

/** The region the SDK would use (AWS_REGION, AWS_DEFAULT_REGION is not read by SDK v3, or the profile). */
async function defaultRegion(): Promise<string | undefined> {
  try {
    return await new STSClient({}).config.region();
  } catch {
    return undefined;
  }
}
