/**
 * Security Hub `BatchImportFindings` (REST-JSON, `POST /findings/import`), signed with the
 * account's credentials and sent over the run's shared connection pool, with the run's retry
 * strategy for the service and region (`retry.ts`: throttling and transient errors retried with
 * backoff, within the run's deadline or `maxAttempts`).
 *
 * Not through `@aws-sdk/client-securityhub`: the client would add about 200 KB to the function's
 * bundle (measured: 3.1108.0, the newest published, next to the other clients; its schema holds
 * every ASFF resource type), more than the 600 KB budget leaves, for one call whose request and
 * response are small documented JSON. The call is built from the SDK's own parts instead: the
 * SigV4 signer, the HTTP handler, its error classification, `AWS_ENDPOINT_URL(_SECURITYHUB)`.
 *
 * Security Hub requires the caller to be each finding's `AwsAccountId`, so one call carries one
 * account's findings; at most 100 findings per call (the API's limit).
 */
import { Sha256Node } from '@smithy/core/checksum';
import { isClockSkewError, isThrottlingError } from '@smithy/core/retry';
import { HttpRequest } from '@smithy/core/transport';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, RetryStrategyV2 } from '@smithy/types';
import { isAccessDenied, MalformedResponseError } from './errors';
import { lowerCase, readBody, retrying } from './signed-http';
import { jsonError, sampleClock, USER_AGENT } from './wire';

/** Findings per BatchImportFindings call (the API's maximum). */
export const MAX_FINDINGS_PER_CALL = 100;

export interface FailedFinding {
  Id: string;
  ErrorCode: string;
  ErrorMessage: string;
}

export interface BatchImportOutput {
  FailedCount: number;
  SuccessCount: number;
  FailedFindings: FailedFinding[];
}

/** What the import needs of Security Hub in one region, as one account. */
export interface SecurityHubApi {
  batchImportFindings(findings: readonly object[], options?: { abortSignal?: AbortSignal }): Promise<BatchImportOutput>;
}

export type SecurityHubErrorKind = 'not-enabled' | 'denied' | 'throttled' | 'failed';

/**
 * What a failed call means: Security Hub not enabled in the account and region
 * (`InvalidAccessException` "… is not subscribed to AWS Security Hub"), the call denied (IAM, an
 * SCP), throttled after the retries, or any other failure.
 */
export function classifySecurityHubError(err: unknown): SecurityHubErrorKind {
  const e = err as { name?: unknown; message?: unknown };
  const code = typeof e?.name === 'string' ? e.name : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  if (code === 'InvalidAccessException' && /not subscribed|not enabled/i.test(message)) return 'not-enabled';
  if (isAccessDenied(code) || code === 'InvalidAccessException') return 'denied';
  if (isThrottlingError(err as never) || /Throttl|TooManyRequests|LimitExceeded/i.test(code)) return 'throttled';
  return 'failed';
}

/** The findings in calls of at most 100. */
export function batches<T>(items: readonly T[], size = MAX_FINDINGS_PER_CALL): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Imports `findings` (one account's) in calls of at most 100, and adds up what Security Hub answered. A failed call throws. */
export async function importFindingsAs(api: SecurityHubApi, findings: readonly object[], abortSignal?: AbortSignal): Promise<BatchImportOutput> {
  const total: BatchImportOutput = { FailedCount: 0, SuccessCount: 0, FailedFindings: [] };
  for (const batch of batches(findings)) {
    const out = await api.batchImportFindings(batch, { abortSignal });
    total.SuccessCount += out.SuccessCount;
    total.FailedCount += out.FailedCount;
    total.FailedFindings.push(...out.FailedFindings);
  }
  return total;
}

/** The endpoint: `AWS_ENDPOINT_URL_SECURITYHUB`, then `AWS_ENDPOINT_URL`, then the regional one. */
export function securityHubEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): URL {
  const configured = env.AWS_ENDPOINT_URL_SECURITYHUB || env.AWS_ENDPOINT_URL;
  if (configured) return new URL(configured);
  return new URL(`https://securityhub.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`);
}

export interface SecurityHubWireOptions {
  region: string;
  /** Explicit endpoint (tests, or the clients' `endpoint` option); otherwise `securityHubEndpoint`. */
  endpoint?: string;
  /** The run's own credentials: used when a call is given none. */
  ownCredentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  retryStrategy: RetryStrategyV2;
}

