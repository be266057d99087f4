/**
 * Trail facts from CloudTrail: one DescribeTrails (shadow trails included) per account, then
 * GetTrailStatus + GetEventSelectors by ARN in each multi-region trail's home region.
 * Responses are checked field by field: a malformed one is an error, never a guess.
 */
import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import type { CloudTrailApi } from './clients';
import { dedupeByArn } from '../rule/evaluate';
import type { AdvancedSelector, ClassicSelector, SelectorConfig, TrailFacts, TrailStatus } from '../rule/types';
import { MalformedResponseError } from './errors';
import { BUCKET_NAME, parseTrailArn } from '../rule/identifiers';

/**
 * Every trail the account can see from `region`: its own (any home region) and organization trails.
 * `accountId` is the account the call was made as: a trail of another account is only believable
 * as an organization trail (nothing else is visible across accounts).
 */
export async function describeTrails(client: CloudTrailApi, accountId: string, abortSignal?: AbortSignal): Promise<TrailFacts[]> {
  const out = await client.send(new DescribeTrailsCommand({ includeShadowTrails: true }), { abortSignal });
  if (!Array.isArray(out.trailList)) throw new MalformedResponseError('DescribeTrails returned no trailList');
  const trails = out.trailList.map((t, i) => toTrailFacts(t as Record<string, unknown>, `DescribeTrails trailList[${i}]`, accountId));
  checkShadowCopiesAgree(trails);
  return dedupeByArn(trails);
}

/** One DescribeTrails entry, every field the rule or a printed command uses checked against what AWS documents. */
export function toTrailFacts(t: Record<string, unknown>, where: string, accountId: string): TrailFacts {
  if (typeof t !== 'object' || t === null) throw new MalformedResponseError(`${where} is not an object`);
  const arn = t.TrailARN;
  const parsed = parseTrailArn(arn);
  if (!parsed) throw new MalformedResponseError(`${where} has no valid TrailARN (got ${quoted(arn ?? null)}): expected arn:<partition>:cloudtrail:<region>:<account>:trail/<trail name>`);
  const at = `${where} (${arn as string})`;
  if (typeof t.IsMultiRegionTrail !== 'boolean') throw new MalformedResponseError(`${at} has no boolean IsMultiRegionTrail`);
  if (t.Name !== undefined && t.Name !== parsed.name) {
    throw new MalformedResponseError(`${at}.Name ${quoted(t.Name)} is not the trail name in its TrailARN (${parsed.name}), or not a valid trail name`);
  }
  if (t.HomeRegion !== undefined && t.HomeRegion !== parsed.region) {
    throw new MalformedResponseError(`${at}.HomeRegion ${quoted(t.HomeRegion)} is not the region in its TrailARN (${parsed.region}), or not a region name`);
  }
  for (const field of ['IsOrganizationTrail', 'IncludeGlobalServiceEvents'] as const) {
    if (t[field] !== undefined && typeof t[field] !== 'boolean') throw new MalformedResponseError(`${at}.${field} is not a boolean (got ${quoted(t[field])})`);
  }
  if (t.S3BucketName !== undefined && (typeof t.S3BucketName !== 'string' || !BUCKET_NAME.test(t.S3BucketName))) {
    throw new MalformedResponseError(`${at}.S3BucketName is not an S3 bucket name (got ${quoted(t.S3BucketName)})`);
  }
  const isOrganizationTrail = t.IsOrganizationTrail === true;
  if (parsed.accountId !== accountId && !isOrganizationTrail) {
    throw new MalformedResponseError(
      `${at} belongs to account ${parsed.accountId} and is not an organization trail (IsOrganizationTrail ${quoted(t.IsOrganizationTrail ?? null)}); only organization trails are visible to other accounts`,
    );
  }
  return {
    arn: arn as string,
    name: parsed.name,
    homeRegion: parsed.region,
    ownerAccountId: parsed.accountId,
    isMultiRegionTrail: t.IsMultiRegionTrail,
    isOrganizationTrail,
    includeGlobalServiceEvents: typeof t.IncludeGlobalServiceEvents === 'boolean' ? t.IncludeGlobalServiceEvents : undefined,
    s3BucketName: typeof t.S3BucketName === 'string' ? t.S3BucketName : undefined,
  };
}

