/**
 * The audit's hot calls, sent without the SDK's per-call middleware stack.
 *
 * An audit spends almost all of its CPU on four calls: STS `AssumeRole`, then CloudTrail
 * `DescribeTrails`, `GetTrailStatus` and `GetEventSelectors`, once per account or trail. Through
 * an SDK client each costs about 1.8 ms of CPU here, of which about 1 ms is the client assembling
 * and running its middleware stack for that one request (`npm run bench` and docs/performance.md
 * have the figures). These four go through this module instead, built from the SDK's own parts:
 *
 * - the endpoint: resolved once per client by the SDK's rules (`getEndpointFromInstructions` on
 *   the SDK client's configuration: partitions, FIPS and dual-stack settings, `AWS_ENDPOINT_URL*`);
 * - signing: the SDK's SigV4 signer (`@smithy/signature-v4`), with the account's credentials;
 * - transport: the run's shared `NodeHttpHandler` (one keep-alive pool, its timeouts);
 * - retries: the SDK client's retry strategy (`retry.ts`, shared with that client: deadline-bound
 *   backoff with jitter, a retry budget per service and region, errors classified as the SDK
 *   classifies them), honouring `Retry-After`;
 * - clock skew: corrected as the SDK corrects it. Each response's `Date` header sets the SDK
 *   client's own `systemClockOffset` (so both paths share it), requests are signed at the
 *   corrected time, and a clock-skew error (`SignatureDoesNotMatch`, `InvalidSignatureException`,
 *   `RequestExpired`…) that moved the offset by minutes is retried once, signed anew: a laptop
 *   whose clock is off still audits;
 * - errors: shaped as the SDK shapes them (`name` = AWS's error code, `$fault`, `$metadata`), so
 *   reporting, retry classification and the tests see no difference.
 *
 * Requests and responses are the services' documented wire formats (CloudTrail: AWS JSON 1.1;
 * STS: the query protocol with an XML response); every other call goes through the SDK clients.
 * Each request carries the user agent `trailcheck/<version>`, so a member account can tell
 * trailcheck's reads in its CloudTrail event history.
 */
import { AssumeRoleCommand, type AssumeRoleCommandOutput, type STSClient } from '@aws-sdk/client-sts';
import {
  type CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import { Sha256Node } from '@smithy/core/checksum';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { isClockSkewError } from '@smithy/core/retry';
import { HttpRequest } from '@smithy/core/transport';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, EndpointV2, RetryStrategyV2 } from '@smithy/types';
import { lowerCase, readBody, retryErrorType } from './signed-http';
import { VERSION } from '../version';
import { MalformedResponseError } from './errors';

export const USER_AGENT = `trailcheck/${VERSION}`;

/** An AWS error response, shaped as the SDK shapes service exceptions. */
export class AwsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; requestId?: string; attempts?: number; totalRetryDelay?: number; clockSkewCorrected?: true };
  /** When the service asked the caller to come back (`Retry-After`), if it did. */
  readonly retryAfter?: Date;

  constructor(code: string, message: string, status: number, requestId: string | undefined, retryAfter: Date | undefined) {
    super(message);
    this.name = code;
    this.$fault = status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status, ...(requestId ? { requestId } : {}) };
    if (retryAfter) this.retryAfter = retryAfter;
  }
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface Target {
  url: URL;
  headers: Record<string, string>;
  signingRegion: string;
  signingService: string;
}

type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** One service in one region: where to send, how to sign, how to retry. */
class WireEndpoint {
  private target?: Promise<Target>;
  private retry?: Promise<RetryStrategyV2>;
  /** Signers per credentials (each account's are one object, memoized): SigV4 caches its key per signer. */
  private readonly signers = new WeakMap<object, SignatureV4>();
  private ownSigner?: SignatureV4;

  constructor(
    private readonly handler: NodeHttpHandler,
    private readonly sdkConfig: CloudTrailClient['config'] | STSClient['config'],
    private readonly instructions: Parameters<typeof getEndpointFromInstructions>[1],
    private readonly service: string,
    private readonly region: string,
  ) {}