/** Security Hub in one region: BatchImportFindings, signed as the account whose findings it carries. */
export class SecurityHubWire {
  private readonly url: URL;
  private readonly signers = new WeakMap<object, SignatureV4>();
  /** The service's clock minus ours, from each answer's `Date` (as the SDK corrects its clock). */
  private clockOffset = 0;

  constructor(
    private readonly handler: NodeHttpHandler,
    private readonly options: SecurityHubWireOptions,
  ) {
    this.url = options.endpoint ? new URL(options.endpoint) : securityHubEndpoint(options.region);
  }

  /** The API as one account (`credentials` undefined: the run's own). */
  as(credentials?: AwsCredentialIdentity): SecurityHubApi {
    return { batchImportFindings: (findings, o) => this.batchImportFindings(findings, credentials, o?.abortSignal) };
  }

  async batchImportFindings(findings: readonly object[], credentials: AwsCredentialIdentity | undefined, abortSignal?: AbortSignal): Promise<BatchImportOutput> {
    if (findings.length > MAX_FINDINGS_PER_CALL) throw new RangeError(`BatchImportFindings takes at most ${MAX_FINDINGS_PER_CALL} findings, got ${findings.length}`);
    const raw = await this.post(JSON.stringify({ Findings: findings }), credentials, abortSignal);
    return parseOutput(raw.body, findings.length);
  }

  private signer(credentials: AwsCredentialIdentity | undefined): SignatureV4 {
    const key = (credentials ?? this.options) as object;
    let s = this.signers.get(key);
    if (!s) {
      s = new SignatureV4({ credentials: credentials ?? this.options.ownCredentials, region: this.options.region, service: 'securityhub', sha256: Sha256Node, uriEscapePath: true, applyChecksum: true });
      this.signers.set(key, s);
    }
    return s;
  }

  private request(body: string): HttpRequest {
    const u = this.url;
    const base = u.pathname.replace(/\/$/, '');
    return new HttpRequest({
      protocol: u.protocol,
      hostname: u.hostname,
      port: u.port ? Number(u.port) : undefined,
      method: 'POST',
      path: `${base}/findings/import`,
      headers: { host: u.host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': USER_AGENT },
      body,
    });
  }

  /** One POST, retried by the run's strategy; the 2xx answer, or the last error thrown. */
  private post(body: string, credentials: AwsCredentialIdentity | undefined, abortSignal?: AbortSignal): Promise<{ status: number; body: string }> {
    return retrying(
      this.options.retryStrategy,
      'securityhub',
      async () => {
        const offsetUsed = this.clockOffset;
        const sentAt = Date.now();
        const signed = await this.signer(credentials).sign(this.request(body), { signingDate: new Date(sentAt + offsetUsed) });
        const { response } = await this.handler.handle(signed as HttpRequest, { abortSignal });
        const headers = lowerCase(response.headers);
        const text = await readBody(response.body);
        this.clockOffset = sampleClock(headers, this.clockOffset, sentAt);
        if (response.statusCode >= 200 && response.statusCode < 300) return { status: response.statusCode, body: text };
        const e = jsonError({ status: response.statusCode, headers, body: text });
        if (isClockSkewError(e as never) && Math.abs(this.clockOffset - offsetUsed) >= 240_000) e.$metadata.clockSkewCorrected = true;
        throw e;
      },
      abortSignal,
    );
  }
}

/** The answer, checked: counts that are whole numbers, failed findings with string fields. */
export function parseOutput(body: string, sent: number): BatchImportOutput {
  let data: unknown;
  try {
    data = body ? JSON.parse(body) : undefined;
  } catch {
    throw new MalformedResponseError('BatchImportFindings returned a body that is not JSON');
  }
  const d = data as Record<string, unknown> | undefined;
  const count = (k: string) => (Number.isInteger(d?.[k]) && (d?.[k] as number) >= 0 && (d?.[k] as number) <= sent ? (d?.[k] as number) : undefined);
  const failed = d?.FailedFindings ?? [];
  const success = count('SuccessCount');
  const failedCount = count('FailedCount');
  if (success === undefined || failedCount === undefined || !Array.isArray(failed) || success + failedCount !== sent || failed.length > sent) {
    throw new MalformedResponseError(`BatchImportFindings returned counts that do not add up to the ${sent} findings sent`);
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return { SuccessCount: success, FailedCount: failedCount, FailedFindings: failed.map((f) => ({ Id: str(f?.Id), ErrorCode: str(f?.ErrorCode) || 'UnknownError', ErrorMessage: str(f?.ErrorMessage) })) };
}

