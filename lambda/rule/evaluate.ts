/**
 * The CIS rule "CloudTrail is enabled in all regions", as pure functions: trail facts in,
 * verdict out. This file is where every PASS, FAIL and ERROR comes from (see docs/rule.md).
 */
import { failSpecificity, STRICT_CODES, type ErrorCode, type SkipCode } from './codes';
import { remediationFor } from './remediation';
import { managementCoverage, type CoverageResult } from './selectors';
import type { AccountVerdict, CallError, Finding, RuleOptions, TrailFacts, TrailStatus, TrailVerdict } from './types';

/** The trail's identity, as every verdict on it repeats it. */
type VerdictBase = Pick<TrailVerdict, 'arn' | 'name' | 'homeRegion' | 'ownerAccountId' | 'isMultiRegionTrail' | 'isOrganizationTrail'>;

/** What every finding on one trail names: the trail, in messages and as `trailArn`. */
interface FindingContext {
  label: string;
  at: { trailArn: string };
}

/** Evaluate one trail against the three conditions, which must all hold on the same trail. */
export function evaluateTrail(trail: TrailFacts, options: RuleOptions): TrailVerdict {
  const base = verdictBase(trail);
  const ctx: FindingContext = { label: trailLabel(trail), at: { trailArn: trail.arn } };

  if (!trail.isMultiRegionTrail) {
    return { ...base, result: 'FAILS', failures: [singleRegionFailure(trail, ctx)], warnings: [] };
  }
  if (!trail.details) return { ...base, result: 'UNKNOWN', error: notGatheredError(trail), failures: [], warnings: [] };
  if (!trail.details.ok) return { ...base, result: 'UNKNOWN', error: trail.details.error, failures: [], warnings: [] };

  const { status, selectors, source } = trail.details;
  const coverage = managementCoverage(selectors);
  const { failures, warnings } = applyStrict(
    [...loggingFailures(status, ctx), ...coverageFailures(coverage, ctx)],
    trailWarnings(trail, status, coverage, ctx),
    options,
  );
  return {
    ...base,
    isLogging: status.isLogging,
    managementEvents: coverage.coverage,
    detailsSource: source,
    result: failures.length === 0 ? 'QUALIFIES' : 'FAILS',
    failures,
    warnings,
  };
}

/** The trail's identity, copied from its facts into each of its verdicts. */
function verdictBase(trail: TrailFacts): VerdictBase {
  return {
    arn: trail.arn,
    name: trail.name,
    homeRegion: trail.homeRegion,
    ownerAccountId: trail.ownerAccountId,
    isMultiRegionTrail: trail.isMultiRegionTrail,
    isOrganizationTrail: trail.isOrganizationTrail,
  };
}

/** A single-region trail fails outright: its details are never gathered (it cannot qualify). */
function singleRegionFailure(trail: TrailFacts, { label, at }: FindingContext): Finding {
  return { code: 'NO_MULTI_REGION_TRAIL', message: `${label} is single-region (${trail.homeRegion}) and does not record the other regions.`, ...at };
}

/** The evidence for a multi-region trail whose status and selectors never arrived. */
function notGatheredError(trail: TrailFacts): CallError {
  return { call: 'cloudtrail:GetTrailStatus', code: 'NotGathered', message: 'status and selectors were not gathered', region: trail.homeRegion };
}

/** Condition one: the trail is logging. */
function loggingFailures(status: TrailStatus, { label, at }: FindingContext): Finding[] {
  return status.isLogging ? [] : [{ code: 'NOT_LOGGING', message: `${label} is not logging (IsLogging false).`, ...at }];
}

/** Conditions two and three: one selector records every management event, read and write. */
function coverageFailures(coverage: CoverageResult, { label, at }: FindingContext): Finding[] {
  switch (coverage.coverage) {
    case 'NONE':
      return [{ code: 'NO_MANAGEMENT_EVENTS', message: `${label} records no management events.`, ...at }];
    case 'READ_ONLY':
      return [{ code: 'MANAGEMENT_EVENTS_READ_ONLY', message: `${label} records read-only management events; write events are not recorded.`, ...at }];
    case 'WRITE_ONLY':
      return [{ code: 'MANAGEMENT_EVENTS_WRITE_ONLY', message: `${label} records write-only management events; read events are not recorded.`, ...at }];
    case 'SPLIT':
      return [
        {
          code: 'MANAGEMENT_EVENTS_SPLIT',
          message: `${label} splits management events across selectors (one read-only, one write-only); CIS requires one selector recording both.`,
          ...at,
        },
      ];
    case 'FILTERED':
      return [{ code: 'MANAGEMENT_EVENTS_FILTERED', message: filteredMessage(coverage, label), ...at }];
  }
  return []; // ALL
}

