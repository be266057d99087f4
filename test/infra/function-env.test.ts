/**
 * What the stack sets in the function's environment must parse back, through the handler, into
 * the configured audit.
 */
import { configFromEnv, ENV } from '../../lambda/handler';
import { ALERT_SETTINGS, AUDIT_SETTINGS } from '../../lambda/settings';
import type { Setting } from '../../lambda/setting-kinds';
import { CONFIG_KEYS, parseConfig } from '../../lib/config';
import { functionEnvironment } from '../../lib/function-env';

const TOPIC = 'arn:aws:sns:eu-west-1:111111111111:trailcheck-alerts';

describe('function environment', () => {
  it('round-trips every audit setting through the handler', () => {
    const config = parseConfig({
      organizationId: 'o-a1b2c3d4e5',
      memberRoleTargets: ['r-a1b2'],
      roleName: 'OrgTrailAudit',
      externalId: 'ext-123:abc',
      strict: true,
      publishOnPass: true,
      concurrency: 64,
      accounts: ['111111111111', '222222222222'],
      excludeAccounts: ['333333333333'],
      ous: ['ou-ab12-cd34ef56', 'r-ab12'],
      callTimeoutMs: 5000,
      maxAttempts: 3,
      assumeRolePerSecond: 20,
      transport: 'sdk',
      exemptionWarningDays: 7,
      exemptionMaxDays: 730,
      securityHub: 'eu-central-1',
    });
    const env = functionEnvironment(config, { topicArn: TOPIC, region: 'eu-west-1' });
    expect(Object.keys(env).sort()).toEqual(Object.values(ENV).sort());
    expect(configFromEnv(env)).toEqual({
      region: 'eu-west-1',
      roleName: 'OrgTrailAudit',
      externalId: 'ext-123:abc',
      topicArn: TOPIC,
      strict: true,
      concurrency: 64,
      accounts: ['111111111111', '222222222222'],
      excludeAccounts: ['333333333333'],
      ous: ['ou-ab12-cd34ef56', 'r-ab12'],
      publishOnPass: true,
      requireOrganization: true,
      callTimeoutMs: 5000,
      maxAttempts: 3,
      assumeRolePerSecond: 20,
      transport: 'sdk',
      exemptionWarningDays: 7,
      exemptionMaxDays: 730,
      securityHubRegion: 'eu-central-1',
    });
  });

  it("leaves unset tuning values to the engine's defaults", () => {
    const config = parseConfig({ organizationId: 'o-a1b2c3d4e5', memberRoleTargets: ['r-a1b2'] });
    const env = functionEnvironment(config, { topicArn: TOPIC, region: 'eu-west-1' });
    expect(env).toEqual({
      TRAILCHECK_REGION: 'eu-west-1',
      TRAILCHECK_ROLE_NAME: 'TrailcheckAuditRole',
      TRAILCHECK_TOPIC_ARN: TOPIC,
      TRAILCHECK_STRICT: 'false',
      TRAILCHECK_PUBLISH_ON_PASS: 'false',
      TRAILCHECK_REQUIRE_ORGANIZATION: 'true',
    });
    expect(configFromEnv(env)).toMatchObject({ roleName: 'TrailcheckAuditRole', concurrency: 16, maxAttempts: 5, requireOrganization: true, transport: 'wire' });
  });

  it('every function setting the deployment sets is a configuration key, under its deployment key, and no other is', () => {
    const settings = Object.entries({ ...AUDIT_SETTINGS, ...ALERT_SETTINGS }) as Array<[string, Setting<unknown>]>;
    for (const [field, s] of settings) {
      if (s.deploy) expect(CONFIG_KEYS).toContain(s.deployKey ?? field);
      else expect(CONFIG_KEYS).not.toContain(field);
    }
  });
});
