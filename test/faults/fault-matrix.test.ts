/**
 * The fault matrix: each fault injected by the simulator into one API, seen through the real SDK
 * clients, and the verdict it must lead to. Every row also checks the invariants
 * (test/faults/invariants.ts): each listed account exactly once, PASS/FAIL only on complete
 * evidence, ERROR naming the failing call and the code, the run ends by its deadline, and no
 * promise is left rejected without a handler.
 *
 * Rows run concurrently (each on its own simulator) so the retries' backoff overlaps.
 */
import type { AccountStatus } from '../../lambda/rule/types';
import type { ScenarioAccount, ScenarioFault } from '../../simulator/scenario-types';
import { account, audit, byId, config, goodTrail, memberIds, MGMT, scenario, withSimulator } from '../integration/harness';
import { expectInvariants, expectNoUnhandledRejections, reasonCode } from './invariants';

expectNoUnhandledRejections();

/** The account every row aims its fault at, and a bystander that must be unaffected. */
const T = '200000000001';
const OTHER = '200000000002';
const ACCOUNTS: ScenarioAccount[] = [account(T, { name: 'target', trails: [goodTrail()] }), account(OTHER, { name: 'bystander', trails: [goodTrail()] })];

/**
 * 600 ms per attempt. Every run has a deadline, as the Lambda's has: throttled and transient calls
 * are retried until it leaves no room for another attempt, not `maxAttempts` times (2 here, so a
 * fault that persists is seen to be retried beyond it).
 */
const CFG = { maxAttempts: '2', callTimeoutMs: '600' };
const BUDGET_MS = 5_000;

interface Expectation {
  status: AccountStatus;
  /** The reason code of an ERROR. */
  reason?: string;
  /** The call the reason must name, and the error code it must carry. */
  call?: string | RegExp;
  code?: string | RegExp;
  /** Something else the reason message must say. */
  message?: RegExp;
}

interface Row {
  faults: ScenarioFault[];
  /** The target account's verdict. */
  target: Expectation;
  /** What ListAccounts returned, when not every scenario account. */
  listed?: string[];
  /** A run error the report must carry: its code, the call and error code its message names. */
  runError?: { code: string; message: RegExp };
  deadlineMs?: number;
  cfg?: Record<string, string>;
  /** A persistent retryable fault on this API: it must have been tried more than `maxAttempts` times. */
  retriedBeyondMaxAttempts?: (typeof APIS)[number];
}

const sts = (f: Partial<ScenarioFault>): ScenarioFault => ({ service: 'sts', action: 'AssumeRole', targetAccount: T, kind: 'error', ...f });
const ct = (action: string, f: Partial<ScenarioFault>): ScenarioFault => ({ service: 'cloudtrail', action, account: T, kind: 'error', ...f });
const org = (f: Partial<ScenarioFault>): ScenarioFault => ({ service: 'organizations', action: 'ListAccounts', kind: 'error', ...f });
const faultOn = (api: string, f: Partial<ScenarioFault>): ScenarioFault => (api === 'AssumeRole' ? sts(f) : api === 'ListAccounts' ? org(f) : ct(api, f));

const PASS: Expectation = { status: 'PASS' };
const THROTTLE_FORMS: Array<[string, Partial<ScenarioFault>]> = [
  ['ThrottlingException (400)', { code: 'ThrottlingException', status: 400 }],
  ['Throttling "Rate exceeded" (400)', { code: 'Throttling', status: 400, message: 'Rate exceeded' }],
  ['TooManyRequestsException (429)', { code: 'TooManyRequestsException', status: 429, message: 'Too Many Requests' }],
];
const APIS = ['AssumeRole', 'ListAccounts', 'DescribeTrails', 'GetTrailStatus', 'GetEventSelectors'] as const;

/** What a persistent failure of each API leads to for the target account. */
function persistent(api: (typeof APIS)[number], code: string | RegExp): Pick<Row, 'target' | 'listed' | 'runError'> {
  switch (api) {
    case 'AssumeRole':
      return { target: { status: 'ERROR', reason: 'ASSUME_ROLE_FAILED', call: /Could not assume arn:aws:iam::200000000001:role\/TrailcheckAuditRole/, code } };
    case 'DescribeTrails':
      return { target: { status: 'ERROR', reason: /AccessDenied/.test(String(code)) ? 'ACCESS_DENIED' : 'API_ERROR', call: 'cloudtrail:DescribeTrails in us-east-1 failed', code } };
    case 'GetTrailStatus':
    case 'GetEventSelectors':
      return { target: { status: 'ERROR', reason: 'TRAIL_UNVERIFIED', call: `cloudtrail:${api} in us-east-1 failed`, code } };
    case 'ListAccounts':
      // Nothing was listed: no account is reported, and the run says why.
      return { target: { status: 'ERROR' }, listed: [], runError: { code: 'LISTING_INCOMPLETE', message: new RegExp(`organizations:ListAccounts in us-east-1 failed: ${String(code instanceof RegExp ? code.source : code)}`) } };
  }
}

