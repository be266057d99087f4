/** Builders for trail facts, named after RULE.md's vocabulary. Caller 222222222222, management 111111111111. */
import type { AdvancedSelector, ClassicSelector, TrailFacts, TrailStatus } from '../../lambda/rule/types';

export const MEMBER = '222222222222';
export const MANAGEMENT = '111111111111';

export const DEFAULT_CLASSIC: ClassicSelector = { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] };

interface TrailOptions {
  name?: string;
  owner?: string;
  homeRegion?: string;
  multiRegion?: boolean;
  org?: boolean;
  logging?: boolean;
  deliveryError?: string;
  classic?: ClassicSelector[];
  advanced?: AdvancedSelector[];
  globalEvents?: boolean;
  source?: 'self' | 'owner' | 'member';
}

/** A trail with details gathered (default: MR, logging, default classic selector). */
export function trail(o: TrailOptions = {}): TrailFacts {
  const name = o.name ?? 'main';
  const owner = o.owner ?? (o.org ? MANAGEMENT : MEMBER);
  const homeRegion = o.homeRegion ?? 'us-east-1';
  const status: TrailStatus = { isLogging: o.logging ?? true, ...(o.deliveryError ? { latestDeliveryError: o.deliveryError } : {}) };
  const selectors = o.advanced ? { kind: 'advanced' as const, selectors: o.advanced } : { kind: 'classic' as const, selectors: o.classic ?? [DEFAULT_CLASSIC] };
  const multiRegion = o.multiRegion ?? true;
  return {
    arn: `arn:aws:cloudtrail:${homeRegion}:${owner}:trail/${name}`,
    name,
    homeRegion,
    ownerAccountId: owner,
    isMultiRegionTrail: multiRegion,
    isOrganizationTrail: o.org ?? false,
    includeGlobalServiceEvents: o.globalEvents ?? multiRegion,
    s3BucketName: `${name}-logs`,
    details: multiRegion ? { ok: true, status, selectors, source: o.source ?? (o.org && owner !== MEMBER ? 'owner' : 'self') } : undefined,
  };
}

export const management = (extra: Partial<AdvancedSelector> = {}): AdvancedSelector => ({
  Name: 'Management events selector',
  FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
  ...extra,
});
