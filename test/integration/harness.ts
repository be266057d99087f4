/** Scenario builders and a runner: the real engine and SDK clients against the local simulator. */
import { AwsClients } from '../../lambda/aws/clients';
import { runAudit, type RunOptions } from '../../lambda/audit/run-audit';
import { parseConfig, type AuditConfig } from '../../lambda/config';
import type { HandlerResult, SkippedRun } from '../../lambda/handler';
import type { AuditReport } from '../../lambda/report-format';
import type { Scenario, ScenarioAccount, ScenarioTrail } from '../../simulator/scenario-types';
import { startSimulator, type Simulator } from '../../simulator/server';

export const MGMT = '111111111111';
export const ORG_ID = 'o-a1b2c3d4e5';
export const ROOT = 'r-ab12';
export const TOPIC = `arn:aws:sns:us-east-1:${MGMT}:trailcheck-alerts`;
export const CALLER = { accountId: MGMT, accessKeyId: 'AKIATEST000000000001', secretAccessKey: 'test-secret' };

export const goodTrail = (name = 'main', extra: Partial<ScenarioTrail> = {}): ScenarioTrail => ({
  name,
  homeRegion: 'us-east-1',
  isMultiRegionTrail: true,
  status: { isLogging: true },
  ...extra,
});

export function account(id: string, extra: Partial<ScenarioAccount> = {}): ScenarioAccount {
  return { id, name: `acct-${id.slice(0, 3)}`, roles: [{ name: 'TrailcheckAuditRole' }], trails: [], ...extra };
}

/** `n` member accounts numbered from 200000000000, plus the management account (the caller). */
export function memberIds(n: number, start = 200000000000): string[] {
  return Array.from({ length: n }, (_, i) => String(start + i));
}

export function scenario(accounts: ScenarioAccount[], extra: Partial<Scenario> = {}): Scenario {
  const hasMgmt = accounts.some((a) => a.id === MGMT);
  return {
    partition: 'aws',
    regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
    organization: { id: ORG_ID, managementAccountId: MGMT, rootId: ROOT },
    caller: CALLER,
    accounts: hasMgmt ? accounts : [account(MGMT, { name: 'management', trails: [goodTrail('mgmt-trail')] }), ...accounts],
    topics: [TOPIC],
    ...extra,
  };
}

/** The result of an invocation that audited: a run skipped for the run lock fails the test. */
export function audited(result: HandlerResult | SkippedRun): HandlerResult {
  if ('skipped' in result) throw new Error(`expected an audited run, but it was skipped: ${result.reason}`);
  return result;
}

export function config(extra: Record<string, string> = {}): AuditConfig {
  const raw = Object.fromEntries(Object.entries({ region: 'us-east-1', maxAttempts: '3', callTimeoutMs: '2000', ...extra }).map(([k, v]) => [k, { key: k, value: v }]));
  return parseConfig(raw, undefined);
}

export async function withSimulator<T>(s: Scenario, fn: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator(s, { port: 0 });
  try {
    return await fn(sim);
  } finally {
    await sim.stop();
  }
}

export function clientsFor(sim: Simulator, cfg: AuditConfig, caller = CALLER, transport?: 'wire' | 'sdk'): AwsClients {
  return new AwsClients({
    transport,
    maxAttempts: cfg.maxAttempts,
    callTimeoutMs: cfg.callTimeoutMs,
    maxSockets: 64,
    endpoint: sim.url,
    credentials: { accessKeyId: caller.accessKeyId, secretAccessKey: caller.secretAccessKey },
  });
}

/** Runs the audit against the simulator and checks the invariant every run must keep. */
export async function audit(
  sim: Simulator,
  cfg: AuditConfig,
  options: Omit<RunOptions, 'clients'> & { caller?: typeof CALLER; transport?: 'wire' | 'sdk' } = {},
): Promise<AuditReport> {
  const clients = clientsFor(sim, cfg, options.caller, options.transport);
  try {
    const report = await runAudit(cfg, { ...options, clients });
    const ids = report.accounts.map((a) => a.accountId);
    expect(new Set(ids).size).toBe(ids.length); // every account at most once
    return report;
  } finally {
    clients.close();
  }
}

export function byId(report: AuditReport, id: string) {
  const a = report.accounts.find((x) => x.accountId === id);
  if (!a) throw new Error(`account ${id} is not in the report`);
  return a;
}

/** Each account the scenario lists appears exactly once in the report. */
export function expectEveryListedAccountOnce(report: AuditReport, s: Scenario): void {
  const listed = s.accounts.filter((a) => a.listed !== false).map((a) => a.id).sort();
  expect(report.accounts.map((a) => a.accountId).sort()).toEqual(listed);
}

/**
 * Points the SDK's default configuration of this process at the simulator, as a Lambda would get
 * it from its environment (tests restore process.env afterwards).
 */
export function pointAt(url: string, caller = CALLER): void {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: caller.accessKeyId,
    AWS_SECRET_ACCESS_KEY: caller.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
}
