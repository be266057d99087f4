/** lambda/config.ts: every bad value names the setting and the expected form. */
import { ConfigError, DEFAULTS, parseConfig, type AuditConfig, type RawSettings } from '../../lambda/config';

type Values = Partial<Record<keyof AuditConfig, string>>;

/** Settings keyed as the CLI flags name them (`roleName` → `--role-name`). */
function raw(values: Values): RawSettings {
  const out: RawSettings = {};
  for (const [field, value] of Object.entries(values) as Array<[keyof AuditConfig, string]>) {
    out[field] = { key: `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value };
  }
  return out;
}

/** `fallbackRegion` null: no region configured anywhere. */
function errorOf(values: Values, fallbackRegion: string | null = 'us-east-1'): ConfigError {
  try {
    parseConfig(raw(values), fallbackRegion ?? undefined);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(values)}`);
}

describe('parseConfig: bad values name the key and the expected form', () => {
  test.each<[string, Values, string, string]>([
    ['region: not a region', { region: 'us-east' }, '--region', 'a region name such as us-east-1'],
    ['region: upper case', { region: 'US-EAST-1' }, '--region', 'a region name such as us-east-1'],
    ['role name: a space', { roleName: 'Audit Role' }, '--role-name', 'an IAM role name'],
    ['role name: 65 characters', { roleName: 'R'.repeat(65) }, '--role-name', '1-64 characters'],
    ['role name: a path', { roleName: 'path/Role' }, '--role-name', 'an IAM role name'],
    ['external id: 1 character', { externalId: 'x' }, '--external-id', 'an ExternalId'],
    ['external id: a space', { externalId: 'my id' }, '--external-id', 'an ExternalId'],
    ['accounts: 11 digits', { accounts: '12345678901' }, '--accounts', 'a 12-digit account id'],
    ['accounts: one bad entry among good ones', { accounts: '111111111111,abc,222222222222' }, '--accounts', 'a 12-digit account id'],
    ['exclude accounts: letters', { excludeAccounts: 'acct-1' }, '--exclude-accounts', 'a 12-digit account id'],
    ['ous: not an OU id', { ous: 'Workloads' }, '--ous', 'an OU id such as ou-ab12-cd34ef56'],
    ['ous: OU id with a short suffix', { ous: 'ou-ab12-cd34' }, '--ous', 'an OU id'],
    ['topic ARN: an SQS ARN', { topicArn: 'arn:aws:sqs:us-east-1:111111111111:q' }, '--topic-arn', 'an SNS topic ARN'],
    ['topic ARN: no account', { topicArn: 'arn:aws:sns:us-east-1::alerts' }, '--topic-arn', 'an SNS topic ARN'],
    ['topic ARN: a bare name', { topicArn: 'alerts' }, '--topic-arn', 'an SNS topic ARN'],
    ['concurrency: 0 (below the range)', { concurrency: '0' }, '--concurrency', 'a whole number from 1 to 512'],
    ['concurrency: 513 (above the range)', { concurrency: '513' }, '--concurrency', 'a whole number from 1 to 512'],
    ['concurrency: non-integer', { concurrency: '1.5' }, '--concurrency', 'a whole number from 1 to 512'],
    ['concurrency: negative', { concurrency: '-4' }, '--concurrency', 'a whole number from 1 to 512'],
    ['concurrency: words', { concurrency: 'many' }, '--concurrency', 'a whole number from 1 to 512'],
    ['concurrency: exponent notation', { concurrency: '1e2' }, '--concurrency', 'a whole number from 1 to 512'],
    ['call timeout: below 100 ms', { callTimeoutMs: '99' }, '--call-timeout-ms', 'a whole number from 100 to 120000'],
    ['max attempts: 0', { maxAttempts: '0' }, '--max-attempts', 'a whole number from 1 to 20'],
    ['assume-role rate: 501', { assumeRolePerSecond: '501' }, '--assume-role-per-second', 'a whole number from 1 to 500'],
    ['strict: not a boolean', { strict: 'maybe' }, '--strict', 'expected true or false'],
    ['publish on pass: not a boolean', { publishOnPass: '2' }, '--publish-on-pass', 'expected true or false'],
    ['require organization: not a boolean', { requireOrganization: 'on' }, '--require-organization', 'expected true or false'],
    ['transport: not one of the two', { transport: 'http' }, '--transport', 'expected wire or sdk'],
    ['transport: upper case', { transport: 'SDK' }, '--transport', 'expected wire or sdk'],
  ])('%s', (_name, values, key, expected) => {
    const err = errorOf(values);
    expect(err.message.startsWith(`${key}: `)).toBe(true);
    expect(err.message).toContain(expected);
    // The bad value itself is quoted back.
    const given = Object.values(values)[0] as string;
    const item = given.includes(',') ? 'abc' : given;
    expect(err.message).toContain(JSON.stringify(item));
  });

  test('no region given and no fallback → names the key and says how to set one', () => {
    const err = errorOf({}, null);
    expect(err.message).toMatch(/^region: /);
    expect(err.message).toContain('us-east-1');
    const flagged = errorOf({ region: '' }, null);
    expect(flagged.message).toMatch(/^--region: /);
  });

  test.each<[string, Values, string]>([
    ['accounts: only a comma', { accounts: ',' }, '--accounts'],
    ['accounts: commas and spaces', { accounts: ' , ,\n,' }, '--accounts'],
    ['exclude accounts: only a comma', { excludeAccounts: ',' }, '--exclude-accounts'],
    ['ous: only commas', { ous: ',,' }, '--ous'],
  ])('a list that parses to nothing (%s) is refused, not taken as unset: it names the key', (_name, values, key) => {
    const err = errorOf(values);
    expect(err.message.startsWith(`${key}: `)).toBe(true);
    expect(err.message).toContain('no value in it');
    expect(err.message).toContain(JSON.stringify(Object.values(values)[0]));
  });

  test('an account both included and excluded → names both keys and the account', () => {
    const err = errorOf({ accounts: '111111111111,222222222222', excludeAccounts: '333333333333 222222222222' });
    expect(err.message).toContain('--accounts');
    expect(err.message).toContain('--exclude-accounts');
    expect(err.message).toContain('222222222222');
    expect(err.message).not.toContain('111111111111');
  });
});

describe('parseConfig: defaults and accepted forms', () => {
  test('nothing given → the defaults, with the fallback region', () => {
    expect(parseConfig({}, 'eu-west-1')).toEqual({
      region: 'eu-west-1',
      roleName: DEFAULTS.roleName,
      externalId: undefined,
      strict: false,
      concurrency: 16,
      accounts: undefined,
      excludeAccounts: undefined,
      ous: undefined,
      topicArn: undefined,
      publishOnPass: false,
      requireOrganization: false,
      callTimeoutMs: 10_000,
      maxAttempts: 5,
      assumeRolePerSecond: 100,
      transport: 'wire',
      exemptionWarningDays: 14,
      exemptionMaxDays: 365,
    });
  });

  test('empty strings count as not given', () => {
    const c = parseConfig(raw({ roleName: '', externalId: '', concurrency: '', strict: '', accounts: '  ', topicArn: '' }), 'us-east-1');
    expect(c).toMatchObject({ roleName: DEFAULTS.roleName, externalId: undefined, concurrency: 16, strict: false, accounts: undefined, topicArn: undefined });
  });

  test('an explicit region wins over the fallback', () => {
    expect(parseConfig(raw({ region: 'ap-southeast-2' }), 'us-east-1').region).toBe('ap-southeast-2');
  });

  test.each(['us-east-1', 'eu-central-2', 'us-gov-west-1', 'cn-north-1', 'cn-northwest-1', 'ap-southeast-7', 'il-central-1', 'us-iso-east-1', 'us-isob-east-1'])(
    'region %s is accepted',
    (region) => {
      expect(parseConfig(raw({ region }), undefined).region).toBe(region);
    },
  );

  test.each([
    ['arn:aws:sns:us-east-1:111111111111:trailcheck-alerts'],
    ['arn:aws-us-gov:sns:us-gov-west-1:111111111111:alerts_1'],
    ['arn:aws-cn:sns:cn-north-1:111111111111:alerts'],
  ])('topic ARN %s is accepted', (topicArn) => {
    expect(parseConfig(raw({ topicArn }), 'us-east-1').topicArn).toBe(topicArn);
  });

  test.each<[string, boolean]>([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['False', false],
    ['0', false],
    ['no', false],
  ])('boolean %s → %s', (value, expected) => {
    expect(parseConfig(raw({ strict: value }), 'us-east-1').strict).toBe(expected);
  });

  test.each(['wire', 'sdk'] as const)('transport %s is accepted', (transport) => {
    expect(parseConfig(raw({ transport }), 'us-east-1').transport).toBe(transport);
  });

  test('numbers at the ends of their ranges are accepted', () => {
    expect(parseConfig(raw({ concurrency: '1' }), 'us-east-1').concurrency).toBe(1);
    expect(parseConfig(raw({ concurrency: '512' }), 'us-east-1').concurrency).toBe(512);
    expect(parseConfig(raw({ concurrency: ' 32 ' }), 'us-east-1').concurrency).toBe(32);
  });

  test('lists split on commas and whitespace, and are deduplicated in order', () => {
    const c = parseConfig(raw({ accounts: '222222222222, 111111111111 222222222222\n111111111111,,', ous: 'ou-ab12-cd34ef56,r-ab12,ou-ab12-cd34ef56' }), 'us-east-1');
    expect(c.accounts).toEqual(['222222222222', '111111111111']);
    expect(c.ous).toEqual(['ou-ab12-cd34ef56', 'r-ab12']);
  });

  test('external id and role name with their allowed punctuation are accepted', () => {
    const c = parseConfig(raw({ externalId: 'a+b=c,d.e@f:g/h-i_j', roleName: 'Audit+Role=x,y.z@w_v-1' }), 'us-east-1');
    expect(c.externalId).toBe('a+b=c,d.e@f:g/h-i_j');
    expect(c.roleName).toBe('Audit+Role=x,y.z@w_v-1');
  });
});
