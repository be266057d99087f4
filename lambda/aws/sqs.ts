/**
 * SQS `ChangeMessageVisibility` (AWS JSON 1.0: `POST /`, `X-Amz-Target:
 * AmazonSQS.ChangeMessageVisibility`), signed with the function's own credentials and sent over
 * the run's shared connection pool with the run's retry strategy for SQS in the queue's region.
 * The real-time function calls it to back a retried record off (run/event-batch.ts): without it
 * the record would come back only after the queue's visibility timeout (about 90 minutes).
 *
 * Not through `@aws-sdk/client-sqs`: one small documented call, and the function's bundle budget
 * (security-hub.ts says the same of its call). Built from the SDK's parts: SigV4 signer, HTTP
 * handler, error classification, `AWS_ENDPOINT_URL(_SQS)`.
 */
import { Sha256Node } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/transport';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, RetryStrategyV2 } from '@smithy/types';
import { lowerCase, readBody, retrying } from './signed-http';
import { jsonError, sampleClock, USER_AGENT } from './wire';

/** The API's range of VisibilityTimeout, in seconds (0 to 12 hours). */
export const MAX_VISIBILITY_SECONDS = 43_200;
/** The first retry's backoff, and the cap of the backoff (seconds). */
export const BACKOFF_BASE_SECONDS = 60;
export const BACKOFF_MAX_SECONDS = 900;
/** A receipt handle longer than this, or with other than printable ASCII, is refused (not sent). */
export const MAX_RECEIPT_HANDLE_LENGTH = 8192;

/** A queue named by an SQS event source ARN. */
export interface QueueRef {
  partition: string;
  region: string;
  accountId: string;
  name: string;
  /** `https://sqs.<region>.amazonaws.com/<account>/<name>` (`.amazonaws.com.cn` in China). */
  url: string;
}

const QUEUE_ARN = /^arn:(aws(?:-[a-z]+)*):sqs:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):([A-Za-z0-9_-]{1,75}(?:\.fifo)?|[A-Za-z0-9_-]{1,80})$/;

const domainOf = (region: string) => (region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com');

/** The queue of an `eventSourceARN`, or undefined when it is not a well-formed SQS queue ARN. */
export function queueFromArn(arn: unknown): QueueRef | undefined {
  if (typeof arn !== 'string') return undefined;
  const m = QUEUE_ARN.exec(arn);
  if (!m) return undefined;
  const [, partition, region, accountId, name] = m;
  if ((partition === 'aws-cn') !== region.startsWith('cn-')) return undefined;
  return { partition, region, accountId, name, url: `https://sqs.${region}.${domainOf(region)}/${accountId}/${name}` };
}

/** Whether a receipt handle can be sent as one: a non-empty string of printable ASCII, bounded. */
export function validReceiptHandle(handle: unknown): handle is string {
  return typeof handle === 'string' && handle.length > 0 && handle.length <= MAX_RECEIPT_HANDLE_LENGTH && /^[\x21-\x7e]+$/.test(handle);
}

/**
 * The visibility timeout for a record received `receiveCount` times: 60 s × 2^(n−1), at most
 * 900 s. A count that is not a positive whole number (missing, hostile) counts as the first.
 */
export function backoffSeconds(receiveCount: unknown): number {
  const n = receiveCountOf(receiveCount);
  if (n > 10) return BACKOFF_MAX_SECONDS;
  return Math.min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (n - 1));
}

/** `ApproximateReceiveCount` as a number: a positive whole number, else 1 (missing, hostile). */
export function receiveCountOf(receiveCount: unknown): number {
  const text = typeof receiveCount === 'number' ? String(receiveCount) : receiveCount;
  return typeof text === 'string' && /^[1-9]\d{0,5}$/.test(text) ? Number(text) : 1;
}

/** The endpoint: `AWS_ENDPOINT_URL_SQS`, then `AWS_ENDPOINT_URL`, then the regional one. */
export function sqsEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): URL {
  const configured = env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL;
  if (configured) return new URL(configured);
  return new URL(`https://sqs.${region}.${domainOf(region)}`);
}

/** What the backoff needs of SQS. */
export interface SqsApi {
  changeMessageVisibility(queueUrl: string, receiptHandle: string, visibilityTimeout: number, options?: { abortSignal?: AbortSignal }): Promise<void>;
}

export interface SqsWireOptions {
  region: string;
  /** Explicit endpoint (tests, or the clients' `endpoint` option); otherwise `sqsEndpoint`. */
  endpoint?: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  retryStrategy: RetryStrategyV2;
}

/** SQS in one region: ChangeMessageVisibility, signed with the function's own credentials. */
export class SqsWire implements SqsApi {
  private readonly url: URL;
  private readonly signer: SignatureV4;
  private clockOffset = 0;

  constructor(
    private readonly handler: NodeHttpHandler,
    private readonly options: SqsWireOptions,
  ) {
    this.url = options.endpoint ? new URL(options.endpoint) : sqsEndpoint(options.region);
    this.signer = new SignatureV4({ credentials: options.credentials, region: options.region, service: 'sqs', sha256: Sha256Node, uriEscapePath: true, applyChecksum: true });
  }

  async changeMessageVisibility(queueUrl: string, receiptHandle: string, visibilityTimeout: number, options?: { abortSignal?: AbortSignal }): Promise<void> {
    if (!Number.isInteger(visibilityTimeout) || visibilityTimeout < 0 || visibilityTimeout > MAX_VISIBILITY_SECONDS) throw new RangeError(`VisibilityTimeout must be a whole number of seconds from 0 to ${MAX_VISIBILITY_SECONDS}, got ${visibilityTimeout}`);
    if (!validReceiptHandle(receiptHandle)) throw new RangeError('ChangeMessageVisibility: the receipt handle is not a valid one');
    await this.post('ChangeMessageVisibility', JSON.stringify({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: visibilityTimeout }), options?.abortSignal);
  }

  private request(target: string, body: string): HttpRequest {
    const u = this.url;
    return new HttpRequest({
      protocol: u.protocol,
      hostname: u.hostname,
      port: u.port ? Number(u.port) : undefined,
      method: 'POST',
      path: u.pathname || '/',
      headers: { host: u.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${target}`, 'content-length': String(Buffer.byteLength(body)), 'user-agent': USER_AGENT },
      body,
    });
  }

  /** One POST, retried by the run's strategy; the last error thrown. */
  private post(target: string, body: string, abortSignal?: AbortSignal): Promise<string> {
    return retrying(
      this.options.retryStrategy,
      'sqs',
      async () => {
        const sentAt = Date.now();
        const signed = await this.signer.sign(this.request(target, body), { signingDate: new Date(sentAt + this.clockOffset) });
        const { response } = await this.handler.handle(signed as HttpRequest, { abortSignal });
        const headers = lowerCase(response.headers);
        const text = await readBody(response.body);
        this.clockOffset = sampleClock(headers, this.clockOffset, sentAt);
        if (response.statusCode >= 200 && response.statusCode < 300) return text;
        throw jsonError({ status: response.statusCode, headers, body: text });
      },
      abortSignal,
    );
  }
}