/** Shadow copies of a trail are the same trail: copies that disagree on what the rule reads cannot be right. */
function checkShadowCopiesAgree(trails: TrailFacts[]): void {
  const first = new Map<string, TrailFacts>();
  for (const t of trails) {
    const prior = first.get(t.arn);
    if (!prior) {
      first.set(t.arn, t);
      continue;
    }
    for (const field of ['isMultiRegionTrail', 'isOrganizationTrail', 'includeGlobalServiceEvents', 's3BucketName'] as const) {
      if (prior[field] !== t[field]) {
        throw new MalformedResponseError(`DescribeTrails lists ${t.arn} more than once with different ${field} (${quoted(prior[field] ?? null)} and ${quoted(t[field] ?? null)})`);
      }
    }
  }
}

/** A response value for a message: JSON (control characters escaped), at most 100 characters. */
function quoted(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 100 ? `${s.slice(0, 97)}...` : s;
}

/** Status and selectors of one trail, both by ARN, with a client of the trail's home region. */
export async function trailStatusAndSelectors(client: CloudTrailApi, arn: string, abortSignal?: AbortSignal): Promise<{ status: TrailStatus; selectors: SelectorConfig }> {
  const [status, selectors] = await Promise.all([getStatus(client, arn, abortSignal), getSelectors(client, arn, abortSignal)]);
  return { status, selectors };
}

/** Tags a failure with the call that failed, so the report can name it. */
export class TrailCallError extends Error {
  constructor(
    readonly call: string,
    readonly cause: unknown,
  ) {
    super(String((cause as Error)?.message ?? cause));
  }
}

async function getStatus(client: CloudTrailApi, arn: string, abortSignal?: AbortSignal): Promise<TrailStatus> {
  try {
    const out = await client.send(new GetTrailStatusCommand({ Name: arn }), { abortSignal });
    if (typeof out.IsLogging !== 'boolean') throw new MalformedResponseError(`GetTrailStatus for ${arn} has no boolean IsLogging`);
    const deliveryError = out.LatestDeliveryError as unknown;
    if (deliveryError !== undefined && typeof deliveryError !== 'string') throw new MalformedResponseError(`GetTrailStatus for ${arn}: LatestDeliveryError is not a string`);
    // Free text from the service: kept short (on code points) for the reason that quotes it.
    return { isLogging: out.IsLogging, ...(deliveryError ? { latestDeliveryError: Array.from(deliveryError).slice(0, 200).join('') } : {}) };
  } catch (err) {
    throw new TrailCallError('cloudtrail:GetTrailStatus', err);
  }
}

async function getSelectors(client: CloudTrailApi, arn: string, abortSignal?: AbortSignal): Promise<SelectorConfig> {
  try {
    const out = await client.send(new GetEventSelectorsCommand({ TrailName: arn }), { abortSignal });
    if (out.TrailARN !== undefined && out.TrailARN !== arn) throw new MalformedResponseError(`GetEventSelectors for ${arn} answered for another trail (TrailARN ${quoted(out.TrailARN)})`);
    return toSelectorConfig(arn, out.EventSelectors, out.AdvancedEventSelectors);
  } catch (err) {
    throw new TrailCallError('cloudtrail:GetEventSelectors', err);
  }
}

