/** lambda/handler.ts: configuration from the environment, and the time kept back for reporting. */
import { configFromEnv, ENV, ouLookupBudgetMs, reserveMs } from '../../lambda/handler';

const TOPIC = 'arn:aws:sns:us-east-1:111111111111:trailcheck-alerts';
const base = (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({ AWS_REGION: 'us-east-1', TRAILCHECK_TOPIC_ARN: TOPIC, ...extra });

describe('configFromEnv', () => {
  test('missing topic → an error naming TRAILCHECK_TOPIC_ARN', () => {
    expect(() => configFromEnv({ AWS_REGION: 'us-east-1' })).toThrow(/TRAILCHECK_TOPIC_ARN/);
  });

  test('empty topic → an error naming TRAILCHECK_TOPIC_ARN', () => {
    expect(() => configFromEnv(base({ TRAILCHECK_TOPIC_ARN: '' }))).toThrow(/TRAILCHECK_TOPIC_ARN/);
  });

  test('a malformed topic → an error naming TRAILCHECK_TOPIC_ARN and the expected form', () => {
    expect(() => configFromEnv(base({ TRAILCHECK_TOPIC_ARN: 'trailcheck-alerts' }))).toThrow(/^TRAILCHECK_TOPIC_ARN: expected an SNS topic ARN/);
  });

  test('requireOrganization defaults to true for the Lambda (unlike the CLI)', () => {
    expect(configFromEnv(base()).requireOrganization).toBe(true);
  });

  test('requireOrganization can be turned off', () => {
    expect(configFromEnv(base({ TRAILCHECK_REQUIRE_ORGANIZATION: 'false' })).requireOrganization).toBe(false);
  });

  test('requireOrganization set to the empty string still defaults to true (empty means unset everywhere else)', () => {
    expect(configFromEnv(base({ TRAILCHECK_REQUIRE_ORGANIZATION: '' })).requireOrganization).toBe(true);
  });

  test.each(['many', '0', '2.5', '1000'])('bad TRAILCHECK_CONCURRENCY %j → an error naming the variable', (value) => {
    expect(() => configFromEnv(base({ TRAILCHECK_CONCURRENCY: value }))).toThrow(/^TRAILCHECK_CONCURRENCY: expected a whole number from 1 to 512/);
  });

  test('every setting is read from its variable', () => {
    const c = configFromEnv({
      AWS_REGION: 'us-east-1',
      TRAILCHECK_REGION: 'eu-west-1',
      TRAILCHECK_ROLE_NAME: 'OrgAudit',
      TRAILCHECK_EXTERNAL_ID: 'ext-42',
      TRAILCHECK_TOPIC_ARN: TOPIC,
      TRAILCHECK_STRICT: 'true',
      TRAILCHECK_CONCURRENCY: '8',
      TRAILCHECK_ACCOUNTS: '222222222222,333333333333',
      TRAILCHECK_EXCLUDE_ACCOUNTS: '444444444444',
      TRAILCHECK_OUS: 'ou-ab12-cd34ef56',
      TRAILCHECK_PUBLISH_ON_PASS: 'yes',
      TRAILCHECK_REQUIRE_ORGANIZATION: 'no',
      TRAILCHECK_CALL_TIMEOUT_MS: '5000',
      TRAILCHECK_MAX_ATTEMPTS: '3',
      TRAILCHECK_ASSUME_ROLE_PER_SECOND: '20',
      TRAILCHECK_TRANSPORT: 'sdk',
      TRAILCHECK_EXEMPTION_WARNING_DAYS: '7',
      TRAILCHECK_EXEMPTION_MAX_DAYS: '730',
    });
    expect(c).toEqual({
      region: 'eu-west-1',
      roleName: 'OrgAudit',
      externalId: 'ext-42',
      topicArn: TOPIC,
      strict: true,
      concurrency: 8,
      accounts: ['222222222222', '333333333333'],
      excludeAccounts: ['444444444444'],
      ous: ['ou-ab12-cd34ef56'],
      publishOnPass: true,
      requireOrganization: false,
      callTimeoutMs: 5000,
      maxAttempts: 3,
      assumeRolePerSecond: 20,
      transport: 'sdk',
      exemptionWarningDays: 7,
      exemptionMaxDays: 730,
    });
  });

  test.each(['TRAILCHECK_ACCOUNTS', 'TRAILCHECK_EXCLUDE_ACCOUNTS', 'TRAILCHECK_OUS'])('%s="," (a list that parses to nothing) → an error naming the variable, not "every account"', (name) => {
    expect(() => configFromEnv(base({ [name]: ',' }))).toThrow(new RegExp(`^${name}: .*no value in it`));
  });

  test('transport defaults to the wire path; TRAILCHECK_TRANSPORT=sdk sends everything through the SDK clients', () => {
    expect(configFromEnv(base()).transport).toBe('wire');
    expect(configFromEnv(base({ TRAILCHECK_TRANSPORT: 'sdk' })).transport).toBe('sdk');
    expect(() => configFromEnv(base({ TRAILCHECK_TRANSPORT: 'http' }))).toThrow('TRAILCHECK_TRANSPORT: expected wire or sdk, got "http"');
  });

  test('the region falls back to AWS_REGION', () => {
    expect(configFromEnv(base()).region).toBe('us-east-1');
  });

  test('no region anywhere → an error naming TRAILCHECK_REGION', () => {
    expect(() => configFromEnv({ TRAILCHECK_TOPIC_ARN: TOPIC })).toThrow(/TRAILCHECK_REGION/);
  });

  test('every variable name is TRAILCHECK_-prefixed and distinct', () => {
    const names = Object.values(ENV);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^TRAILCHECK_[A-Z_]+$/);
  });
});

