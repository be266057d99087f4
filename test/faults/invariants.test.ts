/** The invariant checker itself: it must catch each kind of violation, or the fault tests prove nothing. */
import type { AccountReport, AuditReport } from '../../lambda/report-format';
import { account, scenario } from '../integration/harness';
import { invariantViolations } from './invariants';

const ARN = 'arn:aws:cloudtrail:us-east-1:200000000001:trail/main';
const qualifying = { arn: ARN, name: 'main', homeRegion: 'us-east-1', ownerAccountId: '200000000001', isMultiRegionTrail: true, isOrganizationTrail: false, isLogging: true, managementEvents: 'ALL' as const, result: 'QUALIFIES' as const, failures: [], warnings: [] };
const pass = (id: string): AccountReport => ({ accountId: id, accountName: id, status: 'PASS', reasons: [], warnings: [], qualifyingTrailArn: ARN, trails: [qualifying], remediation: [] });
const s = scenario([account('200000000001')]);
const report = (accounts: AccountReport[]): AuditReport => ({ summary: { total: accounts.length }, accounts }) as unknown as AuditReport;
const good = () => [pass('111111111111'), pass('200000000001')];

test('a whole, well-evidenced report has no violations', () => {
  expect(invariantViolations(report(good()), s, { deadline: Date.now() + 1000 })).toEqual([]);
});

test.each<[string, AccountReport[], object, RegExp]>([
  ['an account reported twice', [...good(), pass('200000000001')], {}, /200000000001 is reported 2 times/],
  ['a listed account missing', [pass('111111111111')], {}, /200000000001 was listed but is not in the report/],
  ['an account nobody listed', [...good(), pass('299999999999')], {}, /299999999999 is in the report but was not listed/],
  ['PASS through a trail that is not logging', [pass('111111111111'), { ...pass('200000000001'), trails: [{ ...qualifying, isLogging: false }] }], {}, /evidence is incomplete/],
  ['PASS through a trail whose details failed', [pass('111111111111'), { ...pass('200000000001'), trails: [{ ...qualifying, result: 'UNKNOWN', isLogging: undefined }] }], {}, /evidence is incomplete/],
  ['FAIL with an unread multi-region trail', [pass('111111111111'), { ...pass('200000000001'), status: 'FAIL', reasons: [{ code: 'NOT_LOGGING', message: 'x' }], trails: [{ ...qualifying, result: 'UNKNOWN', isLogging: undefined, managementEvents: undefined }] }], {}, /FAIL although multi-region trail/],
  ['FAIL without a reason', [pass('111111111111'), { ...pass('200000000001'), status: 'FAIL', trails: [] }], {}, /FAIL without a reason/],
  ['ERROR not naming the call', [pass('111111111111'), { ...pass('200000000001'), status: 'ERROR', trails: [], reasons: [{ code: 'API_ERROR', message: 'something failed' }] }], {}, /does not name the failing call/],
  ['ERROR without a code', [pass('111111111111'), { ...pass('200000000001'), status: 'ERROR', trails: [], reasons: [{ code: 'API_ERROR', message: 'cloudtrail:DescribeTrails went wrong' }] }], {}, /carries no error code/],
  ['a run past its deadline', good(), { deadline: Date.now() - 5000 }, /ms after its deadline/],
])('catches %s', (_name, accounts, options, problem) => {
  const problems = invariantViolations(report(accounts), s, options);
  expect(problems.some((p) => problem.test(p))).toBe(true);
});
