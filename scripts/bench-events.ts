/**
 * `npm run bench:events -- [--events N] [--accounts M] [--json FILE]`
 *
 * The real-time path, measured: the simulator with its default latencies (simulator/generate.ts
 * DEFAULT_LATENCY) holding a generated organization of M accounts (default 100, `own-trails`),
 * one scheduled run to make the latest report, then N events (default 50) in CloudTrail's
 * documented shapes (StopLogging, StartLogging, PutEventSelectors to write-only and back), one
 * after another, each a change that flips an account's verdict, each handed to the real-time
 * function in-process as its own SQS batch. Reported: from the invocation to the simulator's
 * record of the SNS publish (median, p95, max), and the whole invocation (lock release included).
 * Not included: AWS's delivery to EventBridge and the queue's coalescing delay (the batching
 * window), which the deployment adds.
 */
import { writeFileSync } from 'node:fs';
import { createEventHandler } from '../lambda/event-handler';
import { createHandler } from '../lambda/handler';
import { DEFAULT_LATENCY, GENERATED, generateOrganization, accountId } from '../simulator/generate';
import type { Scenario, ScenarioTrail } from '../simulator/scenario-types';
import { startSimulator } from '../simulator/server';
import { sqsEvent, trailCall } from '../test/realtime/events';

const BUCKET = 'trailcheck-bench-realtime';
const TOPIC = `arn:aws:sns:us-east-1:${GENERATED.managementAccountId}:trailcheck-alerts`;
/** The changes cycled through, each flipping the verdict of the account's one trail. */
const STEPS: Array<{ eventName: string; trail: (t: ScenarioTrail) => ScenarioTrail }> = [
  { eventName: 'StopLogging', trail: (t) => ({ ...t, status: { isLogging: false } }) },
  { eventName: 'StartLogging', trail: (t) => ({ ...t, status: { isLogging: true } }) },
  { eventName: 'PutEventSelectors', trail: (t) => ({ ...t, eventSelectors: [{ readWriteType: 'WriteOnly', includeManagementEvents: true }] }) },
  { eventName: 'PutEventSelectors', trail: (t) => ({ ...t, eventSelectors: [{ readWriteType: 'All', includeManagementEvents: true }] }) },
];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}: expected a whole number ≥ 1, got ${process.argv[i + 1]}`);
  return v;
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const quiet = { debug() {}, info() {}, warn() {}, error() {}, addContext() {} } as never;

async function main(): Promise<void> {
  // The functions' CloudWatch metrics (EMF lines on stdout) are not what this measures.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const events = arg('events', 50);
  const accounts = arg('accounts', 100);
  const jsonIndex = process.argv.indexOf('--json');
  // Accounts 1–5 of the own-trails mix have one good trail (generate.ts ownTrails): the ones changed.
  let scenario: Scenario = { ...generateOrganization({ accounts, profile: 'own-trails', latency: DEFAULT_LATENCY }), buckets: [BUCKET], topics: [TOPIC] };
  const sim = await startSimulator(scenario, { callLog: 'counts' });
  const env: NodeJS.ProcessEnv = {
    AWS_ENDPOINT_URL: sim.url,
    AWS_ACCESS_KEY_ID: GENERATED.caller.accessKeyId,
    AWS_SECRET_ACCESS_KEY: GENERATED.caller.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    TRAILCHECK_TOPIC_ARN: TOPIC,
    TRAILCHECK_REPORT_BUCKET: BUCKET,
    TRAILCHECK_RUN_LOCK_KEY: 'trailcheck/run-lock.json',
  };
  Object.assign(process.env, env);
  delete process.env.AWS_PROFILE;
  const context = (id: string) => ({ getRemainingTimeInMillis: () => 120_000, awsRequestId: id });
  try {
    await createHandler({ env, logger: quiet })({ source: 'aws.scheduler' }, context('baseline'));
    const handle = createEventHandler({ env, logger: quiet });
    const toPublish: number[] = [];
    const whole: number[] = [];
    for (let i = 0; i < events; i++) {
      const index = (i % 5) + 1;
      const step = STEPS[Math.floor(i / 5) % STEPS.length];
      const id = accountId(index);
      scenario = { ...scenario, accounts: scenario.accounts.map((a) => (a.id === id ? { ...a, trails: (a.trails ?? []).map(step.trail) } : a)) };
      sim.setScenario(scenario);
      const published = sim.published.length;
      const t0 = Date.now();
      const out = await handle(sqsEvent([trailCall(step.eventName, { account: id, trail: (scenario.accounts[index].trails ?? [])[0].name, region: (scenario.accounts[index].trails ?? [])[0].homeRegion })]), context(`evt-${i}`));
      whole.push(Date.now() - t0);
      if (out.batchItemFailures.length) throw new Error(`event ${i} (${step.eventName} in ${id}) was given back for a retry`);
      const m = sim.published[published];
      if (!m) throw new Error(`event ${i} (${step.eventName} in ${id}) published nothing, though it flipped the verdict`);
      toPublish.push(m.time.getTime() - t0);
    }
    const result = {
      events,
      accounts,
      toPublishMs: { median: percentile(toPublish, 50), p95: percentile(toPublish, 95), max: Math.max(...toPublish) },
      invocationMs: { median: percentile(whole, 50), p95: percentile(whole, 95), max: Math.max(...whole) },
    };
    console.log(`real-time audit, ${events} events, ${accounts}-account organization, simulator default latencies`);
    console.log(`  invocation → SNS publish: median ${result.toPublishMs.median} ms, p95 ${result.toPublishMs.p95} ms, max ${result.toPublishMs.max} ms`);
    console.log(`  whole invocation:         median ${result.invocationMs.median} ms, p95 ${result.invocationMs.p95} ms, max ${result.invocationMs.max} ms`);
    console.log('  (excluding AWS delivery to EventBridge and the queue\'s batching window)');
    if (jsonIndex >= 0) writeFileSync(process.argv[jsonIndex + 1], JSON.stringify(result, null, 2));
  } finally {
    await sim.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
