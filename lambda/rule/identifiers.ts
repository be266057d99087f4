/**
 * What AWS identifiers look like, from AWS's documentation. Everything a response says is checked
 * against these before it is believed, printed or put in a command (RULE.md, "Facts that cannot
 * be right"): a value that does not fit could not have come from AWS.
 */

export const ACCOUNT_ID = /^\d{12}$/;

/** `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, `aws-eusc`, … */
export const PARTITION = /^aws(-[a-z]{1,10}){0,2}$/;

/** `us-east-1`, `us-gov-west-1`, `cn-northwest-1`, `us-isob-east-1`, `eusc-de-east-1`. */
export const REGION = /^[a-z]{2,4}(-[a-z]{2,10}){1,2}-[1-9]\d?$/;

/**
 * CloudTrail trail names (CreateTrail `Name`): 3 to 128 ASCII letters, digits, `.`, `_` and `-`,
 * starting with a letter or digit.
 */
export const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/;

/** S3 bucket names, including the legacy us-east-1 forms (upper case, `_`, up to 255 characters). */
export const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/;

export interface TrailArn {
  partition: string;
  region: string;
  accountId: string;
  name: string;
}

/** `arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail` → its parts; undefined when it is not one. */
export function parseTrailArn(arn: unknown): TrailArn | undefined {
  if (typeof arn !== 'string') return undefined;
  const m = /^arn:([^:]+):cloudtrail:([^:]+):([^:]+):trail\/(.+)$/s.exec(arn);
  if (!m) return undefined;
  const [, partition, region, accountId, name] = m;
  if (!PARTITION.test(partition) || !REGION.test(region) || !ACCOUNT_ID.test(accountId) || !TRAIL_NAME.test(name)) return undefined;
  return { partition, region, accountId, name };
}
