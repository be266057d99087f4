/**
 * lambda/settings.ts: the declarations themselves. A setting added there reaches every source
 * (environment variable, CLI flag, usage) without another edit; these hold the table to that.
 */
import { USAGE } from '../../lambda/cli';
import { SETTING_FLAGS } from '../../lambda/config';
import { bool, type Setting } from '../../lambda/setting-kinds';
import { ALERT_SETTINGS, AUDIT_SETTINGS, REALTIME_SETTINGS } from '../../lambda/settings';
import { realtimeConfigFromEnv } from '../../lambda/event-handler';

const all = Object.entries({ ...AUDIT_SETTINGS, ...ALERT_SETTINGS, ...REALTIME_SETTINGS }) as Array<[string, Setting<unknown>]>;

describe('setting declarations', () => {
  test.each(all)('%s: its default is a value of its own kind, and survives the trip through its environment variable', (field, s) => {
    if (s.default === undefined) return;
    const read = s.kind.read(s.kind.text(s.default), 'text', () => field);
    expect(read).toEqual(s.default);
    expect(s.kind.read(s.default, 'config', () => field)).toEqual(s.default);
  });

  test('every variable name is TRAILCHECK_-prefixed and distinct', () => {
    const names = all.map(([, s]) => s.env);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^TRAILCHECK_[A-Z_]+$/);
  });

  test('every flag is a CLI option, and the usage shows it with its help', () => {
    const flagged = Object.values(AUDIT_SETTINGS).filter((s): s is typeof s & { flag: string } => 'flag' in s);
    expect(flagged.length).toBeGreaterThan(0);
    for (const s of flagged) {
      const name = s.flag.slice(2).split(' ')[0];
      // A switch (no value) exactly when the setting is a boolean.
      expect(SETTING_FLAGS[name]).toEqual({ type: s.kind === bool ? 'boolean' : 'string' });
      expect(USAGE).toContain(`  ${s.flag.padEnd(24)}  ${s.help}`);
    }
  });

  test('a setting without a flag is not an option (the function alone reads it)', () => {
    const unflagged = Object.entries(AUDIT_SETTINGS).filter(([, s]) => !('flag' in s));
    expect(unflagged.map(([field]) => field)).toContain('requireOrganization');
    for (const [field] of unflagged) expect(Object.keys(SETTING_FLAGS)).not.toContain(field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
  });
});

describe('the real-time function\'s own setting', () => {
  test('TRAILCHECK_NEW_ACCOUNT_GRACE_MINUTES: 30 by default, a whole number of minutes up to a day, refused otherwise naming the variable', () => {
    expect(realtimeConfigFromEnv({})).toEqual({ newAccountGraceMinutes: 30 });
    expect(realtimeConfigFromEnv({ TRAILCHECK_NEW_ACCOUNT_GRACE_MINUTES: '0' })).toEqual({ newAccountGraceMinutes: 0 });
    expect(() => realtimeConfigFromEnv({ TRAILCHECK_NEW_ACCOUNT_GRACE_MINUTES: '1441' })).toThrow(/TRAILCHECK_NEW_ACCOUNT_GRACE_MINUTES/);
    expect(() => realtimeConfigFromEnv({ TRAILCHECK_NEW_ACCOUNT_GRACE_MINUTES: 'soon' })).toThrow(/TRAILCHECK_NEW_ACCOUNT_GRACE_MINUTES/);
  });
});
