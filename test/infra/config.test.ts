/**
 * The deployment configuration: defaults, sources, one test per kind of bad value (asserting
 * the message names the key and the expected form), conflicts, and agreement with the
 * function's own validation (lambda/config.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig as parseLambdaConfig } from '../../lambda/config';
import { CONFIG_KEYS, DEFAULTS, loadConfig, parseConfig, parseSchedule, TrailcheckConfigError } from '../../lib/config';

const ROOT = path.resolve(__dirname, '../..');
const BASE = { organizationId: 'o-a1b2c3d4e5', memberRoleTargets: ['r-a1b2'] };

function parse(values: Record<string, unknown>) {
  return parseConfig({ ...BASE, ...values });
}

function error(values: Record<string, unknown>, replace = false): string {
  try {
    parseConfig(replace ? values : { ...BASE, ...values });
  } catch (err) {
    expect(err).toBeInstanceOf(TrailcheckConfigError);
    return (err as Error).message;
  }
  throw new Error(`expected a configuration error for ${JSON.stringify(values)}`);
}

describe('defaults', () => {
  it('gives a daily schedule, the default role name, all accounts', () => {
    const c = parse({});
    expect(c).toMatchObject({
      mode: 'management',
      schedule: 'cron(0 6 * * ? *)',
      timeZone: 'UTC',
      roleName: 'TrailcheckAuditRole',
      functionRoleName: 'TrailcheckAuditFunctionRole',
      memberRoles: true,
      managementRoleStack: false,
      emails: [],
      strict: false,
      publishOnPass: false,
      memoryMb: 1024,
      timeoutMinutes: 15,
      // Nothing reserved by default: the run lock keeps runs from overlapping.
      reservedConcurrency: false,
      logRetentionDays: 365,
      retryAttempts: 1,
      heartbeatHours: 26,
    });
    // All accounts: no account or OU filter.
    expect(c.accounts).toBeUndefined();
    expect(c.excludeAccounts).toBeUndefined();
    expect(c.ous).toBeUndefined();
  });

  it('uses the engine default role name', () => {
    const lambdaDefault = parseLambdaConfig({}, 'us-east-1').roleName;
    expect(DEFAULTS.roleName).toBe(lambdaDefault);
  });

  it('turns on the management role stack by default in delegatedAdmin mode', () => {
    expect(parse({ mode: 'delegatedAdmin', auditAccountId: '222222222222' }).managementRoleStack).toBe(true);
    expect(parse({ mode: 'delegatedAdmin', managementRoleStack: false }).managementRoleStack).toBe(false);
  });

  it('accepts strings for every type (flat -c context values)', () => {
    const c = parse({
      emails: 'a@example.com, b@example.com',
      strict: 'true',
      memoryMb: '2048',
      accounts: '111111111111 222222222222',
      memberRoles: 'true',
      reservedConcurrency: 'false',
    });
    expect(c).toMatchObject({ emails: ['a@example.com', 'b@example.com'], strict: true, memoryMb: 2048, accounts: ['111111111111', '222222222222'], reservedConcurrency: false });
  });

  it('drops duplicate emails (case-insensitively)', () => {
    expect(parse({ emails: ['a@example.com', 'A@example.com', 'b@example.com'] }).emails).toEqual(['a@example.com', 'b@example.com']);
  });

  it('lets organizationId and targets go when member roles are off', () => {
    const c = parseConfig({ memberRoles: false });
    expect(c.organizationId).toBeUndefined();
    expect(c.memberRoleTargets).toEqual([]);
  });
});

describe('bad values: one per kind, each naming the key and the expected form', () => {
  it('email address', () => {
    expect(error({ emails: ['alice@example.com', 'bob@'] })).toBe('trailcheck.emails[1]: expected an email address, got "bob@"');
  });

  it('email list of the wrong type', () => {
    expect(error({ emails: 42 })).toBe('trailcheck.emails: expected a list (each an email address), got 42');
  });

  it('schedule expression', () => {
    expect(error({ schedule: 'every day' })).toBe(
      'trailcheck.schedule: expected a recurring EventBridge Scheduler expression such as rate(1 day) or cron(0 6 * * ? *), got "every day"',
    );
  });

  it('schedule: rate unit must agree with the number', () => {
    expect(error({ schedule: 'rate(1 days)' })).toContain('trailcheck.schedule: expected a recurring EventBridge Scheduler expression');
    expect(error({ schedule: 'rate(1 days)' })).toContain('the unit is singular for 1 and plural otherwise');
  });

  it('schedule: cron needs six fields', () => {
    expect(error({ schedule: 'cron(0 6 * * ?)' })).toContain('cron takes six fields (minutes hours day-of-month month day-of-week year), got "cron(0 6 * * ?)"');
  });

  it('schedule: cron needs ? in exactly one day field', () => {
    expect(error({ schedule: 'cron(0 6 * * * *)' })).toContain('exactly one of day-of-month and day-of-week must be ?');
  });

  it('schedule: cron hour out of range', () => {
    expect(error({ schedule: 'cron(0 25 * * ? *)' })).toBe('trailcheck.schedule: expected a cron expression whose hours are from 0 to 23, got "cron(0 25 * * ? *)"');
  });

  it('schedule: one-time at() is refused', () => {
    expect(error({ schedule: 'at(2030-01-01T00:00:00)' })).toContain('a one-time at(...) schedule would audit only once');
  });

  it('time zone', () => {
    expect(error({ timeZone: 'Mars/Olympus_Mons' })).toBe('trailcheck.timeZone: expected an IANA time zone such as UTC or Europe/Paris, got "Mars/Olympus_Mons"');
    expect(error({ timeZone: '+02:00' })).toContain('trailcheck.timeZone: expected an IANA time zone');
  });

  it('role name', () => {
    expect(error({ roleName: 'Trailcheck Audit' })).toBe(
      'trailcheck.roleName: expected an IAM role name: 1-64 characters of letters, digits and +=,.@_-, got "Trailcheck Audit"',
    );
  });

  it('function role name', () => {
    expect(error({ functionRoleName: 'x'.repeat(65) })).toContain('trailcheck.functionRoleName: expected an IAM role name');
  });

  it('external id', () => {
    expect(error({ externalId: 'a' })).toBe('trailcheck.externalId: expected an ExternalId: 2-1224 characters of letters, digits and +=,.@:/_-, got "a"');
  });

  it('account id', () => {
    expect(error({ accounts: ['111111111111', '12345'] })).toBe('trailcheck.accounts[1]: expected a 12-digit account id, got "12345"');
    expect(error({ excludeAccounts: ['abcdefghijkl'] })).toBe('trailcheck.excludeAccounts[0]: expected a 12-digit account id, got "abcdefghijkl"');
    expect(error({ mode: 'delegatedAdmin', auditAccountId: '2222' })).toBe('trailcheck.auditAccountId: expected a 12-digit account id, got "2222"');
    expect(error({ managementAccountId: 111111111111 })).toBe('trailcheck.managementAccountId: expected a 12-digit account id, got 111111111111');
  });

  it('OU id (audit filter)', () => {
    expect(error({ ous: ['ou-ab12-cd34ef56', 'OU-1'] })).toBe('trailcheck.ous[1]: expected an OU id such as ou-ab12-cd34ef56 (or a root id r-ab12), got "OU-1"');
  });

  it('OU or root id (StackSet targets)', () => {
    expect(error({ memberRoleTargets: ['ou-ab12'] })).toBe(
      'trailcheck.memberRoleTargets[0]: expected the organization root id (r-ab12) or an OU id (ou-ab12-cd34ef56), got "ou-ab12"',
    );
  });

  it('organization id', () => {
    expect(error({ organizationId: 'o-123' })).toBe('trailcheck.organizationId: expected an organization id such as o-a1b2c3d4e5, got "o-123"');
  });

  it('region', () => {
    expect(error({ region: 'europe' })).toBe('trailcheck.region: expected a region name such as us-east-1, got "europe"');
  });

  it('mode', () => {
    expect(error({ mode: 'member' })).toBe('trailcheck.mode: expected one of "management", "delegatedAdmin", got "member"');
  });

  it('transport', () => {
    expect(error({ transport: 'http' })).toBe('trailcheck.transport: expected one of "wire", "sdk", got "http"');
    expect(parse({ transport: 'sdk' }).transport).toBe('sdk');
    // Unset: the function's own default applies (the stack sets no variable).
    expect(parse({}).transport).toBeUndefined();
  });

  it('boolean', () => {
    expect(error({ strict: 'yes please' })).toBe('trailcheck.strict: expected true or false, got "yes please"');
    expect(error({ memberRoles: 1 })).toBe('trailcheck.memberRoles: expected true or false, got 1');
  });

  it('whole number in range', () => {
    expect(error({ memoryMb: 64 })).toBe('trailcheck.memoryMb: expected a whole number from 128 to 10240, got 64');
    expect(error({ timeoutMinutes: 20 })).toBe('trailcheck.timeoutMinutes: expected a whole number from 1 to 15, got 20');
    expect(error({ retryAttempts: 3 })).toBe('trailcheck.retryAttempts: expected a whole number from 0 to 2, got 3');
    expect(error({ concurrency: '1.5' })).toBe('trailcheck.concurrency: expected a whole number from 1 to 512, got "1.5"');
  });

  it('log retention', () => {
    expect(error({ logRetentionDays: 100 })).toMatch(/^trailcheck\.logRetentionDays: expected a CloudWatch Logs retention period in days, one of 1, 3, 5, .*3653, got 100$/);
  });

  it('reserved concurrency', () => {
    expect(error({ reservedConcurrency: 5 })).toBe(
      'trailcheck.reservedConcurrency: expected false (the default: no reservation; the run lock keeps runs from overlapping) or 1 (also reserve one concurrent execution, where the Lambda concurrency quota can spare it), got 5',
    );
    expect(parse({ reservedConcurrency: 1 }).reservedConcurrency).toBe(true);
    expect(parse({ reservedConcurrency: 'true' }).reservedConcurrency).toBe(true);
  });

  it('heartbeat hours', () => {
    expect(error({ heartbeatHours: 200 })).toBe('trailcheck.heartbeatHours: expected a whole number from 1 to 168, got 200');
  });

  it('unknown setting (a typo)', () => {
    expect(error({ emial: ['a@example.com'] })).toMatch(/^trailcheck\.emial: unknown setting; expected one of mode, organizationId, emails, /);
    expect(error({ Emails: [] })).toContain('trailcheck.Emails: unknown setting; did you mean trailcheck.emails?');
  });
});

describe('schedule: every field of cron and rate, named in the error', () => {
  const scheduleError = (schedule: string) => {
    const message = error({ schedule });
    // The schedule is at fault, not the heartbeat window derived from it.
    expect(message.startsWith('trailcheck.schedule: expected ')).toBe(true);
    expect(message).not.toContain('heartbeatHours');
    expect(message.endsWith(`, got ${JSON.stringify(schedule)}`)).toBe(true);
    return message;
  };

  it.each([
    ['cron(0 6 * 13 ? *)', 'whose months are from 1 to 12 or JAN to DEC'],
    ['cron(0 6 * 0 ? *)', 'whose months are from 1 to 12 or JAN to DEC'],
    ['cron(60 6 * * ? *)', 'whose minutes are from 0 to 59'],
    ['cron(0 6 0 * ? *)', 'whose days of the month are from 1 to 31'],
    ['cron(0 6 32W * ? *)', 'whose days of the month are from 1 to 31'],
    ['cron(0 6 ? * 8 *)', 'whose days of the week are from 1 to 7 or SUN to SAT'],
    ['cron(0 6 * * ? 1969)', 'whose years are from 1970 to 2199'],
    ['cron(0 6 * * ? 2200)', 'whose years are from 1970 to 2199'],
  ])('%s: a value out of its field’s range', (schedule, expected) => {
    expect(scheduleError(schedule)).toBe(`trailcheck.schedule: expected a cron expression ${expected}, got ${JSON.stringify(schedule)}`);
  });

  it.each([
    ['cron(a b c d ? e)', 'minutes (the 1st field)', '"a" is not'],
    ['cron(0 6 ? * FOO *)', 'days of the week (the 5th field)', '"FOO" is not'],
    ['cron(0 6 ? * mon *)', 'days of the week (the 5th field)', '"mon" is not'],
    ['cron(0 6 * jan ? *)', 'months (the 4th field)', '"jan" is not'],
    ['cron(0 6 * FOO ? *)', 'months (the 4th field)', '"FOO" is not'],
    ['cron(0 6 L,1 * ? *)', 'days of the month (the 3rd field)', '"L,1" is not'],
    ['cron(0 6 1-5W * ? *)', 'days of the month (the 3rd field)', '"1-5W" is not'],
    ['cron(0 6 L-2 * ? *)', 'days of the month (the 3rd field)', '"L-2" is not'],
    ['cron(0 6 ? * 3#1,6#3 *)', 'days of the week (the 5th field)', '"3#1,6#3" is not'],
    ['cron(0 6 ? * 2#6 *)', 'days of the week (the 5th field)', '"2#6" is not'],
    ['cron(0 6 ? * 9L *)', 'days of the week (the 5th field)', '"9L" is not'],
    ['cron(0 6 * * ? L)', 'years (the 6th field)', '"L" is not'],
    ['cron(0 ? * * ? *)', 'hours (the 2nd field)', '"?" is not (only day-of-month and day-of-week take ?)'],
    ['cron(0 6 * ? ? *)', 'months (the 4th field)', '"?" is not (only day-of-month and day-of-week take ?)'],
    ['cron(*,5 6 * * ? *)', 'minutes (the 1st field)', '"*,5" is not (* stands alone)'],
    ['cron(0 6,,7 * * ? *)', 'hours (the 2nd field)', '"6,,7" is not'],
    ['cron(0 6- * * ? *)', 'hours (the 2nd field)', '"6-" is not'],
    ['cron(0 17-8 * * ? *)', 'hours (the 2nd field)', '"17-8" is not (a range goes from low to high: write 17-23,0-8 for one that wraps around)'],
    ['cron(0 6 ? * FRI-MON *)', 'days of the week (the 5th field)', '"FRI-MON" is not (a range goes from low to high: write FRI-SAT,SUN-MON for one that wraps around)'],
    ['cron(0/0 6 * * ? *)', 'minutes (the 1st field)', '"0/0" is not (an increment is from 1 to 59)'],
    ['cron(0 */24 * * ? *)', 'hours (the 2nd field)', '"*/24" is not (an increment is from 1 to 23)'],
  ])('%s: a form the field does not take', (schedule, field, why) => {
    const message = scheduleError(schedule);
    expect(message).toContain(`expected a cron expression whose ${field} are written as `);
    expect(message).toContain(`; ${why}, got `);
  });

  it('says which forms a field takes', () => {
    expect(scheduleError('cron(0 6 ? * FOO *)')).toContain(
      'are written as a number from 1 to 7 or SUN to SAT, a range (MON-FRI), a list (separated by commas), an increment (such as 0/15 or */15) or *, ? (any day: then day-of-month says which), L (the last day of the week), 6L (the last Friday of the month) or 2#1 (the first Monday of the month), alone;',
    );
  });

  it.each([
    ['rate(0 days)', 'with a positive whole number'],
    ['rate(1 week)', 'rate takes a whole number and a unit, minute(s), hour(s) or day(s)'],
    ['rate(2 Days)', 'rate takes a whole number and a unit'],
    ['rate(2.5 hours)', 'rate takes a whole number and a unit'],
    ['rate(-1 days)', 'rate takes a whole number and a unit'],
    ['rate(2day)', 'rate takes a whole number and a unit'],
    ['rate(1 minutes)', 'the unit is singular for 1 and plural otherwise'],
    ['rate(3 hour)', 'the unit is singular for 1 and plural otherwise'],
  ])('%s: refused (%s)', (schedule, expected) => {
    expect(scheduleError(schedule)).toContain(expected);
  });

  it.each([
    'cron(0 6 ? * MON-FRI *)',
    'cron(0/15 8-17 ? * MON-FRI *)',
    'cron(*/30 * * * ? *)',
    'cron(0 6 L * ? *)',
    'cron(0 6 LW * ? *)',
    'cron(0 6 15W * ? *)',
    'cron(0 6 1/2 * ? *)',
    'cron(0 6 1,15 JAN,JUL ? 2026-2030)',
    'cron(0 6 ? * L *)',
    'cron(0 6 ? * 6L *)',
    'cron(0 6 ? * FRIL *)',
    'cron(0 6 ? * 2#1 *)',
    'cron(0 6 ? * MON#5 *)',
    'cron(0 6 ? * 1,7 *)',
    'cron(59 23 31 DEC ? 2199)',
    'rate(15 minutes)',
    'rate(1 hour)',
  ])('%s: accepted', (schedule) => {
    expect(() => parse({ schedule, heartbeatHours: 168, timeoutMinutes: 15 })).not.toThrow();
  });
});

