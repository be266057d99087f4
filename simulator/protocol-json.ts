/**
 * The AWS JSON 1.1 protocol (Organizations, CloudTrail): `X-Amz-Target: Prefix.Action`, JSON
 * bodies, timestamps as epoch seconds, errors as `{"__type": "Code", "Message": "..."}`.
 */
import { AwsError } from './errors';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export type JsonParams = Record<string, unknown>;

export function parseJsonBody(body: string): JsonParams {
  if (body.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  return v as JsonParams;
}

/** Converts dates to epoch seconds (the JSON protocols' default timestamp format) and drops undefined. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = plain(v);
    return out;
  }
  return value;
}

export function renderJsonResult(result: unknown): string {
  return JSON.stringify(plain(result ?? {}));
}

/**
 * The error body. The installed SDK's AwsJson1_1Protocol reads the code from `__type` first
 * (then a `code` member, then the `x-amzn-errortype` header) and strips any `namespace#` prefix;
 * the modeled error structures carry the text in `Message`.
 */
export function renderJsonError(err: AwsError): string {
  return JSON.stringify({ __type: err.code, Message: err.message, ...err.extra });
}
