/**
 * Generated organizations for the benchmark and the scale tests: N accounts (the management
 * account first), every one with the audit role, in one of two profiles:
 *
 * - `org-trail`: the management account owns a compliant multi-region organization trail that
 *   every member sees; members own no trail. Every account PASSES.
 * - `own-trails`: no organization trail; every account owns one or two multi-region trails homed
 *   in various regions (a mix that passes and fails, see `OWN_TRAIL_MIX`).
 *
 * Deterministic: the same arguments give the same scenario.
 */
import type { LatencySpec, Scenario, ScenarioAccount, ScenarioFault, ScenarioLatency, ScenarioTrail } from './scenario-types';

export type OrgProfile = 'org-trail' | 'own-trails';
export const ORG_PROFILES: readonly OrgProfile[] = ['org-trail', 'own-trails'];

export const GENERATED = {
  managementAccountId: '100000000000',
  organizationId: 'o-bench00001',
  rootId: 'r-be01',
  roleName: 'TrailcheckAuditRole',
  caller: { accountId: '100000000000', accessKeyId: 'AKIABENCH00000000001', secretAccessKey: 'bench-secret' },
} as const;

/**
 * Default per-call latency (milliseconds, uniform between min and max): tens to a couple of
 * hundred milliseconds, each API its own, `ListAccounts` pages the slowest.
 */
export const DEFAULT_LATENCY: Required<Pick<ScenarioLatency, 'default' | 'byAction'>> = {
  default: { min: 20, max: 80 },
  byAction: {
    GetCallerIdentity: { min: 20, max: 60 },
    ListAccounts: { min: 120, max: 240 },
    AssumeRole: { min: 40, max: 120 },
    DescribeTrails: { min: 40, max: 140 },
    GetTrailStatus: { min: 20, max: 80 },
    GetEventSelectors: { min: 20, max: 80 },
  },
};

/**
 * Faults that throttle a fraction `p` of every call the audit makes (STS, Organizations and
 * CloudTrail, every action), each in its service's own spelling of throttling.
 */
export function throttleEverything(p: number): ScenarioFault[] {
  return (['sts', 'organizations', 'cloudtrail'] as const).map((service) => ({ service, kind: 'error', code: 'ThrottlingException', status: 400, message: 'Rate exceeded', probability: p }));
}

/** Multiplies every latency of `l` by `factor` (0 turns latency off). */
export function scaleLatency(l: typeof DEFAULT_LATENCY, factor: number): typeof DEFAULT_LATENCY {
  const scale = (s: LatencySpec): LatencySpec => (typeof s === 'number' ? s * factor : { min: s.min * factor, max: s.max * factor });
  return { default: scale(l.default), byAction: Object.fromEntries(Object.entries(l.byAction).map(([k, v]) => [k, scale(v)])) };
}

const HOME_REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-2'];

/**
 * The `own-trails` mix, by account index modulo 10 (status and trail count are what the audit
 * should find): 0–5 one good trail (PASS); 6 one stopped trail (FAIL); 7 a write-only trail and a
 * good one (PASS); 8 a write-only multi-region trail and a single-region trail (FAIL); 9 two
 * stopped trails, one with advanced selectors (FAIL).
 */
export function ownTrails(index: number): ScenarioTrail[] {
  const home = HOME_REGIONS[index % HOME_REGIONS.length];
  const mr = (name: string, extra: Partial<ScenarioTrail> = {}): ScenarioTrail => ({ name, homeRegion: home, isMultiRegionTrail: true, status: { isLogging: true }, ...extra });
  switch (index % 10) {
    case 6:
      return [mr('main', { status: { isLogging: false } })];
    case 7:
      return [mr('writes', { eventSelectors: [{ readWriteType: 'WriteOnly' }] }), mr('main', { homeRegion: 'us-east-1' })];
    case 8:
      return [mr('writes', { eventSelectors: [{ readWriteType: 'WriteOnly' }] }), { name: 'local', homeRegion: 'us-east-1', isMultiRegionTrail: false, status: { isLogging: true } }];
    case 9:
      return [
        mr('main', { status: { isLogging: false } }),
        mr('lake', {
          homeRegion: 'us-east-1',
          status: { isLogging: false },
          advancedEventSelectors: [{ name: 'Management events', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] }],
        }),
      ];
    default:
      return [mr('main')];
  }
}

/** Expected status of account `index` in the `own-trails` profile (see `ownTrails`). */
export function ownTrailsExpected(index: number): 'PASS' | 'FAIL' {
  return [6, 8, 9].includes(index % 10) ? 'FAIL' : 'PASS';
}

export interface GenerateOptions {
  /** Accounts in the organization, the management account included (≥ 1). */
  accounts: number;
  profile: OrgProfile;
  /** Default `DEFAULT_LATENCY`; `null` for none. */
  latency?: ScenarioLatency | null;
  seed?: number;
  regions?: string[];
}

export function accountId(index: number): string {
  return String(Number(GENERATED.managementAccountId) + index);
}

export function generateOrganization(o: GenerateOptions): Scenario {
  if (!Number.isInteger(o.accounts) || o.accounts < 1) throw new Error(`accounts: expected a whole number ≥ 1, got ${o.accounts}`);
  const accounts: ScenarioAccount[] = [];
  for (let i = 0; i < o.accounts; i++) {
    const id = accountId(i);
    const trails: ScenarioTrail[] =
      o.profile === 'own-trails'
        ? ownTrails(i)
        : i === 0
          ? [{ name: 'org-trail', homeRegion: 'us-east-1', isMultiRegionTrail: true, isOrganizationTrail: true, status: { isLogging: true } }]
          : [];
    accounts.push({ id, name: i === 0 ? 'management' : `member-${i}`, roles: [{ name: GENERATED.roleName }], trails });
  }
  return {
    partition: 'aws',
    ...(o.regions ? { regions: o.regions } : {}),
    organization: { id: GENERATED.organizationId, managementAccountId: GENERATED.managementAccountId, rootId: GENERATED.rootId },
    caller: { ...GENERATED.caller },
    accounts,
    ...(o.latency === null ? {} : { latency: { ...(o.latency ?? DEFAULT_LATENCY), seed: o.seed ?? o.latency?.seed ?? 1 } }),
  };
}
