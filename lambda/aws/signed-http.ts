/**
 * What every signed HTTP call of the adapters shares (the wire path, S3, Security Hub, SQS): the
 * answer's headers and body read the same way, errors classified for the retry strategy as the
 * SDK does, and one retry loop driven by the run's strategy.
 */
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { RetryErrorType, RetryStrategyV2 } from '@smithy/types';

/** As the SDK classifies an error for its retry strategy. */
export function retryErrorType(error: unknown): RetryErrorType {
  const e = error as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(e)) return 'THROTTLING';
  if (isTransientError(e)) return 'TRANSIENT';
  if (isServerError(e)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

/** Header names in lower case, repeated headers joined. */
export function lowerCase(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/** The whole body as UTF-8. */
export async function readBody(body: unknown): Promise<string> {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `attempt` until it succeeds or the strategy gives up: the last error is thrown with `attempts`
 * and `totalRetryDelay` in its `$metadata`, as the SDK reports them. An aborted signal ends it at once.
 */
export async function retrying<T>(strategy: RetryStrategyV2, scope: string, attempt: () => Promise<T>, abortSignal?: AbortSignal): Promise<T> {
  let token = await strategy.acquireInitialRetryToken(scope);
  let totalRetryDelay = 0;
  for (let attempts = 1; ; attempts++) {
    let error: unknown;
    try {
      const value = await attempt();
      strategy.recordSuccess(token);
      return value;
    } catch (err) {
      error = err;
    }
    if (abortSignal?.aborted) throw error;
    try {
      const retryAfter = (error as { retryAfter?: Date } | undefined)?.retryAfter;
      token = await strategy.refreshRetryTokenForRetry(token, { errorType: retryErrorType(error), error: error as never, ...(retryAfter instanceof Date ? { retryAfterHint: retryAfter } : {}) });
    } catch {
      if (error && typeof error === 'object') (error as { $metadata?: object }).$metadata = { ...((error as { $metadata?: object }).$metadata ?? {}), attempts, totalRetryDelay };
      throw error;
    }
    const delay = token.getRetryDelay();
    totalRetryDelay += ((token as { $retryLog?: { acquisitionDelay?: number } }).$retryLog?.acquisitionDelay ?? 0) + delay;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  }
}