/** FILTERED: a readOnly filter has its own wording; any other narrowing names what it leaves out. */
function filteredMessage(coverage: CoverageResult, label: string): string {
  return coverage.filterOnReadOnly
    ? `${label} filters management events on readOnly (${coverage.filterDetail}); CIS requires no readOnly filter.`
    : `${label} records only part of its management events: its management selector is narrowed by ${coverage.filterDetail}. Only eventCategory Equals ["Management"], with at most the exclusion of kms.amazonaws.com and rdsdata.amazonaws.com, records them all.`;
}

/** What is worth knowing about a trail but does not stop it qualifying (outside strict mode). */
function trailWarnings(trail: TrailFacts, status: TrailStatus, coverage: CoverageResult, { label, at }: FindingContext): Finding[] {
  const warnings: Finding[] = [];
  if (coverage.coverage === 'ALL' && coverage.excludedSources.length > 0) {
    warnings.push({
      code: 'EXCLUDED_EVENT_SOURCES',
      message: `${label} leaves management events of ${coverage.excludedSources.join(', ')} unrecorded.`,
      ...at,
    });
  }
  if (status.latestDeliveryError) {
    warnings.push({ code: 'DELIVERY_ERROR', message: `${label} cannot deliver logs to its bucket: ${status.latestDeliveryError}.`, ...at });
  }
  if (trail.includeGlobalServiceEvents === false) {
    warnings.push({
      code: 'GLOBAL_SERVICE_EVENTS_OFF',
      message: `${label} reports IncludeGlobalServiceEvents false, which CloudTrail does not allow for a multi-region trail; the response looks malformed.`,
      ...at,
    });
  }
  return warnings;
}

/** Strict mode: the STRICT_CODES warnings become failures (after the trail's own), and leave the warnings. */
function applyStrict(failures: Finding[], warnings: Finding[], options: RuleOptions): { failures: Finding[]; warnings: Finding[] } {
  if (!options.strict) return { failures, warnings };
  const isStrict = (w: Finding) => STRICT_CODES.includes(w.code as never);
  return {
    failures: [...failures, ...warnings.filter(isStrict).map((w) => ({ ...w, message: `${w.message} (fails in strict mode)` }))],
    warnings: warnings.filter((w) => !isStrict(w)),
  };
}

/**
 * The account's verdict from every trail it sees (deduplicated by ARN):
 * PASS when one trail qualifies; otherwise ERROR when a trail that might qualify could not be
 * checked; otherwise FAIL with the shortfalls of the trail that came closest.
 */
export function evaluateAccount(trails: TrailFacts[], options: RuleOptions): AccountVerdict {
  const verdicts = dedupeByArn(trails).map((t) => evaluateTrail(t, options));

  if (verdicts.length === 0) {
    const reasons = [{ code: 'NO_TRAILS', message: 'The account has no CloudTrail trail.' }];
    return { status: 'FAIL', reasons, warnings: [], trails: [], remediation: remediationFor(reasons, [], []) };
  }

  const qualifying = verdicts.filter((v) => v.result === 'QUALIFIES');
  const unknown = verdicts.filter((v) => v.result === 'UNKNOWN');
  if (qualifying.length > 0) {
    // Prefer a trail with no warnings, then an organization trail (one fix point for everyone).
    const best = [...qualifying].sort((a, b) => a.warnings.length - b.warnings.length || Number(b.isOrganizationTrail) - Number(a.isOrganizationTrail))[0];
    const warnings = [
      ...best.warnings,
      ...unknown.map((v) => {
        const r = unknownReason(v);
        return { ...r, code: 'TRAIL_UNVERIFIED', message: `${r.message} The account passes through ${trailLabel(best)}.` };
      }),
    ];
    return { status: 'PASS', reasons: [], warnings, qualifyingTrailArn: best.arn, trails: verdicts, remediation: [] };
  }

  if (unknown.length > 0) {
    const reasons = unknown.map(unknownReason);
    return { status: 'ERROR', reasons, warnings: [], trails: verdicts, remediation: remediationFor(reasons, trails, verdicts) };
  }

  const closest = [...verdicts].sort(closeness)[0];
  const multiRegion = verdicts.filter((v) => v.isMultiRegionTrail);
  const reasons = multiRegion.length === 0 ? [noMultiRegionReason(verdicts)] : closest.failures;
  return {
    status: 'FAIL',
    reasons,
    warnings: closest.warnings,
    closestTrailArn: closest.arn,
    trails: verdicts,
    remediation: remediationFor(reasons, trails, verdicts),
  };
}

