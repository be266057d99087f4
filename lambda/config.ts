/**
 * The audit's configuration, from the CLI's flags or the function's environment variables, read
 * from the settings' declarations (./settings.ts). Every error names the setting as the user
 * wrote it (`--concurrency`, `TRAILCHECK_CONCURRENCY`), what was given, and what is expected.
 */
import { ConfigError, defaultsOf, readText, type TextSetting, type Values } from './setting-kinds';
import { ALERT_SETTINGS, AUDIT_SETTINGS, checkAuditSettings } from './settings';

export { ConfigError } from './setting-kinds';

/** The audit's settings (./settings.ts says what each is); the region is always known. */
export type AuditConfig = Values<typeof AUDIT_SETTINGS> & { region: string };
export type AlertConfig = Values<typeof ALERT_SETTINGS>;
export type AlertMode = AlertConfig['mode'];

export const DEFAULTS = defaultsOf(AUDIT_SETTINGS);
export const ALERT_DEFAULTS = defaultsOf(ALERT_SETTINGS);

/** Raw settings as strings, keyed by the name the user wrote (a flag or an environment variable). */
export type RawSettings = Partial<Record<keyof AuditConfig, TextSetting>>;
export type RawAlertSettings = Partial<Record<keyof AlertConfig, TextSetting>>;

export function parseConfig(raw: RawSettings, fallbackRegion: string | undefined): AuditConfig {
  const region = raw.region?.value || fallbackRegion;
  if (!region) {
    throw new ConfigError(`${raw.region?.key ?? 'region'}: no region given and none configured (AWS_REGION or the profile): set one, e.g. us-east-1`);
  }
  const regionKey = raw.region?.value ? raw.region.key : `${raw.region?.key ?? 'region'} (not given; taken from AWS_REGION or the profile)`;
  const config = readText(AUDIT_SETTINGS, { ...raw, region: { key: regionKey, value: region } }) as AuditConfig;
  checkAuditSettings(config, (field) => raw[field]?.key ?? field);
  return config;
}

export function parseAlertConfig(raw: RawAlertSettings): AlertConfig {
  return readText(ALERT_SETTINGS, raw);
}

type Flags = Record<string, string | boolean | undefined>;

/** The settings that have a CLI flag, by flag name (`role-name`), as `node:util` parseArgs takes them. */
export const SETTING_FLAGS: Record<string, { type: 'string' | 'boolean' }> = Object.fromEntries(
  Object.values(AUDIT_SETTINGS).flatMap((s) => ('flag' in s ? [[flagName(s.flag), { type: s.flag.includes(' ') ? 'string' : 'boolean' }]] : [])),
);

/**
 * The settings given as flags, ready for parseConfig. An empty value usually comes from an unset
 * shell variable: refusing it beats silently auditing every account (`--accounts=`) or publishing
 * nothing (`--topic-arn=`).
 */
export function settingsFromFlags(flags: Flags): RawSettings {
  const raw: Record<string, TextSetting> = {};
  for (const [field, s] of Object.entries(AUDIT_SETTINGS)) {
    if (!('flag' in s)) continue;
    const name = flagName(s.flag);
    const value = flags[name];
    if (typeof value === 'string' && value.trim() === '') throw new ConfigError(`--${name}: empty value; give a value or leave the flag out`);
    raw[field] = { key: `--${name}`, value: value === undefined ? undefined : String(value) };
  }
  return raw;
}

/** The usage lines of the settings' flags, with their defaults. */
export function flagUsage(): string {
  return Object.values(AUDIT_SETTINGS)
    .flatMap((s) => {
      if (!('flag' in s)) return [];
      const shown = 'default' in s && typeof s.default !== 'boolean' ? ` (default ${s.default})` : '';
      return [`  ${s.flag.padEnd(24)}  ${s.help}${shown}`];
    })
    .join('\n');
}

function flagName(flag: string): string {
  return flag.slice(2).split(' ')[0];
}