describe('empty values are refused, not taken for "unset"', () => {
  it.each<[string, unknown]>([
    ['externalId', ''],
    ['roleName', ''],
    ['roleName', '   '],
    ['functionRoleName', ''],
    ['organizationId', ''],
    ['schedule', ''],
    ['timeZone', ''],
    ['mode', ''],
    ['region', ''],
    ['strict', ''],
    ['memoryMb', ''],
    ['reservedConcurrency', ''],
    ['heartbeatHours', ''],
    ['accounts', []],
    ['accounts', ''],
    ['excludeAccounts', []],
    ['ous', []],
    ['ous', ''],
    ['memberRoleTargets', []],
    ['emails', ''],
    ['externalId', null],
    ['accounts', null],
  ])('%s = %j', (name, value) => {
    expect(error({ [name]: value })).toBe(`trailcheck.${name}: empty value ${JSON.stringify(value)}; give a value, or leave the key out to use the default`);
  });

  it('a list that parses to nothing (only separators) is refused too', () => {
    expect(error({ accounts: ',' })).toBe('trailcheck.accounts: expected a list (each a 12-digit account id); the string holds only separators, got ","');
    expect(error({ ous: ' , ' })).toContain('trailcheck.ous: expected a list');
  });

  it('names the -c key an empty value came from', () => {
    const ctx = { tryGetContext: (k: string) => (k === 'trailcheck' ? BASE : undefined), getAllContext: () => ({ 'trailcheck.externalId': '' }) };
    expect(() => loadConfig(ctx)).toThrow('trailcheck.externalId (from -c trailcheck.externalId): empty value ""; give a value, or leave the key out to use the default');
  });

  it('refuses an empty config file path', () => {
    const ctx = { tryGetContext: (k: string) => (k === 'trailcheck.configFile' ? '' : k === 'trailcheck' ? BASE : undefined), getAllContext: () => ({}) };
    expect(() => loadConfig(ctx)).toThrow(/^trailcheck\.configFile: expected a path to a JSON file .*, got ""$/);
  });

  it('keeps an empty email list: no email subscriptions is a real choice (Slack only)', () => {
    expect(parse({ emails: [] }).emails).toEqual([]);
  });
});

