/**
 * S3 GetObject, PutObject and DeleteObject (REST-XML) as signed HTTP requests: the `S3Objects`
 * the Lambda uses (s3-objects.ts says why not `@aws-sdk/client-s3`). Built, like
 * security-hub.ts, from the SDK's own parts:
 *
 * - the endpoint: `bucketTarget` (the SDK's S3 rules for these calls: virtual-hosted or path
 *   style, partitions, FIPS/dual-stack, `AWS_ENDPOINT_URL(_S3)`);
 * - signing: the SDK's SigV4 signer as the S3 client configures it: the path signed as sent (no
 *   second encoding: keys are encoded once, per segment), and the SHA-256 of the body signed and
 *   sent as `x-amz-content-sha256` (S3 requires the header, and checks the body against it);
 * - transport: the run's shared `NodeHttpHandler` (its pool and timeouts);
 * - retries: the run's strategy for S3 in the bucket's region (`retry.ts`): throttling (`503
 *   SlowDown`, 429) and transient errors (500, 502, 503, 504, resets, timeouts) retried, the
 *   rest thrown at once, classified as the SDK classifies them;
 * - clock skew: each answer's `Date` corrects the signing time, and a skew error is retried once;
 * - errors: S3's XML error body → an `AwsServiceError` named by its `Code` (`NotFound` for a 404
 *   without one, else `UnknownError`), with the status, request id and `Retry-After`. Bodies are
 *   read only up to a bound (error bodies 64 KB; objects `maxObjectBytes`), whatever S3 or a proxy sends.
 */
import { Sha256Node } from '@smithy/core/checksum';
import { isClockSkewError } from '@smithy/core/retry';
import { HttpRequest } from '@smithy/core/transport';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, RetryStrategyV2 } from '@smithy/types';
import { MalformedResponseError } from './errors';
import { bucketTarget, type BucketTarget, checkKey, conditionEtag, encodeKey, ETAG, type PutOptions, type S3Object, type S3Objects } from './s3-objects';
import { lowerCase, retrying } from './signed-http';
import { AwsServiceError, retryAfterOf, sampleClock, USER_AGENT } from './wire';

/** Largest object read (a report of 10,000 accounts is about 10 MB). */
export const MAX_OBJECT_BYTES = 64 * 1024 * 1024;
/** How far the clock offset must move for a skew error to count as corrected (the SDK's threshold). */
const CLOCK_SKEW_CORRECTION_MS = 240_000;
/** Largest error body read: S3's are under 1 KB; the rest of a bigger one is not read. */
export const MAX_ERROR_BYTES = 64 * 1024;

export interface S3WireOptions {
  /** The bucket's region. */
  region: string;
  /** Explicit endpoint (tests, the clients' `endpoint` option); otherwise as `bucketTarget` resolves it. */
  endpoint?: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  retryStrategy: RetryStrategyV2;
  maxObjectBytes?: number;
  env?: NodeJS.ProcessEnv;
}

type Operation = 'GetObject' | 'PutObject' | 'DeleteObject';

interface Call {
  operation: Operation;
  method: 'GET' | 'PUT' | 'DELETE';
  bucket: string;
  key: string;
  headers?: Record<string, string>;
  body?: string;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * SigV4 as the SDK's S3 client signs: the path as sent (`uriEscapePath: false`: S3 does not
 * encode it a second time), and the body's SHA-256 computed, signed and sent as
 * `x-amz-content-sha256` (`applyChecksum`).
 */
export function s3Signer(credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider, region: string): SignatureV4 {
  return new SignatureV4({ credentials, region, service: 's3', sha256: Sha256Node, uriEscapePath: false, applyChecksum: true });
}

export class S3Wire implements S3Objects {
  private readonly signer: SignatureV4;
  private readonly targets = new Map<string, BucketTarget>();
  /** S3's clock minus ours, from each answer's `Date` (as the SDK corrects its clock). */
  private clockOffset = 0;

  constructor(
    private readonly handler: NodeHttpHandler,
    private readonly options: S3WireOptions,
  ) {
    this.signer = s3Signer(options.credentials, options.region);
  }

  async get(bucket: string, key: string): Promise<S3Object> {
    const a = await this.call({ operation: 'GetObject', method: 'GET', bucket, key });
    const etag = a.headers.etag;
    if (!etag || !ETAG.test(etag)) throw new MalformedResponseError(`GetObject s3://${bucket}/${key} returned ${etag ? 'an invalid' : 'no'} ETag`);
    const modified = a.headers['last-modified'] ? new Date(a.headers['last-modified']) : undefined;
    return { body: a.body, etag, lastModified: modified && !Number.isNaN(modified.getTime()) ? modified : undefined, contentType: a.headers['content-type'] };
  }

  async put(bucket: string, key: string, body: string, options: PutOptions): Promise<{ etag?: string }> {
    const headers: Record<string, string> = { 'content-type': options.contentType };
    if (options.ifNoneMatch !== undefined) {
      if (options.ifNoneMatch !== '*') throw new RangeError('PutObject If-None-Match takes only *');
      headers['if-none-match'] = '*';
    }
    if (options.ifMatch !== undefined) headers['if-match'] = conditionEtag(options.ifMatch);
    const a = await this.call({ operation: 'PutObject', method: 'PUT', bucket, key, headers, body });
    const etag = a.headers.etag;
    if (etag !== undefined && !ETAG.test(etag)) throw new MalformedResponseError(`PutObject s3://${bucket}/${key} returned an invalid ETag`);
    return { etag };
  }

