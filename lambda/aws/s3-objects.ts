/**
 * What the code needs of S3: read, write and delete one object (the report archive, the
 * latest-report pointer, the run lock), with S3's conditional headers. Two implementations:
 *
 * - `S3Wire` (s3-wire.ts): signed HTTP requests over the run's shared connection pool, the one the
 *   Lambda uses (not `@aws-sdk/client-s3`: the client and its middleware came to ~130 KB of a
 *   600 KB bundle for three calls);
 * - `SdkS3Objects` (s3-sdk.ts): the same calls through an SDK `S3Client`, for tests that mock the
 *   SDK client and for tools that already hold one.
 *
 * Both keep S3's contract, which the callers rely on: a failed call throws an error whose `name`
 * is S3's error code (`NoSuchKey`, `AccessDenied`, `PreconditionFailed` (412),
 * `ConditionalRequestConflict` (409), …) and whose `$metadata.httpStatusCode` is the status, as
 * the SDK shapes service exceptions; ETags are passed as S3 sends them (quoted).
 */
import { partition } from '@aws-sdk/core/client';
import { BUCKET_NAME, REGION } from '../rule/identifiers';

export interface S3Object {
  /** The body, decoded as UTF-8. */
  body: string;
  etag: string;
  lastModified?: Date;
  contentType?: string;
}

export interface PutOptions {
  contentType: string;
  /** `*`: only if no object has the key. */
  ifNoneMatch?: '*';
  /** Only if the object's ETag is this one. */
  ifMatch?: string;
}

export interface S3Objects {
  get(bucket: string, key: string): Promise<S3Object>;
  /** The new object's ETag (undefined only if S3 sent none). */
  put(bucket: string, key: string, body: string, options: PutOptions): Promise<{ etag?: string }>;
  delete(bucket: string, key: string, options?: { ifMatch?: string }): Promise<void>;
}

/** An `S3Objects`, told from an SDK client (which has `send` and none of these). */
export function isS3Objects(value: unknown): value is S3Objects {
  const v = value as Partial<S3Objects> | null;
  return !!v && typeof v.get === 'function' && typeof v.put === 'function' && typeof v.delete === 'function';
}

/**
 * What ReportArchive and RunLock are given, as lambda/run/scheduled-run.ts types it today (the SDK
 * client's `send`); the value must be an `S3Objects` (handler.ts builds one with
 * `AwsClients.s3`). Once scheduled-run.ts names `S3Objects`, this is just `S3Objects`.
 */
export type BucketClient = S3Objects | { send: (...args: never[]) => unknown };

/** `client` as `S3Objects`, or a TypeError that says what to pass instead. */
export function objectsOf(client: BucketClient): S3Objects {
  if (isS3Objects(client)) return client;
  throw new TypeError('expected S3Objects (lambda/aws/s3-objects.ts): AwsClients.s3(region), or new SdkS3Objects(client) around an SDK S3Client');
}

/** An entity tag as HTTP defines it (`"…"`, optionally weak), of the length S3's are. */
export const ETAG = /^(W\/)?"[\x21\x23-\x7e]{0,1024}"$/;

/** An ETag for If-Match, checked: never empty (an empty condition would be none: an unconditional write). */
export function conditionEtag(etag: string): string {
  if (!ETAG.test(etag)) throw new RangeError(`If-Match needs the object's ETag ("…"), got ${JSON.stringify(etag.slice(0, 100))}`);
  return etag;
}

/** The bucket name, or a RangeError naming it (checked before it becomes part of a host name or a path). */
export function checkBucket(bucket: string): string {
  if (!BUCKET_NAME.test(bucket)) throw new RangeError(`${JSON.stringify(bucket)} is not an S3 bucket name`);
  return bucket;
}

/** An object key: 1 to 1,024 bytes of UTF-8, as S3 allows. */
export function checkKey(key: string): string {
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes < 1 || bytes > 1024 || /[\uD800-\uDFFF]/.test(key.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) throw new RangeError(`${JSON.stringify(key.slice(0, 100))} is not an S3 object key (1 to 1,024 bytes of UTF-8)`);
  return key;
}