describe('reserveMs', () => {
  test.each([
    [900_000, 60_000], // 15 minutes: capped at 60 s
    [600_000, 60_000], // exactly at the cap
    [300_000, 30_000], // 10 % in between
    [150_000, 15_000],
    [100_000, 10_000], // exactly at the floor
    [30_000, 10_000], // floor of 10 s
  ])('%i ms remaining → %i ms kept back', (remaining, expected) => {
    expect(reserveMs(remaining)).toBe(expected);
  });

  test('between 10 s and 60 s, and never more than half of the remaining time', () => {
    for (let remaining = 0; remaining <= 2_000_000; remaining += 12_345) {
      const r = reserveMs(remaining);
      expect(r).toBeLessThanOrEqual(60_000);
      expect(r).toBeLessThanOrEqual(remaining / 2);
      if (remaining >= 20_000) expect(r).toBeGreaterThanOrEqual(10_000);
    }
  });

  test('a short remaining time still leaves the audit half of it', () => {
    expect(reserveMs(12_000)).toBe(6_000);
  });
});

describe('ouLookupBudgetMs: the OU look-ups take a quarter of what is left after the audit, at most 5 s', () => {
  test.each([
    [900_000, 5_000], // plenty left: capped
    [20_000, 5_000],
    [10_000, 2_500],
    [5_000, 1_250], // 500 accounts, 10 s remaining: the audit stops at 5 s (reserve 5 s), leaving 1.25 s for the OUs
    [1_000, 250],
    [0, 0],
    [-50, 0],
  ])('%i ms left → %i ms', (left, expected) => {
    expect(ouLookupBudgetMs(left)).toBe(expected);
  });

  test('with the reserve: the OU look-ups never take more than a quarter of what the audit left, so three more steps of that length still fit', () => {
    for (let remaining = 0; remaining <= 900_000; remaining += 7_777) {
      const left = reserveMs(remaining);
      expect(ouLookupBudgetMs(left) * 4).toBeLessThanOrEqual(left);
    }
  });
});
