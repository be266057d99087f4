/** Shared fixtures for the simulator tests: a small organization and SDK client factories. */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Scenario } from '../../simulator/scenario-types';
import { startSimulator, type Simulator } from '../../simulator/server';

export const MGMT = '111111111111';
export const MEMBER = '222222222222';
export const MEMBER_EU = '333333333333';
export const NO_ROLE = '444444444444';
export const SUSPENDED = '555555555555';
export const OUTSIDER = '999999999999';
export const ROLE = 'TrailcheckAuditRole';
export const TOPIC = `arn:aws:sns:us-east-1:${MGMT}:trailcheck-alerts`;
export const CALLER = { accessKeyId: 'AKIATEST000000000001', secretAccessKey: 'test-secret' };

/** A small organization: management (org trails), a member with its own trails, an EU member, etc. */
export function baseScenario(): Scenario {
  return {
    regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
    organization: {
      id: 'o-test000001',
      managementAccountId: MGMT,
      rootId: 'r-ab12',
      delegatedAdministrators: [MEMBER_EU],
      ous: [
        { id: 'ou-ab12-security0', name: 'Security', parentId: 'r-ab12' },
        { id: 'ou-ab12-workload0', name: 'Workloads', parentId: 'r-ab12' },
        { id: 'ou-ab12-prod0000', name: 'Prod', parentId: 'ou-ab12-workload0' },
      ],
    },
    caller: { accountId: MGMT, ...CALLER },
    accounts: [
      {
        id: MGMT,
        name: 'management',
        roles: [{ name: ROLE }],
        trails: [
          { name: 'org-mr', homeRegion: 'us-east-1', isMultiRegionTrail: true, isOrganizationTrail: true, status: { isLogging: true } },
          {
            name: 'org-sr',
            homeRegion: 'us-west-2',
            isMultiRegionTrail: false,
            isOrganizationTrail: true,
            status: { isLogging: true },
            memberAccess: 'AccessDeniedException',
          },
        ],
      },
      {
        id: MEMBER,
        name: 'member',
        parentId: 'ou-ab12-prod0000',
        roles: [{ name: ROLE }, { name: 'WithExternalId', externalId: 'secret-ext' }, { name: 'Denied', trust: 'deny' }],
        trails: [
          { name: 'own-mr', homeRegion: 'eu-west-1', isMultiRegionTrail: true, status: { isLogging: true, latestDeliveryError: 'AccessDenied' } },
          {
            name: 'own-sr',
            homeRegion: 'us-east-1',
            isMultiRegionTrail: false,
            status: { isLogging: false },
            advancedEventSelectors: [{ name: 'mgmt', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] }],
          },
        ],
      },
      {
        id: MEMBER_EU,
        name: 'member-eu',
        parentId: 'ou-ab12-security0',
        roles: [{ name: ROLE }],
        trails: [
          {
            name: 'eu-trail',
            homeRegion: 'eu-west-1',
            isMultiRegionTrail: true,
            status: { isLogging: true },
            eventSelectors: [{ readWriteType: 'WriteOnly', excludeManagementEventSources: ['kms.amazonaws.com'] }],
          },
        ],
      },
      { id: NO_ROLE, name: 'no-role', roles: [] },
      { id: SUSPENDED, name: 'suspended', state: 'SUSPENDED', roles: [{ name: ROLE }], listed: false },
    ],
    topics: [TOPIC],
  };
}

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

export class Clients {
  private readonly all: Array<{ destroy(): void }> = [];
  constructor(private readonly sim: () => Simulator) {}

  private cfg(creds: Creds, region: string, extra: Record<string, unknown>) {
    return { endpoint: this.sim().url, region, credentials: creds, maxAttempts: 1, ...extra };
  }
  private track<T extends { destroy(): void }>(c: T): T {
    this.all.push(c);
    return c;
  }
  sts(creds: Creds = CALLER, region = 'us-east-1', extra: Record<string, unknown> = {}) {
    return this.track(new STSClient(this.cfg(creds, region, extra)));
  }
  orgs(creds: Creds = CALLER, extra: Record<string, unknown> = {}) {
    return this.track(new OrganizationsClient(this.cfg(creds, 'us-east-1', extra)));
  }
  ct(creds: Creds = CALLER, region = 'us-east-1', extra: Record<string, unknown> = {}) {
    return this.track(new CloudTrailClient(this.cfg(creds, region, extra)));
  }
  sns(creds: Creds = CALLER, region = 'us-east-1', extra: Record<string, unknown> = {}) {
    return this.track(new SNSClient(this.cfg(creds, region, extra)));
  }
  /** AssumeRole as the caller into `account`; returns the temporary credentials. */
  async assume(account: string, role = ROLE): Promise<Creds> {
    const out = await this.sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${role}`, RoleSessionName: 'trailcheck' }));
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  }
  destroy(): void {
    for (const c of this.all.splice(0)) c.destroy();
  }
}

/** Runs `p` and returns the error it rejects with (fails the test when it resolves). */
export async function errorOf(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number }; Reason?: string; code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/**
 * One simulator for a test file, started before its tests and stopped after them; after each
 * test it is back on the base scenario with empty logs. `onStart` receives it.
 */
export function sharedSimulator(onStart: (sim: Simulator) => void): Clients {
  let sim: Simulator;
  const clients = new Clients(() => sim);
  beforeAll(async () => {
    sim = await startSimulator(baseScenario());
    onStart(sim);
  });
  afterEach(() => {
    sim.setScenario(baseScenario());
    sim.reset();
  });
  afterAll(async () => {
    clients.destroy();
    await sim.stop();
  });
  return clients;
}