describe('keys named like Object.prototype members', () => {
  const unknown = (k: string) => new RegExp(`^trailcheck\\.${k}: unknown setting; expected one of mode, organizationId, `);

  it.each(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'])('%s is an unknown setting (from a JSON file or context object)', (k) => {
    const values = JSON.parse(`{"organizationId": "o-a1b2c3d4e5", "memberRoleTargets": ["r-a1b2"], ${JSON.stringify(k)}: {"strict": true}}`);
    expect(() => parseConfig(values)).toThrow(unknown(k));
    expect(() => loadConfig({ tryGetContext: (c: string) => (c === 'trailcheck' ? values : undefined), getAllContext: () => ({}) })).toThrow(unknown(k));
  });

  it.each(['__proto__', 'constructor', 'toString'])('-c trailcheck.%s is an unknown setting', (k) => {
    const ctx = { tryGetContext: (c: string) => (c === 'trailcheck' ? BASE : undefined), getAllContext: () => ({ [`trailcheck.${k}`]: 'x' }) };
    expect(() => loadConfig(ctx)).toThrow(new RegExp(`^trailcheck\\.${k} \\(from -c trailcheck\\.${k}\\): unknown setting; expected one of `));
  });

  it('a "__proto__" object cannot supply settings', () => {
    // Were it merged into an ordinary object, "__proto__" would become its prototype and every key it holds would read as set.
    const values = JSON.parse('{"__proto__": {"strict": true, "externalId": "injected"}}');
    expect(() => parseConfig({ ...BASE, ...values })).toThrow(unknown('__proto__'));
  });

  it('nothing is read from Object.prototype when keys are absent', () => {
    const c = parse({});
    expect(c.externalId).toBeUndefined();
    expect(typeof c.schedule).toBe('string');
  });
});