const withMessage = (r: Pick<Row, 'target'>, message: RegExp) => ({ ...r, target: { ...r.target, message } });

const rows: Array<[string, Row]> = [
  // Throttling bursts: retried with backoff, the verdict is unchanged.
  ...APIS.flatMap((api) => THROTTLE_FORMS.map(([form, f]): [string, Row] => [`throttling burst on ${api}: ${form}, once → retried, PASS`, { faults: [faultOn(api, { ...f, times: 1 })], target: PASS }])),
  // Throttling that never stops: ERROR naming the call and the throttling code.
  ...APIS.map((api): [string, Row] => {
    const code = api === 'AssumeRole' ? 'Throttling' : 'ThrottlingException';
    return [`throttling that never stops on ${api} → retried until the deadline leaves no room, then ERROR with ${code}`, { faults: [faultOn(api, { code: 'ThrottlingException', status: 400 })], ...persistent(api, code), retriedBeyondMaxAttempts: api }];
  }),
  // 5xx.
  ...APIS.map((api): [string, Row] => [`HTTP 500 InternalFailure once on ${api} → retried, PASS`, { faults: [faultOn(api, { code: 'InternalFailure', status: 500, times: 1 })], target: PASS }]),
  ...APIS.map((api): [string, Row] => [
    `HTTP 503 ServiceUnavailable on every ${api} → retried until the deadline leaves no room, then ERROR with ServiceUnavailable`,
    { faults: [faultOn(api, { code: 'ServiceUnavailable', status: 503, message: 'Service is unavailable' })], ...persistent(api, 'ServiceUnavailable'), retriedBeyondMaxAttempts: api },
  ]),
  // Connection resets.
  ...APIS.map((api): [string, Row] => [`connection reset once on ${api} → retried, PASS`, { faults: [faultOn(api, { kind: 'reset', times: 1 })], target: PASS }]),
  ...(['AssumeRole', 'DescribeTrails', 'GetTrailStatus', 'GetEventSelectors'] as const).map((api): [string, Row] => [
    `connection reset on every ${api} → ERROR naming the call`,
    // The SDK names a reset `TimeoutError` (in jest, where Node's errors come from another realm, it
    // wraps it as a plain Error): the message must still say what happened.
    { faults: [faultOn(api, { kind: 'reset' })], ...withMessage(persistent(api, /\w/), /ECONNRESET|socket hang up/), retriedBeyondMaxAttempts: api },
  ]),
  // Responses slower than the per-call timeout (600 ms).
  ...APIS.map((api): [string, Row] => [`one response slower than the call timeout on ${api} → retried, PASS`, { faults: [faultOn(api, { kind: 'delay', delayMs: 1500, times: 1 })], target: PASS }]),
  ...(['AssumeRole', 'DescribeTrails', 'GetTrailStatus', 'GetEventSelectors'] as const).map((api): [string, Row] => [
    `every response slower than the call timeout on ${api} → each attempt cut at the call timeout, retried, then ERROR TimeoutError`,
    { faults: [faultOn(api, { kind: 'delay', delayMs: 1500 })], ...persistent(api, 'TimeoutError'), retriedBeyondMaxAttempts: api },
  ]),
  ...(['AssumeRole', 'DescribeTrails', 'GetTrailStatus', 'GetEventSelectors'] as const).map((api): [string, Row] => [
    `${api} never answers, call timeout longer than the run → ERROR TIMEOUT by the deadline`,
    { faults: [faultOn(api, { kind: 'hang' })], cfg: { callTimeoutMs: '60000' }, deadlineMs: 1500, target: { status: 'ERROR', reason: 'TIMEOUT' } },
  ]),
  // Access denied.
  ['AssumeRole AccessDenied (403) → ERROR ASSUME_ROLE_FAILED', { faults: [sts({ code: 'AccessDenied', status: 403, message: 'not authorized to perform: sts:AssumeRole' })], ...persistent('AssumeRole', 'AccessDenied') }],
  ['DescribeTrails AccessDeniedException → ERROR ACCESS_DENIED', { faults: [ct('DescribeTrails', { code: 'AccessDeniedException', message: 'explicit deny in an SCP' })], ...persistent('DescribeTrails', 'AccessDeniedException') }],
  ['GetTrailStatus AccessDeniedException → ERROR TRAIL_UNVERIFIED', { faults: [ct('GetTrailStatus', { code: 'AccessDeniedException' })], ...persistent('GetTrailStatus', 'AccessDeniedException') }],
  ['GetEventSelectors AccessDeniedException → ERROR TRAIL_UNVERIFIED', { faults: [ct('GetEventSelectors', { code: 'AccessDeniedException' })], ...persistent('GetEventSelectors', 'AccessDeniedException') }],
  [
    'ListAccounts AccessDeniedException → only the caller is audited, and the report says why',
    { faults: [org({ code: 'AccessDeniedException', message: 'not the management account' })], target: { status: 'ERROR' }, listed: [MGMT] },
  ],
  // Malformed or missing fields, one action at a time.
  ['DescribeTrails without trailList → ERROR MALFORMED_RESPONSE', { faults: [ct('DescribeTrails', { kind: 'malformed', body: '{}' })], target: { status: 'ERROR', reason: 'MALFORMED_RESPONSE', call: 'cloudtrail:DescribeTrails', code: 'MalformedResponse' } }],
  [
    'DescribeTrails trail without TrailARN → ERROR MALFORMED_RESPONSE',
    { faults: [ct('DescribeTrails', { kind: 'malformed', body: '{"trailList":[{"Name":"main","IsMultiRegionTrail":true,"HomeRegion":"us-east-1"}]}' })], target: { status: 'ERROR', reason: 'MALFORMED_RESPONSE', call: 'cloudtrail:DescribeTrails', code: 'MalformedResponse' } },
  ],
  [
    'DescribeTrails IsMultiRegionTrail missing → ERROR MALFORMED_RESPONSE',
    { faults: [ct('DescribeTrails', { kind: 'malformed', body: `{"trailList":[{"Name":"main","TrailARN":"arn:aws:cloudtrail:us-east-1:${T}:trail/main"}]}` })], target: { status: 'ERROR', reason: 'MALFORMED_RESPONSE', call: 'cloudtrail:DescribeTrails', code: 'MalformedResponse' } },
  ],
  ['DescribeTrails body not JSON → ERROR naming the call', { faults: [ct('DescribeTrails', { kind: 'malformed', body: '<html>502 Bad Gateway</html>' })], target: { status: 'ERROR', call: 'cloudtrail:DescribeTrails' } }],
  ['GetTrailStatus without IsLogging → ERROR naming GetTrailStatus', { faults: [ct('GetTrailStatus', { kind: 'malformed', body: '{}' })], target: { status: 'ERROR', reason: 'TRAIL_UNVERIFIED', call: 'cloudtrail:GetTrailStatus', code: 'MalformedResponse' } }],
  ['GetTrailStatus IsLogging not a boolean ("yes") → ERROR naming GetTrailStatus', { faults: [ct('GetTrailStatus', { kind: 'malformed', body: '{"IsLogging":"yes"}' })], target: { status: 'ERROR', reason: 'TRAIL_UNVERIFIED', call: 'cloudtrail:GetTrailStatus' } }],
  ['GetTrailStatus IsLogging a number (1) → never PASS on a guess', { faults: [ct('GetTrailStatus', { kind: 'malformed', body: '{"IsLogging":1}' })], target: { status: 'ERROR', reason: 'TRAIL_UNVERIFIED', call: 'cloudtrail:GetTrailStatus' } }],
  ['GetEventSelectors with neither list → ERROR naming GetEventSelectors', { faults: [ct('GetEventSelectors', { kind: 'malformed', body: '{}' })], target: { status: 'ERROR', reason: 'TRAIL_UNVERIFIED', call: 'cloudtrail:GetEventSelectors', code: 'MalformedResponse' } }],
  ['GetEventSelectors EventSelectors a string → ERROR naming GetEventSelectors', { faults: [ct('GetEventSelectors', { kind: 'malformed', body: '{"EventSelectors":"All"}' })], target: { status: 'ERROR', reason: 'TRAIL_UNVERIFIED', call: 'cloudtrail:GetEventSelectors' } }],
  [
    'GetEventSelectors IncludeManagementEvents a string → ERROR naming GetEventSelectors',
    { faults: [ct('GetEventSelectors', { kind: 'malformed', body: '{"EventSelectors":[{"ReadWriteType":"All","IncludeManagementEvents":"yes"}]}' })], target: { status: 'ERROR', reason: 'TRAIL_UNVERIFIED', call: 'cloudtrail:GetEventSelectors' } },
  ],
  [
    'GetEventSelectors advanced selector without FieldSelectors → ERROR naming GetEventSelectors',
    { faults: [ct('GetEventSelectors', { kind: 'malformed', body: '{"AdvancedEventSelectors":[{"Name":"Management events"}]}' })], target: { status: 'ERROR', reason: 'TRAIL_UNVERIFIED', call: 'cloudtrail:GetEventSelectors', code: 'MalformedResponse' } },
  ],
  [
    'GetEventSelectors field selector Equals a string → ERROR naming GetEventSelectors',
    { faults: [ct('GetEventSelectors', { kind: 'malformed', body: '{"AdvancedEventSelectors":[{"FieldSelectors":[{"Field":"eventCategory","Equals":"Management"}]}]}' })], target: { status: 'ERROR', reason: 'TRAIL_UNVERIFIED', call: 'cloudtrail:GetEventSelectors' } },
  ],
  [
    'AssumeRole without Credentials → ERROR ASSUME_ROLE_FAILED MalformedResponse',
    {
      faults: [sts({ kind: 'malformed', body: '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>' })],
      ...persistent('AssumeRole', 'MalformedResponse'),
    },
  ],
  [
    'AssumeRole Credentials without SessionToken → ERROR ASSUME_ROLE_FAILED MalformedResponse',
    {
      faults: [
        sts({
          kind: 'malformed',
          body: '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAAAAAAAAAAAAAAAAA</AccessKeyId><SecretAccessKey>s</SecretAccessKey><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>',
        }),
      ],
      ...persistent('AssumeRole', 'MalformedResponse'),
    },
  ],
  [
    'ListAccounts entry without Id → the other entries are audited, the run error names the entry',
    {
      faults: [org({ kind: 'malformed', body: `{"Accounts":[{"Name":"ghost","State":"ACTIVE"},{"Id":"${T}","Name":"target","State":"ACTIVE"}]}` })],
      target: PASS,
      listed: [T],
      runError: { code: 'MALFORMED_RESPONSE', message: /ListAccounts page 1 entry 1 has no valid 12-digit Id.*"ghost"/ },
    },
  ],
  [
    'ListAccounts without Accounts → nothing listed, LISTING_INCOMPLETE names the call',
    { faults: [org({ kind: 'malformed', body: '{"NextToken":"x"}' })], target: { status: 'ERROR' }, listed: [], runError: { code: 'LISTING_INCOMPLETE', message: /organizations:ListAccounts.*MalformedResponse/ } },
  ],
];

