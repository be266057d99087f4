/**
 * Security Hub end to end, offline: the real signed BatchImportFindings (aws/security-hub.ts through
 * AwsClients) against the simulator, which checks signatures, the ASFF required fields and that the
 * caller is each finding's account; and the step after a real audit of a simulated organization.
 */
import { AccountCredentials } from '../../lambda/aws/credentials';
import { asffFindings } from '../../lambda/channels/security-hub';
import { importFindings } from '../../lambda/run/import-findings';
import { runAuditSession } from '../../lambda/audit/run-audit';
import { silentLogger } from '../../lambda/audit/run-types';
import type { Simulator } from '../../simulator/server';
import { account, clientsFor, config, goodTrail, MGMT, scenario, withSimulator } from './harness';

const A = '200000000001';
const B = '200000000002';
const C = '200000000003';
const orgScenario = (extra = {}) =>
  scenario([account(A, { trails: [goodTrail('a-trail')] }), account(B, { trails: [goodTrail('b-trail', { status: { isLogging: false } })] }), account(C, { trails: [goodTrail('c-trail')] })], {
    regions: ['us-east-1', 'eu-west-1'],
    ...extra,
  });

async function assumed(sim: Simulator, accountId: string) {
  const clients = clientsFor(sim, config());
  const creds = new AccountCredentials(clients.assumeRole('us-east-1'), { ownAccountId: MGMT, partition: 'aws', roleName: 'TrailcheckAuditRole', sessionName: 'trailcheck', assumeRolePerSecond: 50 });
  return { clients, credentials: await creds.forAccount(accountId) };
}

describe('BatchImportFindings against the simulator', () => {
  it('a finding imported by its own account is kept, upserted by Id and ProductArn', async () => {
    await withSimulator(orgScenario(), async (sim) => {
      const { clients, credentials } = await assumed(sim, A);
      const r = { ...(await import('../unit/report-fixtures')).report([(await import('../unit/report-fixtures')).account(A, 'FAIL')]) };
      const { findings } = asffFindings(r, { region: 'eu-west-1', now: new Date() });
      const out1 = await clients.securityHub('eu-west-1', credentials).batchImportFindings(findings);
      const out2 = await clients.securityHub('eu-west-1', credentials).batchImportFindings(findings);
      expect([out1.SuccessCount, out2.SuccessCount, out1.FailedFindings]).toEqual([1, 1, []]);
      expect(sim.findings).toHaveLength(1);
      expect(sim.findings[0]).toMatchObject({ account: A, region: 'eu-west-1', imports: 2, finding: { Id: findings[0].Id, Compliance: { Status: 'FAILED' } } });
      clients.close();
    });
  });

  it('the caller is not the finding’s account (or its ProductArn’s): FailedFindings, as AWS answers', async () => {
    await withSimulator(orgScenario(), async (sim) => {
      const { clients } = await assumed(sim, A);
      const fx = await import('../unit/report-fixtures');
      const { findings } = asffFindings(fx.report([fx.account(A, 'PASS'), fx.account(B, 'FAIL')]), { region: 'eu-west-1', now: new Date() });
      const productOfB = { ...findings[0], ProductArn: `arn:aws:securityhub:eu-west-1:${B}:product/${B}/default` };
      const missing: Record<string, unknown> = { ...findings[0], Id: 'no-title' };
      delete missing.Title;
      // The management account's own credentials sending A's and B's findings.
      const out = await clients.securityHub('eu-west-1').batchImportFindings([...findings, productOfB, missing]);
      expect(out.SuccessCount).toBe(0);
      expect(out.FailedFindings.map((f) => f.ErrorCode)).toEqual(['AccessDeniedException', 'AccessDeniedException', 'AccessDeniedException', 'InvalidInput']);
      const { credentials } = await assumed(sim, A);
      const asA = await clients.securityHub('eu-west-1', credentials).batchImportFindings([findings[0], productOfB, missing]);
      expect(asA.FailedFindings.map((f) => [f.Id, f.ErrorCode])).toEqual([
        [findings[0].Id, 'AccessDeniedException'],
        ['no-title', 'InvalidInput'],
      ]);
      expect(asA.SuccessCount).toBe(1);
      clients.close();
    });
  });

  it('Security Hub not enabled in the account: InvalidAccessException, not retried', async () => {
    await withSimulator(orgScenario({ securityHub: { notEnabled: [A] } }), async (sim) => {
      const { clients, credentials } = await assumed(sim, A);
      const fx = await import('../unit/report-fixtures');
      const { findings } = asffFindings(fx.report([fx.account(A, 'PASS')]), { region: 'us-east-1', now: new Date() });
      const e = await clients.securityHub('us-east-1', credentials).batchImportFindings(findings).catch((x) => x);
      expect([e.name, e.message]).toEqual(['InvalidAccessException', `Account ${A} is not subscribed to AWS Security Hub`]);
      expect(sim.callCount('securityhub', 'BatchImportFindings')).toBe(1);
      clients.close();
    });
  });
});

describe('the step after a real audit', () => {
  it('imports every audited account’s finding from that account; not enabled and throttled are notes; verdicts unchanged', async () => {
    const s = orgScenario({
      securityHub: { notEnabled: [C] },
      faults: [{ service: 'securityhub', account: B, kind: 'error', code: 'ThrottlingException', status: 429 }],
    });
    await withSimulator(s, async (sim) => {
      const cfg = config({ maxAttempts: '2' });
      const clients = clientsFor(sim, cfg);
      const { report, credentials } = await runAuditSession(cfg, { clients, log: silentLogger });
      const before = JSON.parse(JSON.stringify(report.accounts));
      const out = await importFindings(report, { credentialsFor: (id) => credentials.forAccount(id), clients, region: 'eu-west-1', log: silentLogger, now: () => new Date() });
      expect(out.run.securityHub).toEqual({ region: 'eu-west-1', imported: 2, failed: 2, archived: 0, notEnabled: [C] });
      expect(sim.findings.map((f) => [f.account, f.finding.AwsAccountId, (f.finding as any).Compliance.Status]).sort()).toEqual([
        [MGMT, MGMT, 'PASSED'],
        [A, A, 'PASSED'],
      ]);
      expect(out.run.notes.some((n) => n.startsWith(`Security Hub is not enabled in eu-west-1 in 1 account (${C})`))).toBe(true);
      expect(out.run.notes.some((n) => /throttled BatchImportFindings in 1 account \(200000000002\)/.test(n))).toBe(true);
      expect(out.accounts.map(({ securityHubFinding: _s, ...a }) => a)).toEqual(before);
      // B's throttled call was retried (maxAttempts 2), and every call was signed as the finding's account.
      expect(sim.calls.filter((c) => c.service === 'securityhub' && c.account === B)).toHaveLength(2);
      for (const c of sim.calls.filter((x) => x.service === 'securityhub')) expect(c.errorCode === 'InvalidSignatureException').toBe(false);
      clients.close();
    });
  });
});

