/**
 * The call budget at a few hundred accounts, against the simulator with a generated organization:
 * about two calls per account, whatever the organization's size, and each account's calls signed
 * as that account even though every account shares one CloudTrail client per region.
 * No timing assertions: the benchmark (`npm run bench`) measures time.
 */
import { AwsClients } from '../../lambda/aws/clients';
import { runAudit } from '../../lambda/audit/run-audit';
import { parseConfig } from '../../lambda/config';
import { accountId, GENERATED, generateOrganization, ownTrails, ownTrailsExpected, type OrgProfile } from '../../simulator/generate';
import { startSimulator, type Simulator } from '../../simulator/server';

const N = 300;

async function auditGenerated(profile: OrgProfile) {
  const sim = await startSimulator(generateOrganization({ accounts: N, profile, latency: null }));
  const config = parseConfig(
    { region: { key: 'region', value: 'us-east-1' }, concurrency: { key: 'concurrency', value: '32' }, assumeRolePerSecond: { key: 'rate', value: '500' } },
    undefined,
  );
  const clients = new AwsClients({ maxAttempts: 3, callTimeoutMs: 5000, maxSockets: 64, endpoint: sim.url, credentials: { ...GENERATED.caller } });
  try {
    const report = await runAudit(config, { clients });
    return { sim, report };
  } catch (err) {
    await sim.stop();
    throw err;
  } finally {
    clients.close();
  }
}

const trailAccount = (arn: unknown) => String(arn).split(':')[4];

describe(`call budget at ${N} accounts`, () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  test('organization trail: AssumeRole + DescribeTrails per account, the trail read once, ListAccounts once per page', async () => {
    const run = await auditGenerated('org-trail');
    sim = run.sim;
    expect(run.report.summary).toMatchObject({ total: N, PASS: N, FAIL: 0, ERROR: 0 });
    expect(sim.callCounts()).toEqual({
      'sts:GetCallerIdentity': 1,
      'organizations:ListAccounts': Math.ceil(N / 20),
      'sts:AssumeRole': N - 1, // the management account is the caller: audited with its own credentials
      'cloudtrail:DescribeTrails': N,
      'cloudtrail:GetTrailStatus': 1,
      'cloudtrail:GetEventSelectors': 1,
    });
    // Each account's DescribeTrails was signed as that account (one shared client, per-request credentials).
    const describedAs = sim.calls.filter((c) => c.action === 'DescribeTrails').map((c) => c.account);
    expect(new Set(describedAs)).toEqual(new Set(Array.from({ length: N }, (_, i) => accountId(i))));
  });

  test('own trails: 2 calls per account plus 2 per multi-region trail it owns, each read as its owner, verdicts as generated', async () => {
    const run = await auditGenerated('own-trails');
    sim = run.sim;
    const multiRegion = Array.from({ length: N }, (_, i) => ownTrails(i).filter((t) => t.isMultiRegionTrail).length).reduce((a, b) => a + b, 0);
    expect(sim.callCounts()).toEqual({
      'sts:GetCallerIdentity': 1,
      'organizations:ListAccounts': Math.ceil(N / 20),
      'sts:AssumeRole': N - 1,
      'cloudtrail:DescribeTrails': N,
      'cloudtrail:GetTrailStatus': multiRegion,
      'cloudtrail:GetEventSelectors': multiRegion,
    });
    for (const c of sim.calls.filter((x) => x.action === 'GetTrailStatus' || x.action === 'GetEventSelectors')) {
      expect(c.account).toBe(trailAccount(c.params.trail));
      expect(c.outcome).toBe('ok');
    }
    for (let i = 0; i < N; i++) {
      expect({ id: accountId(i), status: run.report.accounts.find((a) => a.accountId === accountId(i))?.status }).toEqual({ id: accountId(i), status: ownTrailsExpected(i) });
    }
  });
});
