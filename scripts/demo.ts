/**
 * `npm run demo`: audits the bundled example organization on the local AWS simulator, end to end:
 * the real CLI, the real SDK clients over HTTP, AWS_ENDPOINT_URL pointing at the simulator.
 * Prints the report and the message that went to SNS (the email text and the JSON), writes what
 * Slack would receive (the webhook forwarder's Block Kit payload, and the AWS Chatbot custom
 * notification) to files, what Security Hub received, and the deployed function's run with an
 * exemption and an alert route (what the central and the route's topics receive), then stops the
 * simulator.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AlertJson } from '../lambda/channels/alert-json';
import { buildChatbotNotification } from '../lambda/channels/chatbot';
import { renderSlackMessage } from '../lambda/channels/slack/blocks';
import { Logger } from '@aws-lambda-powertools/logger';
import { policyFileText, POLICY_FILE_ENV } from '../lambda/policy';
import { displayText, safeJson } from '../lambda/report/display';
import { routeTopicArn } from '../lambda/routes';
import { loadScenario } from '../simulator/scenario';
import type { Scenario } from '../simulator/scenario-types';
import { startSimulator, type Simulator } from '../simulator/server';

const ROOT = path.resolve(__dirname, '..');
/** The demo's exemption and alert route: a legacy account being retired, and the Dev OU's team. */
const DEMO_EXEMPT = '131313131313';
const DEMO_ROUTE = { name: 'dev-team', ous: ['ou-ab12-dev00000'], accounts: [] as string[] };
/** Where the Slack payloads are written: TRAILCHECK_DEMO_OUT, or a directory under the system's temporary directory. */
const OUT_DIR = process.env.TRAILCHECK_DEMO_OUT || path.join(os.tmpdir(), 'trailcheck-demo');

/** Environment for a child that must reach only the simulator, whatever the user's own AWS setup. */
export function simulatorEnv(url: string, caller: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1'): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return {
    ...env,
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: caller.accessKeyId,
    AWS_SECRET_ACCESS_KEY: caller.secretAccessKey,
    AWS_REGION: region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    // The demo machine's Node.js version is not what is being shown.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

async function main(): Promise<number> {
  const scenarioPath = path.join(ROOT, 'simulator/scenarios/demo.json');
  const scenario = loadScenario(scenarioPath);
  const sim = await startSimulator(scenario, { port: 0 });
  const topicArn = scenario.topics?.[0];
  process.stderr.write(`Local AWS simulator on ${sim.url} with ${scenario.accounts.length} accounts (${path.relative(ROOT, scenarioPath)})\n`);
  const exemptionsFile = writeDemoExemptions();
  const args = ['audit', '--region', 'us-east-1', ...(topicArn ? ['--topic-arn', topicArn] : []), '--exemptions', exemptionsFile, '--security-hub', 'us-east-1'];
  process.stderr.write(`Exemptions (${exemptionsFile}):\n${fs.readFileSync(exemptionsFile, 'utf8').replace(/^/gm, '  ')}\n`);
  process.stderr.write(`$ trailcheck ${args.join(' ')}\n\n`);
  try {
    const code = await runCli(args, simulatorEnv(sim.url, scenario.caller));
    process.stdout.write(`\ntrailcheck exited with code ${code} (0: all pass, 1: something FAILs or is ERROR, 2: usage error)\n`);
    const page = await writeHtmlReport(simulatorEnv(sim.url, scenario.caller), exemptionsFile);
    for (const p of sim.published) {
      const body = JSON.parse(p.message) as { default: string; email: string };
      process.stdout.write(`\n--- Published to SNS ${p.topicArn} ---\nSubject: ${p.subject}\n\n${body.email}\n`);
      process.stdout.write(`\n--- JSON body for machines (SNS "default") ---\n${safeJson(JSON.stringify(JSON.parse(body.default), null, 2)).split('\n').slice(0, 40).join('\n')}\n  ...\n`);
      // What the Slack forwarder posts for this message, and what AWS Chatbot would render.
      const json = JSON.parse(body.default) as AlertJson;
      const slack = renderSlackMessage(json, p.subject ?? 'trailcheck');
      fs.mkdirSync(OUT_DIR, { recursive: true });
      const slackFile = path.join(OUT_DIR, 'slack-payload.json');
      const chatbotFile = path.join(OUT_DIR, 'chatbot-notification.json');
      fs.writeFileSync(slackFile, `${JSON.stringify(slack, null, 2)}\n`);
      fs.writeFileSync(chatbotFile, `${JSON.stringify(buildChatbotNotification(json, p.subject ?? 'trailcheck'), null, 2)}\n`);
      process.stdout.write(
        `\n--- Slack ---\nBlock Kit payload (${slack.blocks.length} blocks) the webhook forwarder would post: ${slackFile}\n` +
          `  paste its "blocks" into https://app.slack.com/block-kit-builder to see it rendered\n` +
          `AWS Chatbot custom notification (SNS "https" key when Chatbot is configured): ${chatbotFile}\n`,
      );
    }
    if (sim.published.length === 0) process.stdout.write('\nNothing was published to SNS.\n');
    const cliPublished = sim.published.length;
    showFindings(sim.findings.map((f) => f.finding));
    const scheduled = await scheduledRunWithPolicy(sim, scenario, topicArn as string);
    // The demo organization is built to have failures: exit 1 is the expected outcome.
    process.stdout.write(`\n--- HTML report ---\nThe same run as a page to open in a browser (self-contained: no script, font or image from anywhere else): ${page ?? 'not written'}\n`);
    return code === 1 && cliPublished === 1 && sim.findings.length > 0 && scheduled && page ? 0 : 1;
  } finally {
    await sim.stop();
  }
}

/** The CLI as a child process, its output on this terminal; resolves to its exit code. */
function runCli(args: string[], env: NodeJS.ProcessEnv, stdio: 'inherit' | 'ignore' = 'inherit'): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/trailcheck.js'), ...args], { env, stdio });
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
}