  private resolveTarget(): Promise<Target> {
    this.target ??= (async () => {
      const endpoint: EndpointV2 = await getEndpointFromInstructions({}, this.instructions, this.sdkConfig as never);
      const scheme = (endpoint.properties?.authSchemes as Array<{ name?: string; signingName?: string; signingRegion?: string }> | undefined)?.find((s) => s.name === 'sigv4');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(endpoint.headers ?? {})) headers[k.toLowerCase()] = v.join(',');
      return { url: endpoint.url, headers, signingRegion: scheme?.signingRegion ?? this.region, signingService: scheme?.signingName ?? this.service };
    })();
    // A failed resolution is not cached: the next call tries again.
    this.target.catch(() => (this.target = undefined));
    return this.target;
  }

  private signer(target: Target, credentials: Credentials | undefined): SignatureV4 {
    const make = (c: Credentials) => new SignatureV4({ credentials: c, region: target.signingRegion, service: target.signingService, sha256: Sha256Node, uriEscapePath: true, applyChecksum: true });
    if (!credentials) return (this.ownSigner ??= make(this.sdkConfig.credentials as AwsCredentialIdentityProvider));
    let s = this.signers.get(credentials);
    if (!s) {
      s = make(credentials);
      this.signers.set(credentials, s);
    }
    return s;
  }

  /**
   * POSTs `body` signed with `credentials` (undefined: the run's own), retrying as the SDK client
   * would, and returns the 2xx response; an error response or a failed request is thrown.
   */
  async post(body: string, headers: Record<string, string>, credentials: Credentials | undefined, toError: (r: RawResponse) => AwsServiceError, abortSignal?: AbortSignal): Promise<RawResponse> {
    const target = await this.resolveTarget();
    this.retry ??= this.sdkConfig.retryStrategy() as Promise<RetryStrategyV2>;
    const strategy = await this.retry;
    const clock = this.sdkConfig as { systemClockOffset?: number };
    let token = await strategy.acquireInitialRetryToken('');
    let attempts = 0;
    let totalRetryDelay = 0;
    for (;;) {
      attempts += 1;
      let error: unknown;
      try {
        const request = new HttpRequest({
          protocol: target.url.protocol,
          hostname: target.url.hostname,
          port: target.url.port ? Number(target.url.port) : undefined,
          method: 'POST',
          path: target.url.pathname || '/',
          headers: { ...target.headers, ...headers, host: target.url.host, 'content-length': String(Buffer.byteLength(body)), 'user-agent': USER_AGENT },
          body,
        });
        const offsetUsed = clock.systemClockOffset ?? 0;
        const sentAt = Date.now();
        const signed = await this.signer(target, credentials).sign(request, { signingDate: new Date(sentAt + offsetUsed) });
        const { response } = await this.handler.handle(signed as HttpRequest, { abortSignal });
        const raw: RawResponse = { status: response.statusCode, headers: lowerCase(response.headers), body: await readBody(response.body) };
        const offset = sampleClock(raw.headers, clock.systemClockOffset ?? 0, sentAt);
        clock.systemClockOffset = offset;
        if (raw.status >= 200 && raw.status < 300) {
          strategy.recordSuccess(token);
          return raw;
        }
        const e = toError(raw);
        // As the SDK marks it: the request was signed minutes off the service's clock, and now is not.
        if (isClockSkewError(e as never) && Math.abs(offset - offsetUsed) >= CLOCK_SKEW_CORRECTION_MS) e.$metadata.clockSkewCorrected = true;
        error = e;
      } catch (err) {
        error = err;
      }
      const e = error as { name?: string; $metadata?: Record<string, unknown>; retryAfter?: Date };
      if (abortSignal?.aborted) throw error;
      try {
        // The strategy waits out the backoff itself before it answers: the deadline cuts that short.
        const info = { errorType: retryErrorType(error), error: error as never, ...(e?.retryAfter ? { retryAfterHint: e.retryAfter } : {}) };
        token = await untilAborted(strategy.refreshRetryTokenForRetry(token, info), abortSignal);
      } catch {
        if (e && typeof e === 'object') e.$metadata = { ...(e.$metadata ?? {}), attempts, totalRetryDelay };
        throw error;
      }
      const delay = token.getRetryDelay();
      totalRetryDelay += ((token as { $retryLog?: { acquisitionDelay?: number } }).$retryLog?.acquisitionDelay ?? 0) + delay;
      if (delay > 0) await untilAborted(new Promise((r) => setTimeout(r, delay)), abortSignal);
    }
  }
}

