/** CloudTrail (JSON 1.1): DescribeTrails, GetTrailStatus, GetEventSelectors, per account and region. */
import { AwsError } from '../errors';
import { TRAIL_NAME } from '../scenario';
import type { JsonParams } from '../protocol-json';
import type { ScenarioTrail } from '../scenario-types';
import type { OwnedTrail } from '../world';
import type { CallContext, JsonService } from './types';

const TRAIL_ARN = /^arn:([a-z-]+):cloudtrail:([a-z0-9-]+):(\d{12}):trail\/(.+)$/;

/**
 * The trails account A sees in region R: its own trails homed in R, its own multi-region trails
 * homed elsewhere (shadow trails, only with `includeShadow`), and the organization trails of its
 * organization when A is an ACTIVE member (same rules).
 */
export function visibleTrails(ctx: CallContext, includeShadow: boolean): OwnedTrail[] {
  const { world, region } = ctx;
  const me = ctx.identity.accountId;
  const out: OwnedTrail[] = [];
  const consider = (owner: string, t: ScenarioTrail) => {
    if (t.homeRegion === region || (t.isMultiRegionTrail && includeShadow)) {
      out.push({ owner, trail: t, arn: world.trailArn(owner, t) });
    }
  };
  for (const t of world.accounts.get(me)?.trails ?? []) consider(me, t);
  const org = world.organization;
  if (org && me !== org.managementAccountId && world.inOrganization(me) && world.accountState(me) === 'ACTIVE') {
    for (const t of world.accounts.get(org.managementAccountId)?.trails ?? []) {
      if (t.isOrganizationTrail) consider(org.managementAccountId, t);
    }
  }
  return out;
}