/** RFC 3986 percent-encoding (unreserved: `A–Z a–z 0–9 - . _ ~`), as SigV4 and the SDK encode S3 paths. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The key as it goes into the path: each segment encoded once, `/` kept (S3 signs the path as sent: no second encoding). */
export function encodeKey(key: string): string {
  return key.split('/').map(uriEncode).join('/');
}

export interface S3EndpointOptions {
  region: string;
  /** An explicit endpoint (tests, the clients' `endpoint` option): as `AWS_ENDPOINT_URL_S3`. */
  endpoint?: string;
  env?: NodeJS.ProcessEnv;
}

/** Where a bucket's requests go: the URL its keys are appended to (ending in `/`). */
export interface BucketTarget {
  url: URL;
  signingRegion: string;
}

const truthy = (v: string | undefined) => v?.trim().toLowerCase() === 'true';

/**
 * The bucket's URL, as the SDK's S3 endpoint rules resolve it for GetObject/PutObject/DeleteObject
 * (test/adapters/s3-wire.test.ts compares them): the configured endpoint (`AWS_ENDPOINT_URL_S3`,
 * then `AWS_ENDPOINT_URL`, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`) with the bucket as a
 * host label when it can be one and the endpoint is not an IP address, else in the path; without
 * one, `https://<bucket>.s3.<region>.<partition's DNS suffix>` (`amazonaws.com`,
 * `amazonaws.com.cn`, …), with `s3-fips` and `s3.dualstack` as `AWS_USE_FIPS_ENDPOINT` and
 * `AWS_USE_DUALSTACK_ENDPOINT` ask, and the bucket in the path when it has dots or capitals.
 */
export function bucketTarget(bucket: string, o: S3EndpointOptions): BucketTarget {
  checkBucket(bucket);
  const env = o.env ?? process.env;
  if (!REGION.test(o.region)) throw new RangeError(`${JSON.stringify(o.region)} is not an AWS region`);
  const configured = o.endpoint ?? (truthy(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) ? undefined : env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  if (configured) return { url: customTarget(bucket, new URL(configured)), signingRegion: o.region };
  const p = partition(o.region);
  const fips = truthy(env.AWS_USE_FIPS_ENDPOINT);
  const dual = truthy(env.AWS_USE_DUALSTACK_ENDPOINT);
  // S3's dual-stack names keep the partition's own suffix (`s3.dualstack.<region>.amazonaws.com`).
  const host = `${fips ? 's3-fips' : 's3'}${dual ? '.dualstack' : ''}.${o.region}.${p.dnsSuffix}`;
  return { url: new URL(virtualHostable(bucket, false) ? `https://${bucket}.${host}/` : `https://${host}/${uriEncode(bucket)}/`), signingRegion: o.region };
}

function customTarget(bucket: string, endpoint: URL): URL {
  if (endpoint.search || endpoint.hash) throw new RangeError(`the S3 endpoint ${endpoint.origin} must not have a query or fragment`);
  const base = endpoint.pathname.endsWith('/') ? endpoint.pathname : `${endpoint.pathname}/`;
  const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(endpoint.hostname) || endpoint.hostname.startsWith('[');
  const hostable = virtualHostable(bucket, endpoint.protocol === 'http:');
  if (hostable && !isIp) return new URL(`${endpoint.protocol}//${bucket}.${endpoint.host}${base}`);
  return new URL(`${endpoint.protocol}//${endpoint.host}${base}${uriEncode(bucket)}/`);
}

/**
 * A bucket that can be a host label, as the SDK's `aws.isVirtualHostableS3Bucket` decides: a
 * valid host label of 3–63 characters, lower case, not an IP address; with `allowDots` (a plain
 * HTTP endpoint: no certificate to match), each dot-separated label so.
 */
export function virtualHostable(bucket: string, allowDots: boolean): boolean {
  if (allowDots) return bucket.split('.').every((label) => virtualHostable(label, false));
  return /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket) && !/^\d{1,3}(\.\d{1,3}){3}$/.test(bucket);
}