/** How far the offset must move for an error to count as fixed by correcting it (the SDK's threshold). */
const CLOCK_SKEW_CORRECTION_MS = 240_000;

/**
 * The clock offset a response implies, as the SDK's `getUpdatedSystemClockOffset` computes it: the
 * service's `Date` minus the local time on arrival; kept as it was when the header is missing or
 * unparseable, when a cache answered (`Age`), or when the round trip took over 15 minutes.
 */
export function sampleClock(headers: Record<string, string>, current: number, sentAt: number, now = Date.now()): number {
  if (!headers.date || headers.age !== undefined) return current;
  const serverTime = parseHttpDate(headers.date);
  if (Number.isNaN(serverTime) || now - sentAt > 900_000) return current;
  return serverTime - now;
}

// A Date header changes once a second while responses arrive by the dozen: parse each text once.
let lastDateText = '';
let lastDate = NaN;
function parseHttpDate(text: string): number {
  if (text !== lastDateText) {
    lastDateText = text;
    lastDate = Date.parse(text);
  }
  return lastDate;
}

/** `promise`, or a rejection as soon as `abortSignal` fires. */
function untilAborted<T>(promise: Promise<T>, abortSignal?: AbortSignal): Promise<T> {
  if (!abortSignal) return promise;
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
    if (abortSignal.aborted) onAbort();
    else abortSignal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => abortSignal.removeEventListener('abort', onAbort));
}

/** `Retry-After`: seconds, or an HTTP date. */
export function retryAfterOf(headers: Record<string, string>): Date | undefined {
  const v = headers['retry-after'];
  if (!v) return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds) && seconds >= 0) return new Date(Date.now() + seconds * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : new Date(at);
}

// ---- CloudTrail: AWS JSON 1.1 --------------------------------------------------------------

const CLOUDTRAIL_TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101';

const CLOUDTRAIL_OPERATIONS: ReadonlyArray<[new (...a: never[]) => object, string]> = [
  [DescribeTrailsCommand, 'DescribeTrails'],
  [GetTrailStatusCommand, 'GetTrailStatus'],
  [GetEventSelectorsCommand, 'GetEventSelectors'],
];

/** The operation name of a command this module sends itself, or undefined. */
export function cloudTrailOperation(command: unknown): string | undefined {
  for (const [ctor, name] of CLOUDTRAIL_OPERATIONS) if (command instanceof ctor) return name;
  return undefined;
}

/** An AWS JSON error response → the error the SDK would throw. */
export function jsonError(r: RawResponse): AwsServiceError {
  let data: Record<string, unknown> = {};
  try {
    const parsed = r.body ? JSON.parse(r.body) : {};
    if (parsed && typeof parsed === 'object') data = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's page, say): the status and header still tell what happened.
  }
  const raw = r.headers['x-amzn-errortype'] ?? data.__type ?? data.code ?? data.Code;
  const code = typeof raw === 'string' && raw ? sanitizeCode(raw) : 'UnknownError';
  const message = [data.message, data.Message, data.errorMessage].find((m) => typeof m === 'string' && m) as string | undefined;
  return new AwsServiceError(code, message ?? `HTTP ${r.status}`, r.status, r.headers['x-amzn-requestid'], retryAfterOf(r.headers));
}

/** `com.amazonaws.x#ThrottlingException` or `ThrottlingException:http://…` → `ThrottlingException`. */
function sanitizeCode(raw: string): string {
  const beforeColon = raw.split(':')[0];
  return beforeColon.slice(beforeColon.lastIndexOf('#') + 1).trim() || 'UnknownError';
}