/** An account not evaluated on purpose: not ACTIVE, or excluded by configuration. */
export function skippedVerdict(code: SkipCode, message: string): AccountVerdict {
  return { status: 'SKIPPED', reasons: [{ code, message }], warnings: [], trails: [], remediation: [] };
}

/** An account whose verdict cannot be known: the role, a call or the clock failed. */
export function errorVerdict(code: ErrorCode, message: string, remediation: string[] = []): AccountVerdict {
  return { status: 'ERROR', reasons: [{ code, message }], warnings: [], trails: [], remediation };
}

export function dedupeByArn(trails: TrailFacts[]): TrailFacts[] {
  const seen = new Map<string, TrailFacts>();
  for (const t of trails) {
    const prior = seen.get(t.arn);
    // Shadow copies carry the same facts; keep the copy that has details if only one does.
    if (!prior || (!prior.details && t.details)) seen.set(t.arn, t);
  }
  return [...seen.values()];
}

export function trailLabel(t: { name: string; arn: string; isOrganizationTrail: boolean; ownerAccountId: string }): string {
  return t.isOrganizationTrail ? `Organization trail ${t.arn}` : `Trail ${t.name}`;
}

/**
 * Closest first: multi-region before single-region, then fewer shortfalls, then the more
 * specific shortfalls (compared from the most specific down), then the account's own trail before
 * an organization trail, then the ARN, so the verdict never
 * depends on the order DescribeTrails lists trails in.
 */
function closeness(a: TrailVerdict, b: TrailVerdict): number {
  if (a.isMultiRegionTrail !== b.isMultiRegionTrail) return a.isMultiRegionTrail ? -1 : 1;
  if (a.failures.length !== b.failures.length) return a.failures.length - b.failures.length;
  const sa = specificities(a);
  const sb = specificities(b);
  for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sb[i] - sa[i];
  // Equally close: the account's own trail first (its fix is in the account's own hands).
  if (a.isOrganizationTrail !== b.isOrganizationTrail) return a.isOrganizationTrail ? 1 : -1;
  return a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0;
}

/** The trail's shortfalls as specificity ranks, most specific first. */
function specificities(v: TrailVerdict): number[] {
  return v.failures.map((f) => failSpecificity(f.code)).sort((x, y) => y - x);
}

function noMultiRegionReason(verdicts: TrailVerdict[]): Finding {
  const orgTrails = verdicts.filter((v) => v.isOrganizationTrail);
  const names = verdicts.map((v) => (v.isOrganizationTrail ? `${v.name} (organization trail, ${v.homeRegion})` : `${v.name} (${v.homeRegion})`));
  const message =
    orgTrails.length > 0
      ? `No multi-region trail: the organization trail is single-region; trails seen: ${names.join(', ')}.`
      : `No multi-region trail: ${verdicts.length} single-region trail(s) only: ${names.join(', ')}.`;
  return { code: 'NO_MULTI_REGION_TRAIL', message };
}

/** The ERROR reason for a trail that could not be checked. */
function unknownReason(v: TrailVerdict): Finding {
  const error = v.error;
  const detail = error ? `${error.call} in ${error.region ?? v.homeRegion} failed: ${error.code}: ${error.message}` : 'its status and selectors were not gathered';
  if (v.isOrganizationTrail) {
    return {
      code: 'ORG_TRAIL_UNVERIFIABLE',
      message: `Organization trail ${v.arn} could not be checked from its owner account ${v.ownerAccountId} nor from this account (${detail}).`,
      trailArn: v.arn,
    };
  }
  return { code: 'TRAIL_UNVERIFIED', message: `Trail ${v.name} could not be checked: ${detail}.`, trailArn: v.arn };
}
