/**
 * `npm run demo`: audits the bundled example organization on the local AWS simulator, end to end:
 * the real CLI, the real SDK clients over HTTP, AWS_ENDPOINT_URL pointing at the simulator.
 * Prints the report and the message that went to SNS (the email text and the JSON), writes what
 * Slack would receive (the webhook forwarder's Block Kit payload, and the AWS Chatbot custom
 * notification) to files, then stops the simulator.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AlertJson } from '../lambda/channels/alert-json';
import { buildChatbotNotification } from '../lambda/channels/chatbot';
import { renderSlackMessage } from '../lambda/channels/slack/blocks';
import { safeJson } from '../lambda/report/display';
import { loadScenario } from '../simulator/scenario';
import { startSimulator } from '../simulator/server';

const ROOT = path.resolve(__dirname, '..');
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
  process.stderr.write(`$ trailcheck audit --region us-east-1${topicArn ? ` --topic-arn ${topicArn}` : ''}\n\n`);
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin/trailcheck.js'), 'audit', '--region', 'us-east-1', ...(topicArn ? ['--topic-arn', topicArn] : [])], {
        env: simulatorEnv(sim.url, scenario.caller),
        stdio: 'inherit',
      });
      child.on('error', reject);
      child.on('exit', (c) => resolve(c ?? 1));
    });
    process.stdout.write(`\ntrailcheck exited with code ${code} (0: all pass, 1: something FAILs or is ERROR, 2: usage error)\n`);
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
    // The demo organization is built to have failures: exit 1 is the expected outcome.
    return code === 1 && sim.published.length === 1 ? 0 : 1;
  } finally {
    await sim.stop();
  }
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