/** CloudTrail in one region, acting as one account: the three read calls go over the wire here. */
export class CloudTrailWire {
  private readonly endpoint: WireEndpoint;

  constructor(handler: NodeHttpHandler, client: CloudTrailClient, region: string) {
    this.endpoint = new WireEndpoint(handler, client.config, DescribeTrailsCommand, 'cloudtrail', region);
  }

  /** Sends `command` as `credentials` (undefined: the run's own). */
  async send(command: { input: object }, credentials: AwsCredentialIdentity | undefined, abortSignal?: AbortSignal): Promise<unknown> {
    const operation = cloudTrailOperation(command);
    if (!operation) throw new Error('CloudTrailWire sends DescribeTrails, GetTrailStatus and GetEventSelectors only');
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${CLOUDTRAIL_TARGET}.${operation}` };
    const raw = await this.endpoint.post(JSON.stringify(command.input ?? {}), headers, credentials ?? undefined, jsonError, abortSignal);
    let output: unknown;
    try {
      output = raw.body ? JSON.parse(raw.body) : {};
    } catch {
      throw new MalformedResponseError(`${operation} returned a body that is not JSON (HTTP ${raw.status})`);
    }
    if (!output || typeof output !== 'object' || Array.isArray(output)) throw new MalformedResponseError(`${operation} returned ${JSON.stringify(output)}, not a JSON object`);
    return Object.assign(output, { $metadata: { httpStatusCode: raw.status, requestId: raw.headers['x-amzn-requestid'] } });
  }

}

// ---- STS AssumeRole: query protocol, XML response ------------------------------------------

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlText(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : XML_ENTITIES[e],
  );
}

/** The text of the first `<tag>` inside `xml`, or undefined. */
export function xmlValue(xml: string, tag: string): string | undefined {
  const m = xml.match(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`));
  return m ? xmlText(m[1]).trim() : undefined;
}

/** An STS (query protocol) error response → the error the SDK would throw. */
export function queryError(r: RawResponse): AwsServiceError {
  const code = xmlValue(r.body, 'Code') || 'UnknownError';
  const message = xmlValue(r.body, 'Message') || `HTTP ${r.status}`;
  return new AwsServiceError(code, message, r.status, xmlValue(r.body, 'RequestId') ?? r.headers['x-amzn-requestid'], retryAfterOf(r.headers));
}

function formEncode(params: Record<string, string | number | undefined>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`)
    .join('&');
}

/** STS `AssumeRole` in one region, signed with the run's own credentials. */
export class AssumeRoleWire {
  private readonly endpoint: WireEndpoint;

  constructor(handler: NodeHttpHandler, client: STSClient, region: string) {
    this.endpoint = new WireEndpoint(handler, client.config, AssumeRoleCommand, 'sts', region);
  }

  async send(command: AssumeRoleCommand, options?: { abortSignal?: AbortSignal }): Promise<AssumeRoleCommandOutput> {
    const i = command.input;
    const body = formEncode({
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: i.RoleArn,
      RoleSessionName: i.RoleSessionName,
      DurationSeconds: i.DurationSeconds,
      ExternalId: i.ExternalId,
    });
    const raw = await this.endpoint.post(body, { 'content-type': 'application/x-www-form-urlencoded' }, undefined, queryError, options?.abortSignal);
    const credentials = xmlValue(raw.body, 'Credentials');
    if (credentials === undefined) return { $metadata: { httpStatusCode: raw.status } };
    const expiration = xmlValue(credentials, 'Expiration');
    const when = expiration ? new Date(expiration) : undefined;
    return {
      $metadata: { httpStatusCode: raw.status, requestId: xmlValue(raw.body, 'RequestId') },
      Credentials: {
        AccessKeyId: xmlValue(credentials, 'AccessKeyId') as string,
        SecretAccessKey: xmlValue(credentials, 'SecretAccessKey') as string,
        SessionToken: xmlValue(credentials, 'SessionToken') as string,
        Expiration: when && !Number.isNaN(when.getTime()) ? when : (undefined as unknown as Date),
      },
    };
  }
}
