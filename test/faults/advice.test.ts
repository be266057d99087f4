/**
 * The advice in the report matches the error, through the real engine against the simulator: a
 * throttled AssumeRole is not told to deploy the role, a reset connection is not told to allow a
 * permission, and a denied AssumeRole is told about the role and its trust policy.
 */
import type { ScenarioFault } from '../../simulator/scenario-types';
import { account, audit, byId, config, goodTrail, scenario, withSimulator } from '../integration/harness';

const T = '200000000001';
const ACCOUNTS = [account(T, { trails: [goodTrail()] })];

const ROWS: Array<[string, ScenarioFault, string, RegExp, RegExp]> = [
  ['throttling that outlasts the run on AssumeRole', { service: 'sts', action: 'AssumeRole', targetAccount: T, kind: 'error', code: 'ThrottlingException' }, 'ASSUME_ROLE_FAILED', /run the audit again later, or lower the concurrency/, /Deploy|trust policy/],
  ['AssumeRole denied', { service: 'sts', action: 'AssumeRole', targetAccount: T, kind: 'error', code: 'AccessDenied', status: 403 }, 'ASSUME_ROLE_FAILED', /TrailcheckAuditRole exists in account 200000000001.*trust policy.*ExternalId/, /later|network/],
  ['connection reset on every DescribeTrails', { service: 'cloudtrail', action: 'DescribeTrails', account: T, kind: 'reset' }, 'API_ERROR', /could not reach CloudTrail.*AWS_ENDPOINT_URL/, /Allow/],
  ['DescribeTrails denied', { service: 'cloudtrail', action: 'DescribeTrails', account: T, kind: 'error', code: 'AccessDeniedException' }, 'ACCESS_DENIED', /Allow cloudtrail:DescribeTrails to the role TrailcheckAuditRole in account 200000000001/, /network/],
  ['connection reset on every GetTrailStatus', { service: 'cloudtrail', action: 'GetTrailStatus', account: T, kind: 'reset' }, 'TRAIL_UNVERIFIED', /GetTrailStatus in us-east-1 could not reach CloudTrail/, /Allow/],
  ['throttling that outlasts the run on GetEventSelectors', { service: 'cloudtrail', action: 'GetEventSelectors', account: T, kind: 'error', code: 'ThrottlingException' }, 'TRAIL_UNVERIFIED', /AWS throttled GetEventSelectors in us-east-1/, /Allow/],
];

test.concurrent.each(ROWS)('%s → %s advice', async (_name, fault, reason, must, mustNot) => {
  const s = scenario(ACCOUNTS, { faults: [fault] });
  await withSimulator(s, async (sim) => {
    const report = await audit(sim, config({ maxAttempts: '2', callTimeoutMs: '500' }), { deadline: Date.now() + 2500 });
    const a = byId(report, T);
    expect(a).toMatchObject({ status: 'ERROR', reasons: [{ code: reason }] });
    const advice = a.remediation.join(' ');
    expect(advice).toMatch(must);
    expect(advice).not.toMatch(mustNot);
  });
});