describe('conflicting options', () => {
  it('an account both included and excluded', () => {
    expect(error({ accounts: ['111111111111', '222222222222'], excludeAccounts: ['222222222222'] })).toBe(
      'trailcheck.accounts and trailcheck.excludeAccounts both name 222222222222: an account cannot be both included and excluded; remove it from one of them',
    );
  });

  it('the same name for the audit role and the function role', () => {
    expect(error({ roleName: 'Same', functionRoleName: 'Same' })).toContain('trailcheck.roleName and trailcheck.functionRoleName are both "Same"');
  });

  it('the root together with OUs as StackSet targets', () => {
    expect(error({ memberRoleTargets: ['r-a1b2', 'ou-a1b2-cd34ef56'] })).toBe(
      'trailcheck.memberRoleTargets: the root r-a1b2 already covers every OU; expected either the root id alone or OU ids only, got r-a1b2, ou-a1b2-cd34ef56',
    );
  });

  it('member roles without targets', () => {
    expect(error({ organizationId: 'o-a1b2c3d4e5' }, true)).toMatch(/^trailcheck\.memberRoleTargets: required when trailcheck\.memberRoles is true; expected the organization root id/);
  });

  it('targets with member roles turned off', () => {
    expect(error({ memberRoles: false })).toContain('trailcheck.memberRoleTargets is set but trailcheck.memberRoles is false');
  });

  it('member roles without the organization id', () => {
    expect(error({ memberRoleTargets: ['r-a1b2'] }, true)).toMatch(/^trailcheck\.organizationId: required when the member roles are deployed .*expected an organization id such as o-a1b2c3d4e5/);
  });

  it('the management role stack in management mode', () => {
    expect(error({ managementRoleStack: true })).toContain('trailcheck.managementRoleStack is true but trailcheck.mode is "management"');
  });

  it('the management role stack without the audit account', () => {
    expect(error({ mode: 'delegatedAdmin' })).toMatch(/^trailcheck\.auditAccountId: required when trailcheck\.managementRoleStack is true .*expected a 12-digit account id$/);
  });

  it('delegatedAdmin mode in the management account', () => {
    expect(error({ mode: 'delegatedAdmin', auditAccountId: '111111111111', managementAccountId: '111111111111' })).toContain(
      'trailcheck.auditAccountId and trailcheck.managementAccountId are both 111111111111 but trailcheck.mode is "delegatedAdmin"',
    );
  });

  it('a schedule more frequent than the timeout', () => {
    expect(error({ schedule: 'rate(5 minutes)' })).toBe(
      'trailcheck.schedule runs every 5 minutes but trailcheck.timeoutMinutes is 15: a run may last longer than the interval and runs would queue up behind each other; expected a schedule interval of at least the timeout',
    );
    expect(parse({ schedule: 'rate(5 minutes)', timeoutMinutes: 5 }).heartbeatHours).toBe(2);
  });

  it('a heartbeat shorter than the schedule interval', () => {
    expect(error({ schedule: 'rate(12 hours)', heartbeatHours: 6 })).toContain(
      'trailcheck.heartbeatHours is 6 but trailcheck.schedule runs only every 12 hours: the heartbeat alarm would fire between two healthy runs; expected at least 13',
    );
  });

  it('a weekly cron without a heartbeat window', () => {
    expect(error({ schedule: 'cron(0 6 ? * MON *)' })).toContain('trailcheck.heartbeatHours: required when trailcheck.schedule (cron(0 6 ? * MON *)) does not run at least daily');
    expect(parse({ schedule: 'cron(0 6 ? * MON *)', heartbeatHours: 168 }).heartbeatHours).toBe(168);
  });

  it('a schedule too rare for the heartbeat alarm', () => {
    expect(error({ schedule: 'rate(7 days)' })).toContain('trailcheck.schedule runs every 7 days, longer than the heartbeat alarm can watch');
  });
});