const matches = (actual: string, expected: string | RegExp) => (typeof expected === 'string' ? actual.includes(expected) : expected.test(actual));

describe('fault matrix', () => {
  test.concurrent.each(rows)('%s', async (_name, row) => {
    const s = scenario(ACCOUNTS, { faults: row.faults });
    await withSimulator(s, async (sim) => {
      const started = Date.now();
      const deadline = started + (row.deadlineMs ?? BUDGET_MS);
      const report = await audit(sim, config({ ...CFG, ...row.cfg }), { deadline });
      expectInvariants(report, s, { deadline, listed: row.listed });

      const listed = row.listed ?? [MGMT, T, OTHER];
      if (listed.includes(T)) {
        const a = byId(report, T);
        expect(a.status).toBe(row.target.status);
        const reason = a.reasons[0];
        if (row.target.reason) expect(reason?.code).toBe(row.target.reason);
        if (row.target.call) expect(matches(reason.message, row.target.call)).toBe(true);
        if (row.target.code) expect(matches(reasonCode(reason.message) ?? '', row.target.code)).toBe(true);
        if (row.target.message) expect(reason.message).toMatch(row.target.message);
      }
      // The bystander and the management account are unaffected by a fault aimed elsewhere
      // (except a deadline, which may catch anything in flight).
      for (const id of listed.filter((x) => x !== T)) {
        if (!row.deadlineMs) expect(byId(report, id).status).toBe('PASS');
      }
      if (row.retriedBeyondMaxAttempts) {
        const api = row.retriedBeyondMaxAttempts;
        const tries = sim.calls.filter((c) => c.action === api && (api === 'ListAccounts' || c.account === T || c.targetAccount === T)).length;
        expect(tries).toBeGreaterThan(Number(CFG.maxAttempts));
      }
      if (row.runError) {
        const e = report.run.errors.find((x) => x.code === row.runError?.code);
        expect(e?.message).toMatch(row.runError.message);
      } else if (row.listed?.length === 1 && row.listed[0] === MGMT) {
        expect(report.run.organization).toMatchObject({ available: false, reason: expect.stringContaining('AccessDeniedException') });
      } else {
        expect(report.run.errors).toEqual([]);
      }
    });
  });
});

