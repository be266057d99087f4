/**
 * Reason and warning codes: stable identifiers that reports and alerts carry. Renaming one is a
 * breaking change for anyone filtering on it.
 */

/** Why an account FAILS, from least to most specific (the order decides which trail came closest). */
export const FAIL_CODES = [
  'NO_TRAILS',
  'NO_MULTI_REGION_TRAIL',
  'NOT_LOGGING',
  'NO_MANAGEMENT_EVENTS',
  'MANAGEMENT_EVENTS_FILTERED',
  'MANAGEMENT_EVENTS_READ_ONLY',
  'MANAGEMENT_EVENTS_WRITE_ONLY',
  'MANAGEMENT_EVENTS_SPLIT',
  // Warnings that strict mode turns into failures.
  'EXCLUDED_EVENT_SOURCES',
  'DELIVERY_ERROR',
] as const;
export type FailCode = (typeof FAIL_CODES)[number];

/** Why an account is ERROR: the verdict cannot be known. */
export const ERROR_CODES = [
  /** STS AssumeRole into the audit role failed. */
  'ASSUME_ROLE_FAILED',
  /** A CloudTrail call was denied. */
  'ACCESS_DENIED',
  /** A call kept failing after retries (throttling, 5xx, network). */
  'API_ERROR',
  /** A response was missing required fields or had the wrong types. */
  'MALFORMED_RESPONSE',
  /** An organization trail could be checked neither from its owner nor from the member. */
  'ORG_TRAIL_UNVERIFIABLE',
  /** A trail's status or selectors could not be read, and no other trail qualifies. */
  'TRAIL_UNVERIFIED',
  /** The run's deadline came before the account finished. */
  'TIMEOUT',
  /** Anything else that went wrong in trailcheck itself. */
  'INTERNAL_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const SKIP_CODES = ['NOT_ACTIVE', 'EXCLUDED'] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

/** Warnings: a PASS stays PASS (unless strict mode turns the first two into failures). */
export const WARNING_CODES = [
  'EXCLUDED_EVENT_SOURCES',
  'DELIVERY_ERROR',
  /** A multi-region trail reported IncludeGlobalServiceEvents false, which the API forbids. */
  'GLOBAL_SERVICE_EVENTS_OFF',
  /** The account passes through another trail, but this one could not be checked. */
  'TRAIL_UNVERIFIED',
  /** Organizations reported no `State` for the account; it was evaluated anyway. */
  'ACCOUNT_STATE_UNKNOWN',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

/** Codes that strict mode moves from warning to failure. */
export const STRICT_CODES: readonly FailCode[] = ['EXCLUDED_EVENT_SOURCES', 'DELIVERY_ERROR'];

export function failSpecificity(code: string): number {
  return FAIL_CODES.indexOf(code as FailCode);
}