describe('schedules and the heartbeat window', () => {
  it.each([
    ['rate(1 day)', 26],
    ['rate(1 hour)', 3],
    ['rate(6 hours)', 8],
    ['cron(0 6 * * ? *)', 26],
    ['cron(30 * * * ? *)', 3],
    ['cron(0 */4 * * ? *)', 26],
  ])('%s: alarm after %i hours without a successful run', (schedule, hours) => {
    expect(parse({ schedule }).heartbeatHours).toBe(hours);
  });

  it('derives intervals (exact for rate, an upper bound for daily cron)', () => {
    expect(parseSchedule('k', 'rate(90 minutes)')).toEqual({ kind: 'rate', intervalMinutes: 90, exact: true });
    expect(parseSchedule('k', 'cron(0 6 * * ? *)')).toEqual({ kind: 'cron', intervalMinutes: 1440, exact: false });
    expect(parseSchedule('k', 'cron(0 6 1 * ? *)')).toEqual({ kind: 'cron', exact: false });
  });
});

describe('sources', () => {
  const ctx = (values: Record<string, unknown>) => ({ tryGetContext: (k: string) => values[k], getAllContext: () => values });
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trailcheck-config-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the context object', () => {
    expect(loadConfig(ctx({ trailcheck: { ...BASE, emails: ['a@example.com'] } })).emails).toEqual(['a@example.com']);
  });

  it('accepts the object as JSON (-c trailcheck={...})', () => {
    expect(loadConfig(ctx({ trailcheck: JSON.stringify({ ...BASE, strict: true }) })).strict).toBe(true);
  });

  it('lets a config file override the context object, and flat keys override both', () => {
    const file = path.join(dir, 'trailcheck.json');
    fs.writeFileSync(file, JSON.stringify({ emails: ['file@example.com'], memoryMb: 2048, strict: true }));
    const c = loadConfig(ctx({ trailcheck: { ...BASE, emails: ['context@example.com'], memoryMb: 512 }, 'trailcheck.configFile': file, 'trailcheck.memoryMb': '3008' }));
    expect(c.emails).toEqual(['file@example.com']);
    expect(c.strict).toBe(true);
    expect(c.memoryMb).toBe(3008);
  });

  it('accepts a config file with the settings under "trailcheck", relative to the working directory', () => {
    fs.writeFileSync(path.join(dir, 'nested.json'), JSON.stringify({ trailcheck: { ...BASE, publishOnPass: true } }));
    expect(loadConfig(ctx({ 'trailcheck.configFile': 'nested.json' }), dir).publishOnPass).toBe(true);
  });

  it('names the file a bad value came from', () => {
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ ...BASE, emails: ['ok@example.com', 'bob@'] }));
    expect(() => loadConfig(ctx({ 'trailcheck.configFile': 'bad.json' }), dir)).toThrow('trailcheck.emails[1] (from bad.json): expected an email address, got "bob@"');
  });

  it('names the -c key a bad value came from', () => {
    expect(() => loadConfig(ctx({ trailcheck: BASE, 'trailcheck.memoryMb': 'lots' }))).toThrow('trailcheck.memoryMb (from -c trailcheck.memoryMb): expected a whole number from 128 to 10240, got "lots"');
  });

  it('reports an unreadable or invalid config file', () => {
    expect(() => loadConfig(ctx({ 'trailcheck.configFile': 'missing.json' }), dir)).toThrow(/^trailcheck\.configFile: cannot read "missing\.json" .*expected a path to a JSON file/);
    fs.writeFileSync(path.join(dir, 'broken.json'), '{ "emails": [');
    expect(() => loadConfig(ctx({ 'trailcheck.configFile': 'broken.json' }), dir)).toThrow(/^trailcheck\.configFile: "broken\.json" is not valid JSON/);
  });

  it('reports a context value that is not an object', () => {
    expect(() => loadConfig(ctx({ trailcheck: ['a'] }))).toThrow('trailcheck (from context): expected an object of trailcheck settings, got ["a"]');
  });

  it("cdk.json's context is a valid example", () => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
    expect(cdkJson.app).toBe('npx tsx bin/app.ts');
    const c = loadConfig(ctx(cdkJson.context));
    expect(c.mode).toBe('management');
    expect(c.memberRoleTargets).toHaveLength(1);
  });
});

