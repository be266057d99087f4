/**
 * lambda/cli.ts: help, version and usage errors. Every case here exits before any AWS call
 * (a real audit is tested against the simulator).
 */
import { main, USAGE, type CliIo } from '../../lambda/cli';
import { VERSION } from '../../lambda/version';

function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), isTTY: false, env: {} };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

async function run(...argv: string[]) {
  const f = fakeIo();
  const code = await main(argv, f.io);
  return { code, stdout: f.stdout(), stderr: f.stderr() };
}

describe('trailcheck CLI', () => {
  test.each([['--help'], ['-h'], ['audit', '--help']])('%s → usage on stdout, exit 0', async (...argv) => {
    const r = await run(...argv);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${USAGE}\n`);
    expect(r.stderr).toBe('');
  });

  test('the usage documents every option and the exit codes', () => {
    for (const flag of ['--role-name', '--external-id', '--region', '--accounts', '--exclude-accounts', '--ous', '--concurrency', '--strict', '--format', '--output', '--topic-arn', '--publish-on-pass', '--transport', '--timeout', '--show-message']) {
      expect(USAGE).toContain(flag);
    }
    expect(USAGE).toMatch(/Exit codes: 0 .*1 .*2 /);
  });

  test.each([['--version'], ['-v']])('%s → the version on stdout, exit 0', async (flag) => {
    const r = await run(flag);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
    expect(r.stderr).toBe('');
  });

  test.each<[string, string[], RegExp]>([
    ['no command', [], /no command given/],
    ['no command, only flags', ['--region', 'us-east-1'], /no command given/],
    ['unknown command', ['scan'], /unknown command "scan"/],
    ['an extra positional', ['audit', 'now'], /unknown command "audit now"/],
    ['unknown flag', ['audit', '--bogus'], /--bogus/],
    ['a flag missing its value', ['audit', '--format'], /--format/],
    ['bad --format', ['audit', '--region', 'us-east-1', '--format', 'yaml'], /^trailcheck: --format: expected text, json, ocsf, html, got "yaml"/],
    ['bad --timeout (words)', ['audit', '--region', 'us-east-1', '--timeout', 'soon'], /^trailcheck: --timeout: expected a whole number of seconds/],
    ['bad --timeout (zero)', ['audit', '--region', 'us-east-1', '--timeout', '0'], /^trailcheck: --timeout: /],
    ['bad --timeout (fraction)', ['audit', '--region', 'us-east-1', '--timeout', '1.5'], /^trailcheck: --timeout: /],
    ['bad --timeout (negative)', ['audit', '--region', 'us-east-1', '--timeout=-5'], /^trailcheck: --timeout: /],
    ['--publish-on-pass without --topic-arn', ['audit', '--region', 'us-east-1', '--publish-on-pass'], /--publish-on-pass needs --topic-arn/],
    ['bad --accounts', ['audit', '--region', 'us-east-1', '--accounts', '111111111111,12345'], /^trailcheck: --accounts: expected a 12-digit account id, got "12345"/],
    ['bad --exclude-accounts', ['audit', '--region', 'us-east-1', '--exclude-accounts', 'x'], /^trailcheck: --exclude-accounts: /],
    ['--accounts that lists nothing', ['audit', '--region', 'us-east-1', '--accounts', ','], /^trailcheck: --accounts: .*got ",".*no value in it/],
    ['--accounts=", ,"', ['audit', '--region', 'us-east-1', '--accounts=, ,'], /^trailcheck: --accounts: .*no value in it/],
    ['--exclude-accounts that lists nothing', ['audit', '--region', 'us-east-1', '--exclude-accounts', ',,'], /^trailcheck: --exclude-accounts: .*no value in it/],
    ['--ous that lists nothing', ['audit', '--region', 'us-east-1', '--ous', ','], /^trailcheck: --ous: .*no value in it/],
    ['bad --ous', ['audit', '--region', 'us-east-1', '--ous', 'prod'], /^trailcheck: --ous: /],
    ['bad --concurrency', ['audit', '--region', 'us-east-1', '--concurrency', '0'], /^trailcheck: --concurrency: /],
    ['bad --region', ['audit', '--region', 'mars-1'], /^trailcheck: --region: /],
    ['bad --role-name', ['audit', '--region', 'us-east-1', '--role-name', 'a b'], /^trailcheck: --role-name: /],
    ['bad --external-id', ['audit', '--region', 'us-east-1', '--external-id', 'x'], /^trailcheck: --external-id: /],
    ['bad --transport', ['audit', '--region', 'us-east-1', '--transport', 'http'], /^trailcheck: --transport: expected wire or sdk, got "http"/],
    ['empty --region (an unset shell variable)', ['audit', '--region='], /^trailcheck: --region: empty value/],
    ['empty --accounts (an unset shell variable)', ['audit', '--region', 'us-east-1', '--accounts='], /^trailcheck: --accounts: empty value/],
    ['bad --topic-arn', ['audit', '--region', 'us-east-1', '--topic-arn', 'arn:aws:sqs:us-east-1:111111111111:q'], /^trailcheck: --topic-arn: /],
    [
      'an account both included and excluded',
      ['audit', '--region', 'us-east-1', '--accounts', '111111111111', '--exclude-accounts', '111111111111'],
      /--accounts and --exclude-accounts both name 111111111111/,
    ],
  ])('%s → exit 2 with a message naming it, nothing on stdout', async (_name, argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  test('parse errors and command errors also print the usage', async () => {
    for (const argv of [['--bogus'], ['scan'], []]) {
      const r = await run(...argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(USAGE);
    }
  });
});
