/**
 * CLI: `tsx simulator/main.ts <scenario.json> [--port N] [--clock-offset SECONDS]` starts the
 * simulator on 127.0.0.1 (with its AWS clock SECONDS ahead of this machine's, if given),
 * prints the URL and the caller's credentials as `export` lines, and runs until SIGINT/SIGTERM.
 * Exit codes: 0 stopped by a signal; 2 usage error or a scenario file that cannot be read, is not
 * JSON, or does not validate (every problem printed with the file and its JSON path); 1 otherwise.
 */
import { loadScenario, ScenarioError } from './scenario';
import { startSimulator } from './server';

const USAGE = 'usage: tsx simulator/main.ts <scenario.json> [--port N] [--clock-offset SECONDS]';

async function main(argv: string[]): Promise<number> {
  let file: string | undefined;
  let port = 0;
  let clockOffsetSeconds: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--clock-offset' || a.startsWith('--clock-offset=')) {
      const v = a.includes('=') ? a.slice('--clock-offset='.length) : argv[++i];
      clockOffsetSeconds = Number(v);
      if (v === undefined || v.trim() === '' || !Number.isFinite(clockOffsetSeconds)) {
        console.error(`invalid --clock-offset ${String(v)}: expected seconds (negative: the AWS clock is behind)\n${USAGE}`);
        return 2;
      }
      continue;
    }
    if (a === '--port' || a.startsWith('--port=')) {
      const v = a.includes('=') ? a.slice('--port='.length) : argv[++i];
      port = Number(v);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        console.error(`invalid --port ${String(v)}\n${USAGE}`);
        return 2;
      }
    } else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      return 0;
    } else if (file === undefined && !a.startsWith('-')) {
      file = a;
    } else {
      console.error(`unexpected argument ${a}\n${USAGE}`);
      return 2;
    }
  }
  if (file === undefined) {
    console.error(USAGE);
    return 2;
  }
  let scenario;
  try {
    scenario = loadScenario(file);
  } catch (e) {
    if (e instanceof ScenarioError) {
      // A bad input file is a usage error, like a bad flag.
      console.error(`invalid scenario file ${file}:\n${e.problems.map((p) => `  ${p}`).join('\n')}`);
      return 2;
    }
    throw e;
  }
  const sim = await startSimulator(scenario, { port, clockOffsetSeconds });
  const region = scenario.regions?.includes('us-east-1') === false ? scenario.regions[0] : 'us-east-1';
  console.log(`# trailcheck AWS simulator (${file}) listening on ${sim.url}`);
  console.log(`export AWS_ENDPOINT_URL=${sim.url}`);
  console.log(`export AWS_ACCESS_KEY_ID=${scenario.caller.accessKeyId}`);
  console.log(`export AWS_SECRET_ACCESS_KEY=${scenario.caller.secretAccessKey}`);
  console.log('unset AWS_SESSION_TOKEN AWS_PROFILE');
  console.log(`export AWS_REGION=${region}`);
  console.log('# Ctrl-C to stop');

  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      console.error(`\n${sig}: ${sim.calls.length} calls served, ${sim.published.length} messages published; stopping`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await sim.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