describe('documentation', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/deploy.md'), 'utf8');

  it('has a complete example that validates', () => {
    const m = doc.match(/<!-- complete-example -->\s*```json\n([\s\S]*?)```/);
    expect(m).not.toBeNull();
    const example = JSON.parse((m as RegExpMatchArray)[1]) as { trailcheck: Record<string, unknown> };
    expect(Object.keys(example.trailcheck).sort()).toEqual([...CONFIG_KEYS].sort());
    // The example's exemptions expire on fixed dates: checked against a fixed clock, not today's.
    expect(() => parseConfig(example.trailcheck, { now: new Date('2026-12-01T00:00:00Z') })).not.toThrow();
  });

  it('documents every key', () => {
    for (const key of CONFIG_KEYS) expect(doc).toContain(`\`${key}\``);
  });
});

describe('agrees with the function’s own validation (lambda/config.ts)', () => {
  const lambdaAccepts = (field: 'roleName' | 'externalId' | 'accounts' | 'ous' | 'region', value: string) => {
    try {
      parseLambdaConfig({ [field]: { key: field, value } }, 'us-east-1');
      return true;
    } catch {
      return false;
    }
  };
  const libAccepts = (values: Record<string, unknown>) => {
    try {
      parse(values);
      return true;
    } catch {
      return false;
    }
  };

  it.each(['TrailcheckAuditRole', 'a', 'role+=,.@_-', 'x'.repeat(64), 'x'.repeat(65), 'with space', 'slash/role', ''])('role name %p', (v) => {
    if (v === '') return; // both fall back to the default
    expect(libAccepts({ roleName: v })).toBe(lambdaAccepts('roleName', v));
  });

  it.each(['ab', 'a', 'id:with/colon', 'x'.repeat(1224), 'x'.repeat(1225), 'no space'])('external id %p', (v) => {
    expect(libAccepts({ externalId: v })).toBe(lambdaAccepts('externalId', v));
  });

  it.each(['111111111111', '11111111111', '1111111111111', 'abcdefghijkl'])('account id %p', (v) => {
    expect(libAccepts({ accounts: [v] })).toBe(lambdaAccepts('accounts', v));
  });

  it.each(['ou-ab12-cd34ef56', 'r-ab12', 'ou-ab12', 'r-AB12', 'ou-ab12-CD34EF56'])('OU id %p', (v) => {
    expect(libAccepts({ ous: [v] })).toBe(lambdaAccepts('ous', v));
  });

  it.each(['us-east-1', 'us-gov-west-1', 'eu-central-2', 'useast1', 'US-EAST-1'])('region %p', (v) => {
    expect(libAccepts({ region: v })).toBe(lambdaAccepts('region', v));
  });
});
