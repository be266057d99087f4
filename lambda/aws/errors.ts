/** AWS call failures, turned into evidence a person can act on. */
import type { CallError } from '../rule/types';

/** A response that lacks a required field or has one of the wrong type. */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponse';
}

/** The run's deadline aborted the call. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineExceeded';
}

export function isAccessDenied(code: string): boolean {
  return /AccessDenied|UnauthorizedOperation|NotAuthorized|AuthorizationError/i.test(code);
}

/** Capture what failed: the call, where, and AWS's error code and message. */
export function toCallError(err: unknown, call: string, where: { accountId?: string; region?: string }, deadline?: AbortSignal): CallError {
  if (deadline?.aborted) {
    return { call, code: 'DeadlineExceeded', message: 'the run reached its deadline before this call finished', ...where };
  }
  const e = err as { name?: unknown; Code?: unknown; code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } };
  // Network failures carry Node's system code (ECONNRESET, ECONNREFUSED, ...), more telling than the wrapper's name.
  // (A timeout keeps the SDK's TimeoutError: the SDK tags it ETIMEDOUT, and also labels resets TimeoutError.)
  const systemCode = typeof e?.code === 'string' && /^E[A-Z]{3,}$/.test(e.code) && e.code !== 'ETIMEDOUT' ? e.code : undefined;
  const code = systemCode ?? (typeof e?.name === 'string' && e.name !== 'Error' ? e.name : typeof e?.Code === 'string' ? e.Code : 'UnknownError');
  let message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  if (e?.$metadata?.httpStatusCode && !message.includes(String(e.$metadata.httpStatusCode))) message += ` (HTTP ${e.$metadata.httpStatusCode})`;
  return { call, code, message: oneLine(message), ...where };
}

export function describeCallError(e: CallError): string {
  return `${e.call}${e.region ? ` in ${e.region}` : ''} failed: ${e.code}: ${e.message}`;
}

/** One line of at most 500 code points (never half a surrogate pair). */
function oneLine(s: string): string {
  const flat = Array.from(s.replace(/\s+/g, ' ').trim());
  return flat.length > 500 ? `${flat.slice(0, 497).join('')}...` : flat.join('');
}