export function toSelectorConfig(arn: string, classic: unknown, advanced: unknown): SelectorConfig {
  const where = `GetEventSelectors for ${arn}`;
  if (classic !== undefined && !Array.isArray(classic)) throw new MalformedResponseError(`${where}: EventSelectors is not a list`);
  if (advanced !== undefined && !Array.isArray(advanced)) throw new MalformedResponseError(`${where}: AdvancedEventSelectors is not a list`);
  const hasClassic = Array.isArray(classic) && classic.length > 0;
  const hasAdvanced = Array.isArray(advanced) && advanced.length > 0;
  if (hasClassic && hasAdvanced) throw new MalformedResponseError(`${where} returned both EventSelectors and AdvancedEventSelectors, which CloudTrail never does`);
  if (hasAdvanced) {
    (advanced as unknown[]).forEach((s, i) => checkAdvancedSelector(s, `${where}: AdvancedEventSelectors[${i}]`));
    return { kind: 'advanced', selectors: advanced as AdvancedSelector[] };
  }
  if (classic === undefined && advanced === undefined) throw new MalformedResponseError(`${where} returned neither EventSelectors nor AdvancedEventSelectors`);
  ((classic ?? []) as unknown[]).forEach((s, i) => checkClassicSelector(s, `${where}: EventSelectors[${i}]`));
  return { kind: 'classic', selectors: (classic ?? []) as ClassicSelector[] };
}

const FIELD_OPERATORS = ['Equals', 'StartsWith', 'EndsWith', 'NotEquals', 'NotStartsWith', 'NotEndsWith'] as const;
const CLASSIC_KEYS = ['ReadWriteType', 'IncludeManagementEvents', 'ExcludeManagementEventSources', 'DataResources'];
const ADVANCED_KEYS = ['Name', 'FieldSelectors'];
const FIELD_KEYS = ['Field', ...FIELD_OPERATORS];

/**
 * Every key must be one CloudTrail documents (a look-alike or misspelled key would otherwise be
 * ignored, and the API defaults read in its place), and CloudTrail always reports ReadWriteType and
 * IncludeManagementEvents: a selector without them is not evidence of anything.
 */
function checkClassicSelector(s: unknown, where: string): void {
  const c = checkObject(s, where, CLASSIC_KEYS);
  if (typeof c.IncludeManagementEvents !== 'boolean') {
    throw new MalformedResponseError(`${where}.IncludeManagementEvents is not a boolean (got ${quoted(c.IncludeManagementEvents ?? null)})`);
  }
  if (typeof c.ReadWriteType !== 'string') throw new MalformedResponseError(`${where}.ReadWriteType is not a string (got ${quoted(c.ReadWriteType ?? null)})`);
  if (c.ExcludeManagementEventSources !== undefined && !isStringList(c.ExcludeManagementEventSources)) {
    throw new MalformedResponseError(`${where}.ExcludeManagementEventSources is not a list of strings`);
  }
  if (c.DataResources !== undefined && !Array.isArray(c.DataResources)) throw new MalformedResponseError(`${where}.DataResources is not a list`);
}

function checkAdvancedSelector(s: unknown, where: string): void {
  const a = checkObject(s, where, ADVANCED_KEYS);
  if (a.Name !== undefined && typeof a.Name !== 'string') throw new MalformedResponseError(`${where}.Name is not a string`);
  const fs = a.FieldSelectors;
  if (!Array.isArray(fs)) throw new MalformedResponseError(`${where} has no FieldSelectors list`);
  fs.forEach((f: unknown, j) => {
    const field = checkObject(f, `${where}.FieldSelectors[${j}]`, FIELD_KEYS);
    if (typeof field.Field !== 'string') throw new MalformedResponseError(`${where}.FieldSelectors[${j}] has no Field`);
    for (const op of FIELD_OPERATORS) {
      if (field[op] !== undefined && !isStringList(field[op])) throw new MalformedResponseError(`${where}.FieldSelectors[${j}].${op} is not a list of strings`);
    }
  });
}

/** A plain object holding only the documented keys. */
function checkObject(v: unknown, where: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new MalformedResponseError(`${where} is not an object`);
  const unknown = Object.keys(v).filter((k) => !keys.includes(k));
  if (unknown.length > 0) throw new MalformedResponseError(`${where} has keys CloudTrail does not document: ${unknown.map((k) => quoted(k)).join(', ')} (expected only ${keys.join(', ')})`);
  return v as Record<string, unknown>;
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}
