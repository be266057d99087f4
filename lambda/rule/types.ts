/**
 * Data the rule reads (trail facts, as gathered from CloudTrail) and writes (verdicts).
 * Shapes mirror the CloudTrail API so the adapters map responses with no interpretation.
 */

export type AccountStatus = 'PASS' | 'FAIL' | 'ERROR' | 'SKIPPED';

/** A classic event selector, as `GetEventSelectors` returns it. */
export interface ClassicSelector {
  ReadWriteType?: string;
  IncludeManagementEvents?: boolean;
  ExcludeManagementEventSources?: string[];
  DataResources?: Array<{ Type?: string; Values?: string[] }>;
}

export interface FieldSelector {
  Field?: string;
  Equals?: string[];
  StartsWith?: string[];
  EndsWith?: string[];
  NotEquals?: string[];
  NotStartsWith?: string[];
  NotEndsWith?: string[];
}

/** An advanced event selector. `Name` is free text and never read by the rule. */
export interface AdvancedSelector {
  Name?: string;
  FieldSelectors?: FieldSelector[];
}

export type SelectorConfig =
  | { kind: 'classic'; selectors: ClassicSelector[] }
  | { kind: 'advanced'; selectors: AdvancedSelector[] };

export interface TrailStatus {
  isLogging: boolean;
  latestDeliveryError?: string;
}

/** A failed AWS call, kept as evidence: which call, where, and what AWS answered. */
export interface CallError {
  /** e.g. `cloudtrail:GetTrailStatus`. */
  call: string;
  /** AWS error code (`AccessDeniedException`), or a local one (`TimeoutError`, `MalformedResponse`). */
  code: string;
  message: string;
  accountId?: string;
  region?: string;
}

/** Where the status and selectors of a trail came from. */
export type DetailsSource =
  /** The account's own calls on its own trail. */
  | 'self'
  /** The organization trail's owner account, evaluated once per run and shared. */
  | 'owner'
  /** The member's own calls on an organization trail (owner not audited or its calls failed). */
  | 'member';

export type TrailDetails =
  | { ok: true; status: TrailStatus; selectors: SelectorConfig; source: DetailsSource }
  | { ok: false; error: CallError };

/** One trail as an account sees it (deduplicated by ARN). */
export interface TrailFacts {
  arn: string;
  name: string;
  homeRegion: string;
  ownerAccountId: string;
  isMultiRegionTrail: boolean;
  isOrganizationTrail: boolean;
  includeGlobalServiceEvents?: boolean;
  s3BucketName?: string;
  /** Status and selectors. Only gathered for multi-region trails (no single-region trail can qualify). */
  details?: TrailDetails;
}

export interface RuleOptions {
  /** Strict mode: excluded management event sources and delivery errors fail (Security Hub parity). */
  strict: boolean;
}

/** A reason or a warning: a stable code, one sentence for people, and the trail it concerns. */
export interface Finding {
  code: string;
  message: string;
  trailArn?: string;
}

export type ManagementCoverage = 'ALL' | 'SPLIT' | 'READ_ONLY' | 'WRITE_ONLY' | 'FILTERED' | 'NONE';

/** One trail's outcome: its identity (as in TrailFacts), what was found, and why it does or does not qualify. */
export interface TrailVerdict extends Pick<TrailFacts, 'arn' | 'name' | 'homeRegion' | 'ownerAccountId' | 'isMultiRegionTrail' | 'isOrganizationTrail'> {
  /** Absent when not gathered (single-region trail) or when the calls failed. */
  isLogging?: boolean;
  managementEvents?: ManagementCoverage;
  detailsSource?: DetailsSource;
  result: 'QUALIFIES' | 'FAILS' | 'UNKNOWN';
  /** UNKNOWN: the call that failed. */
  error?: CallError;
  failures: Finding[];
  warnings: Finding[];
}

export interface AccountVerdict {
  status: AccountStatus;
  /** Why the account is FAIL, ERROR or SKIPPED (empty for PASS). */
  reasons: Finding[];
  warnings: Finding[];
  /** PASS: the trail that satisfies the rule. */
  qualifyingTrailArn?: string;
  /** FAIL: the trail that came closest, whose shortfalls are the reasons. */
  closestTrailArn?: string;
  trails: TrailVerdict[];
  /** Commands and steps that fix a FAIL or ERROR, with real trail names filled in. */
  remediation: string[];
}