function trailOut(ctx: CallContext, ot: OwnedTrail): Record<string, unknown> {
  const t = ot.trail;
  return {
    Name: t.name,
    S3BucketName: t.s3BucketName ?? `aws-cloudtrail-logs-${ot.owner}-${t.name.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63),
    IncludeGlobalServiceEvents: t.includeGlobalServiceEvents ?? t.isMultiRegionTrail,
    IsMultiRegionTrail: t.isMultiRegionTrail,
    HomeRegion: t.homeRegion,
    TrailARN: ctx.world.trailArn(ot.owner, t),
    LogFileValidationEnabled: true,
    HasCustomEventSelectors: t.eventSelectors !== undefined || t.advancedEventSelectors !== undefined,
    HasInsightSelectors: false,
    IsOrganizationTrail: t.isOrganizationTrail === true,
  };
}

function notFound(ctx: CallContext, nameOrArn: string): AwsError {
  return new AwsError('TrailNotFoundException', `Unknown trail: ${nameOrArn} for the user: ${ctx.identity.accountId}`);
}

/**
 * Resolves `Name`/`TrailName` in the call's region. A name means one of the caller's own trails
 * homed in the region. An ARN may also name an organization trail of the caller's organization
 * (then `memberAccess` decides), and answers in the trail's home region or, for a multi-region
 * trail, in any region through its shadow copy (AWS: "To get the status of a shadow trail (a
 * replication of the trail in another Region), you must specify its ARN").
 */
export function resolveTrail(ctx: CallContext, value: unknown, paramName: string): OwnedTrail {
  const { world, region } = ctx;
  const me = ctx.identity.accountId;
  if (typeof value !== 'string' || value === '') {
    throw new AwsError('InvalidTrailNameException', `1 validation error detected: Value null at '${paramName}' failed to satisfy constraint: Member must not be null`);
  }
  if (value.startsWith('arn:')) {
    const m = TRAIL_ARN.exec(value);
    if (!m || !TRAIL_NAME.test(m[4])) {
      throw new AwsError('CloudTrailARNInvalidException', `The specified ARN ${value} is not valid. The format is arn:aws:cloudtrail:region:account-id:trail/trail-name.`);
    }
    const ot = world.trailsByArn.get(value);
    if (!ot || (ot.trail.homeRegion !== region && !ot.trail.isMultiRegionTrail)) throw notFound(ctx, value);
    if (ot.owner !== me) {
      const org = world.organization;
      const memberOfOwnersOrg = org !== undefined && ot.owner === org.managementAccountId && world.inOrganization(me);
      if (!ot.trail.isOrganizationTrail || !memberOfOwnersOrg) throw notFound(ctx, value);
      const access = ot.trail.memberAccess ?? 'allow';
      if (access === 'TrailNotFoundException') throw notFound(ctx, value);
      if (access === 'AccessDeniedException') {
        throw new AwsError('AccessDeniedException', `User: ${ctx.identity.arn} is not authorized to perform: cloudtrail:${ctx.action} on resource: ${value}`);
      }
      if (access === 'CloudTrailARNInvalidException') {
        throw new AwsError('CloudTrailARNInvalidException', `The specified ARN ${value} is not valid for account ${me}.`);
      }
    }
    return ot;
  }
  if (!TRAIL_NAME.test(value)) {
    throw new AwsError(
      'InvalidTrailNameException',
      'Trail name must start with a letter or number, end with a letter or number, be between 3 and 128 characters, and contain only letters, numbers, periods, underscores and dashes.',
    );
  }
  const t = (world.accounts.get(me)?.trails ?? []).find((x) => x.name === value && x.homeRegion === region);
  if (!t) throw notFound(ctx, value);
  return { owner: me, trail: t, arn: world.trailArn(me, t) };
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function trailStatus(ctx: CallContext, ot: OwnedTrail): Record<string, unknown> {
  const base = ctx.world.startedAt.getTime();
  const started = new Date(base - 30 * 86_400_000);
  const { isLogging, latestDeliveryError } = ot.trail.status;
  const stopped = isLogging ? undefined : new Date(base - 2 * 86_400_000);
  // A delivery error means deliveries have been failing for a while; otherwise the last one is recent.
  const lastDelivery = latestDeliveryError ? new Date(base - 3 * 86_400_000) : (stopped ?? new Date(base - 4 * 60_000));
  const lastAttempt = stopped ?? new Date(base - 4 * 60_000);
  return {
    IsLogging: isLogging,
    LatestDeliveryError: latestDeliveryError,
    LatestDeliveryTime: lastDelivery,
    LatestDigestDeliveryTime: lastDelivery,
    StartLoggingTime: started,
    StopLoggingTime: stopped,
    TimeLoggingStarted: iso(started),
    TimeLoggingStopped: stopped ? iso(stopped) : '',
    LatestDeliveryAttemptTime: iso(lastAttempt),
    LatestDeliveryAttemptSucceeded: latestDeliveryError ? '' : iso(lastDelivery),
    LatestNotificationAttemptTime: '',
    LatestNotificationAttemptSucceeded: '',
  };
}

function eventSelectors(ctx: CallContext, ot: OwnedTrail): Record<string, unknown> {
  const t = ot.trail;
  const TrailARN = ctx.world.trailArn(ot.owner, t);
  if (t.advancedEventSelectors !== undefined) {
    return {
      TrailARN,
      AdvancedEventSelectors: t.advancedEventSelectors.map((s) => ({
        Name: s.name,
        FieldSelectors: s.fieldSelectors.map((f) => ({
          Field: f.field,
          Equals: f.equals,
          StartsWith: f.startsWith,
          EndsWith: f.endsWith,
          NotEquals: f.notEquals,
          NotStartsWith: f.notStartsWith,
          NotEndsWith: f.notEndsWith,
        })),
      })),
    };
  }
  const selectors = t.eventSelectors ?? [{}];
  return {
    TrailARN,
    EventSelectors: selectors.map((s) => ({
      ReadWriteType: s.readWriteType ?? 'All',
      IncludeManagementEvents: s.includeManagementEvents ?? true,
      DataResources: (s.dataResources ?? []).map((d) => ({ Type: d.type, Values: d.values })),
      ExcludeManagementEventSources: s.excludeManagementEventSources ?? [],
    })),
  };
}

export const cloudtrail: JsonService = {
  service: 'cloudtrail',
  protocol: 'json',
  regional: true,
  targetPrefixes: ['CloudTrail_20131101', 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101'],
  queryCompatible: true,
  actions: {
    DescribeTrails(ctx, p: JsonParams) {
      const includeShadow = p.includeShadowTrails !== false; // the real default is true
      const names = Array.isArray(p.trailNameList) ? p.trailNameList.filter((x): x is string => typeof x === 'string') : [];
      let trails = visibleTrails(ctx, includeShadow);
      if (names.length > 0) {
        const all = visibleTrails(ctx, true);
        const me = ctx.identity.accountId;
        trails = all.filter((ot) =>
          names.some((n) => (n.startsWith('arn:') ? n === ot.arn : n === ot.trail.name && ot.owner === me && ot.trail.homeRegion === ctx.region)),
        );
      }
      return { trailList: trails.map((ot) => trailOut(ctx, ot)) };
    },
    GetTrailStatus(ctx, p) {
      return trailStatus(ctx, resolveTrail(ctx, p.Name, 'name'));
    },
    GetEventSelectors(ctx, p) {
      return eventSelectors(ctx, resolveTrail(ctx, p.TrailName, 'trailName'));
    },
  },
  describe(action, p) {
    if (action === 'DescribeTrails') return { trailNameList: p.trailNameList, includeShadowTrails: p.includeShadowTrails };
    if (action === 'GetTrailStatus') return { trail: p.Name };
    if (action === 'GetEventSelectors') return { trail: p.TrailName };
    return {};
  },
};