describe('ListAccounts failing part-way', () => {
  test.concurrent.each<[string, Partial<ScenarioFault>]>([
    ['ThrottlingException', { code: 'ThrottlingException' }],
    ['HTTP 500', { code: 'InternalFailure', status: 500 }],
    ['a connection reset', { kind: 'reset' }],
  ])('page 2 of 3 fails with %s: page 1 exactly, once each; the run error says the listing is incomplete', async (_name, f) => {
    const members = memberIds(44);
    const s = scenario(members.map((id) => account(id, { trails: [goodTrail()] })), { faults: [org({ ...f, after: 1 })] });
    await withSimulator(s, async (sim) => {
      const deadline = Date.now() + BUDGET_MS;
      const report = await audit(sim, config(CFG), { deadline });
      const firstPage = s.accounts.slice(0, 20).map((a) => a.id);
      expectInvariants(report, s, { deadline, listed: firstPage });
      expect(report.accounts.every((a) => a.status === 'PASS')).toBe(true);
      expect(report.run.errors).toEqual([{ code: 'LISTING_INCOMPLETE', message: expect.stringMatching(/^organizations:ListAccounts in us-east-1 failed: .* after 1 page\(s\): 20 accounts listed/) }]);
    });
  });
});

describe('an account suspended or removed between ListAccounts and its evaluation', () => {
  // Deterministic: the target's AssumeRole is held for 700 ms; the scenario changes while it waits.
  test.concurrent.each<[string, (a: ScenarioAccount) => ScenarioAccount | undefined, Expectation]>([
    ['removed from the organization', () => undefined, { status: 'ERROR', reason: 'ASSUME_ROLE_FAILED', code: 'AccessDenied' }],
    ['closed', (a) => ({ ...a, state: 'CLOSED' }), { status: 'ERROR', reason: 'ASSUME_ROLE_FAILED', code: 'AccessDenied' }],
    ['its role trust changed to deny', (a) => ({ ...a, roles: [{ name: 'TrailcheckAuditRole', trust: 'deny' }] }), { status: 'ERROR', reason: 'ASSUME_ROLE_FAILED', code: 'AccessDenied' }],
    ['its role deleted', (a) => ({ ...a, roles: [] }), { status: 'ERROR', reason: 'ASSUME_ROLE_FAILED', code: 'AccessDenied' }],
  ])('%s → reported once, ERROR with the AssumeRole failure, the others unaffected', async (_name, change, expected) => {
    const s = scenario(ACCOUNTS, { faults: [sts({ kind: 'delay', delayMs: 700 })] });
    await withSimulator(s, async (sim) => {
      const deadline = Date.now() + BUDGET_MS;
      const running = audit(sim, config(CFG), { deadline });
      // Wait until the target's AssumeRole has arrived (and is being held), then change the world.
      for (let i = 0; i < 200 && !sim.calls.some((c) => c.action === 'AssumeRole' && c.targetAccount === T); i++) await new Promise((r) => setTimeout(r, 10));
      expect(sim.calls.find((c) => c.action === 'AssumeRole' && c.targetAccount === T)?.outcome).toBe('pending');
      const changed = ACCOUNTS.map((a) => (a.id === T ? change(a) : a)).filter((a): a is ScenarioAccount => a !== undefined);
      sim.setScenario(scenario(changed));
      const report = await running;
      expectInvariants(report, s, { deadline });
      const a = byId(report, T);
      expect(a).toMatchObject({ status: expected.status, reasons: [{ code: expected.reason }] });
      expect(reasonCode(a.reasons[0].message)).toBe(expected.code);
      expect(byId(report, OTHER).status).toBe('PASS');
    });
  });
});

describe('GetCallerIdentity', () => {
  test.concurrent.each<[string, string]>([
    ['without Account', '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/t</Arn><UserId>AIDA</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>'],
    ['without Arn', '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Account>111111111111</Account><UserId>AIDA</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>'],
  ])('a response %s fails the run before any account, with a message naming the call', async (_name, body) => {
    const s = scenario(ACCOUNTS, { faults: [{ service: 'sts', action: 'GetCallerIdentity', kind: 'malformed', body }] });
    await withSimulator(s, async (sim) => {
      await expect(audit(sim, config(CFG))).rejects.toMatchObject({ name: 'RunError', message: expect.stringMatching(/sts:GetCallerIdentity.*malformed/) });
      expect(sim.callCount('organizations')).toBe(0);
    });
  });
});