/** `trailcheck audit --format html --output …`: the page's path, or undefined when it was not written. */
async function writeHtmlReport(env: NodeJS.ProcessEnv, exemptionsFile: string): Promise<string | undefined> {
  const file = path.join(OUT_DIR, 'report.html');
  fs.rmSync(file, { force: true });
  await runCli(['audit', '--region', 'us-east-1', '--exemptions', exemptionsFile, '--format', 'html', '--output', file], env, 'ignore');
  return fs.existsSync(file) ? file : undefined;
}

/** An exemption file as a team would write it (YAML), expiring in 10 days: the alert names it as expiring. */
function writeDemoExemptions(): string {
  const expires = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, 'exemptions.yaml');
  fs.writeFileSync(file, `exemptions:\n  - accounts: ["${DEMO_EXEMPT}"]\n    reason: legacy-reporting is being retired (its data moved to data-lake)\n    owner: legacy-team@example.com\n    expires: "${expires}"\n    ticket: SEC-1234\n`);
  return file;
}

/** What Security Hub received: one finding per audited account, each imported from its own account. */
function showFindings(findings: Array<Record<string, unknown>>): void {
  const byStatus = new Map<string, number>();
  for (const f of findings) {
    const status = (f.Compliance as { Status?: string } | undefined)?.Status ?? '?';
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }
  process.stdout.write(`\n--- Security Hub (--security-hub us-east-1) ---\n${findings.length} findings imported, one per audited account, each by that account: ${[...byStatus].map(([k, n]) => `${n} ${k}`).join(', ')}\n`);
  const sample = findings.find((f) => f.AwsAccountId === DEMO_EXEMPT);
  if (sample) {
    const pick = { Id: sample.Id, AwsAccountId: sample.AwsAccountId, Title: sample.Title, Compliance: sample.Compliance, Severity: sample.Severity, Description: sample.Description };
    process.stdout.write(`The exempt account's finding (its real status; the exemption in the description):\n${safeJson(JSON.stringify(pick, null, 2))}\n`);
  }
}

/**
 * The deployed function's run on the same organization, with the policy the stack would ship
 * (the exemption, and the Dev OU's route): what the central topic and the route's topic receive.
 */
async function scheduledRunWithPolicy(sim: Simulator, scenario: Scenario, topicArn: string): Promise<boolean> {
  const routeTopic = routeTopicArn(topicArn, DEMO_ROUTE.name);
  sim.setScenario({ ...scenario, topics: [...(scenario.topics ?? []), routeTopic] });
  const expires = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
  const policyFile = path.join(OUT_DIR, 'trailcheck-policy.json');
  const exemption = { accounts: [DEMO_EXEMPT], reason: 'legacy-reporting is being retired', owner: 'legacy-team@example.com', expires, ticket: 'SEC-1234' };
  fs.writeFileSync(policyFile, policyFileText({ exemptions: [exemption], routes: [DEMO_ROUTE] }));
  const before = sim.published.length;
  // The function's CloudWatch metrics (EMF lines on stdout) would only clutter the demo's output.
  Object.assign(process.env, simulatorEnv(sim.url, scenario.caller), { POWERTOOLS_METRICS_DISABLED: 'true' });
  const env = { ...process.env, TRAILCHECK_TOPIC_ARN: topicArn, [POLICY_FILE_ENV]: policyFile };
  process.stdout.write(`\n--- The deployed function, same organization, with the policy the stack ships (${policyFile}): the exemption, and route "${DEMO_ROUTE.name}" for OU Dev ---\n`);
  const { createHandler } = await import('../lambda/handler');
  const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
  const result = await createHandler({ env, logger })({ source: 'demo' }, { awsRequestId: 'demo', getRemainingTimeInMillis: () => 120_000 });
  const sent = sim.published.slice(before);
  for (const p of sent) {
    const json = JSON.parse(JSON.parse(p.message).default) as AlertJson;
    const who = p.topicArn === routeTopic ? `route "${DEMO_ROUTE.name}" (${p.topicArn})` : `central topic (${p.topicArn})`;
    process.stdout.write(`${who}\n  Subject: ${p.subject}\n  Accounts: ${json.accounts.map((a) => `${a.accountId} ${displayText(a.accountName)} ${a.status}`).join('; ')}\n`);
  }
  process.stdout.write(`Exempt account ${DEMO_EXEMPT}: kept its FAIL in the report, not alerted (${'skipped' in result ? 'run skipped' : `summary ${JSON.stringify(result.summary)}`}).\n`);
  return sent.length === 2 && sent.some((p) => p.topicArn === routeTopic);
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