  async delete(bucket: string, key: string, options: { ifMatch?: string } = {}): Promise<void> {
    const headers: Record<string, string> = options.ifMatch !== undefined ? { 'if-match': conditionEtag(options.ifMatch) } : {};
    await this.call({ operation: 'DeleteObject', method: 'DELETE', bucket, key, headers });
  }

  /** Nothing to close: the connection pool is the run's (AwsClients.close). */
  destroy(): void {}

  private target(bucket: string): BucketTarget {
    let t = this.targets.get(bucket);
    if (!t) {
      t = bucketTarget(bucket, { region: this.options.region, endpoint: this.options.endpoint, env: this.options.env });
      this.targets.set(bucket, t);
    }
    return t;
  }

  request(c: Call): HttpRequest {
    const u = this.target(c.bucket).url;
    const body = c.body ?? '';
    return new HttpRequest({
      protocol: u.protocol,
      hostname: u.hostname,
      port: u.port ? Number(u.port) : undefined,
      method: c.method,
      path: `${u.pathname}${encodeKey(checkKey(c.key))}`,
      headers: { ...c.headers, host: u.host, 'user-agent': USER_AGENT, ...(c.method === 'PUT' ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
      ...(c.method === 'PUT' ? { body } : {}),
    });
  }

  /** One request, signed and retried by the run's strategy; the 2xx answer, or the last error thrown. */
  private call(c: Call): Promise<Answer> {
    const request = this.request(c);
    return retrying(this.options.retryStrategy, 's3', async () => {
      const { answer, offsetUsed } = await this.attempt(request, c);
      if (answer.status >= 200 && answer.status < 300) return answer;
      const e = s3Error(answer, c.operation);
      // As the SDK marks it: signed minutes off S3's clock, and now corrected.
      if (isClockSkewError(e as never) && Math.abs(this.clockOffset - offsetUsed) >= CLOCK_SKEW_CORRECTION_MS) e.$metadata.clockSkewCorrected = true;
      throw e;
    });
  }

  /** Signs (at the corrected time) and sends one attempt; reads the answer within its bound. */
  private async attempt(request: HttpRequest, c: Call): Promise<{ answer: Answer; offsetUsed: number }> {
    const offsetUsed = this.clockOffset;
    const sentAt = Date.now();
    const signed = await this.signer.sign(request, { signingDate: new Date(sentAt + offsetUsed) });
    const { response } = await this.handler.handle(signed as HttpRequest);
    const headers = lowerCase(response.headers);
    this.clockOffset = sampleClock(headers, this.clockOffset, sentAt);
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    const limit = ok ? (this.options.maxObjectBytes ?? MAX_OBJECT_BYTES) : MAX_ERROR_BYTES;
    const read = await readBounded(response.body, limit, headers['content-length']);
    if (ok && read.truncated) throw new MalformedResponseError(`${c.operation} s3://${c.bucket}/${c.key} is larger than ${limit} bytes; not read`);
    return { answer: { status: response.statusCode, headers, body: read.text }, offsetUsed };
  }
}

/** The text of the first `<tag>…</tag>` (found with indexOf: linear on any body), XML entities decoded. */
export function tagText(xml: string, tag: string): string | undefined {
  const open = xml.indexOf(`<${tag}>`);
  if (open < 0) return undefined;
  const start = open + tag.length + 2;
  const end = xml.indexOf(`</${tag}>`, start);
  if (end < 0) return undefined;
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return xml
    .slice(start, end)
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => entities[e])
    .trim();
}

/** An S3 error answer → the error the SDK would throw: named by S3's `Code`, with the status. */
export function s3Error(a: Answer, operation: string): AwsServiceError {
  const raw = tagText(a.body, 'Code');
  const code = raw && /^[A-Za-z][A-Za-z0-9.]{0,99}$/.test(raw) ? raw : a.status === 404 ? 'NotFound' : 'UnknownError';
  const message = (tagText(a.body, 'Message') ?? '').replace(/\s+/g, ' ').slice(0, 500);
  const requestId = tagText(a.body, 'RequestId') ?? a.headers['x-amz-request-id'];
  const id = requestId && /^[A-Za-z0-9+/=_-]{1,200}$/.test(requestId) ? requestId : undefined;
  return new AwsServiceError(code, message || `${operation}: HTTP ${a.status}`, a.status, id, retryAfterOf(a.headers));
}

/** The body as UTF-8, at most `limit` bytes of it: past that the stream is let go (destroyed), `truncated`. */
export async function readBounded(body: unknown, limit: number, contentLength?: string): Promise<{ text: string; truncated: boolean }> {
  const stream = body as (AsyncIterable<Buffer | string> & { destroy?: () => void }) | string | undefined | null;
  if (stream === undefined || stream === null) return { text: '', truncated: false };
  if (typeof stream === 'string') return Buffer.byteLength(stream) > limit ? { text: '', truncated: true } : { text: stream, truncated: false };
  if (contentLength !== undefined && Number(contentLength) > limit) {
    stream.destroy?.();
    return { text: '', truncated: true };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (size + b.length > limit) {
      chunks.push(b.subarray(0, limit - size));
      stream.destroy?.();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(b);
    size += b.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}
