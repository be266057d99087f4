/**
 * The scheduled run with a deployed policy (lambda/policy.ts) and Security Hub, against the
 * simulator: an exempt account is not alerted and keeps its verdict, a route's team gets only its
 * OU's accounts on its own topic, every audited account's finding is imported from that account.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createHandler } from '../../lambda/handler';
import { policyFileText, POLICY_FILE_ENV } from '../../lambda/policy';
import { account, audited, goodTrail, MGMT, pointAt, scenario, TOPIC, withSimulator } from './harness';

const event = { 'detail-type': 'Scheduled Event', source: 'aws.scheduler' };
const context = () => ({ getRemainingTimeInMillis: () => 60_000, awsRequestId: 'req-1' });
const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });
const ROUTE_TOPIC = `arn:aws:sns:us-east-1:${MGMT}:trailcheck-route-payments`;
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

const stopped = () => [goodTrail('main', { status: { isLogging: false } })];
const world = (topics = [TOPIC, ROUTE_TOPIC]) =>
  scenario(
    [
      account('200000000001', { name: 'payments-prod', parentId: 'ou-ab12-payments', trails: stopped() }),
      account('200000000002', { name: 'legacy', trails: stopped() }),
      account('200000000003', { name: 'good', parentId: 'ou-ab12-payments', trails: [goodTrail()] }),
      account('200000000004', { name: 'other-team', trails: stopped() }),
    ],
    {
      organization: { id: 'o-a1b2c3d4e5', managementAccountId: MGMT, rootId: 'r-ab12', ous: [{ id: 'ou-ab12-payments', name: 'Payments', parentId: 'r-ab12' }] },
      topics,
    },
  );

function policyFile(policy: { exemptions: unknown[]; routes: unknown[] }): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'trailcheck-policy-')), 'policy.json');
  writeFileSync(file, policyFileText(policy));
  return file;
}

/** 90 days ahead: within exemptionMaxDays, whenever the test runs. */
const EXPIRES = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
const POLICY = {
  exemptions: [{ accounts: ['200000000002'], reason: 'decommissioning in Q1', owner: 'platform@example.com', expires: EXPIRES, ticket: 'SEC-42' }],
  routes: [{ name: 'payments', ous: ['ou-ab12-payments'], accounts: [] }],
};

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, TRAILCHECK_TOPIC_ARN: TOPIC, TRAILCHECK_SECURITY_HUB_REGION: 'us-east-1', ...extra };
}

test('an exempt account is not alerted, keeps its verdict and shows in Security Hub; the route gets only its OU; every account has a finding', async () => {
  await withSimulator(world(), async (sim) => {
    pointAt(sim.url);
    const result = audited(await createHandler({ env: env({ [POLICY_FILE_ENV]: policyFile(POLICY) }), logger })(event, context()));
    expect(result.summary).toMatchObject({ FAIL: 3, exempt: 1 });
    expect(result.routes).toEqual([{ route: 'payments', accounts: 1, published: true }]);

    const central = sim.published.find((p) => p.topicArn === TOPIC)!;
    const centralAccounts = JSON.parse(JSON.parse(central.message).default).accounts.map((a: { accountId: string }) => a.accountId);
    expect(centralAccounts.sort()).toEqual(['200000000001', '200000000004']);

    const routed = sim.published.filter((p) => p.topicArn === ROUTE_TOPIC);
    expect(routed).toHaveLength(1);
    const routeBody = JSON.parse(routed[0].message);
    expect(JSON.parse(routeBody.default).accounts.map((a: { accountId: string }) => a.accountId)).toEqual(['200000000001']);
    expect(routeBody.email).not.toContain('200000000004');
    expect(routed[0].messageAttributes['trailcheck.route']).toMatchObject({ StringValue: 'payments' });

    const findings = new Map(sim.findings.map((f) => [f.finding.AwsAccountId as string, f]));
    expect([...findings.keys()].sort()).toEqual([MGMT, '200000000001', '200000000002', '200000000003', '200000000004'].sort());
    for (const [accountId, f] of findings) expect(f.account).toBe(accountId);
    expect(findings.get('200000000002')!.finding).toMatchObject({ Compliance: { Status: 'FAILED' } });
    expect(String(findings.get('200000000002')!.finding.Description)).toContain('decommissioning in Q1');
    expect(findings.get('200000000003')!.finding).toMatchObject({ Compliance: { Status: 'PASSED' } });
  });
});

test('a policy file that is not a policy: a run error, no exemption applies, the central topic still gets every failing account', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'trailcheck-policy-')), 'policy.json');
  writeFileSync(file, '{"schemaVersion":1,"exemptions":"all"}');
  await withSimulator(world(), async (sim) => {
    pointAt(sim.url);
    const result = audited(await createHandler({ env: env({ [POLICY_FILE_ENV]: file, TRAILCHECK_SECURITY_HUB_REGION: '' }), logger })(event, context()));
    expect(result.summary).toMatchObject({ FAIL: 3, runErrors: 1 });
    const body = JSON.parse(JSON.parse(sim.published[0].message).default);
    expect(body.run.errors).toEqual([expect.objectContaining({ code: 'POLICY_UNREADABLE' })]);
    expect(body.accounts.map((a: { accountId: string }) => a.accountId).sort()).toEqual(['200000000001', '200000000002', '200000000004']);
    expect(sim.published.filter((p) => p.topicArn === ROUTE_TOPIC)).toHaveLength(0);
  });
});

test("a route whose topic is gone: the central topic gets the alert, then the run fails naming the route", async () => {
  await withSimulator(world([TOPIC]), async (sim) => {
    pointAt(sim.url);
    await expect(createHandler({ env: env({ [POLICY_FILE_ENV]: policyFile(POLICY), TRAILCHECK_SECURITY_HUB_REGION: '' }), logger })(event, context())).rejects.toThrow(/could not be published to 1 route\(s\) \(payments: .*NotFound/);
    expect(sim.published.map((p) => p.topicArn)).toEqual([TOPIC]);
  });
});

test('Security Hub not enabled in an account: a note, the verdicts and the alert unchanged', async () => {
  const s = { ...world(), securityHub: { notEnabled: ['200000000004'] } };
  await withSimulator(s, async (sim) => {
    pointAt(sim.url);
    const result = audited(await createHandler({ env: env(), logger })(event, context()));
    expect(result.summary).toMatchObject({ FAIL: 3, ERROR: 0, runErrors: 0 });
    expect(JSON.parse(sim.published[0].message).email).toMatch(/Security Hub is not enabled in us-east-1 in 1 account \(200000000004\)/);
    expect(sim.findings.map((f) => f.finding.AwsAccountId)).not.toContain('200000000004');
  });
});
