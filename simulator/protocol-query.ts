/**
 * The AWS query protocol (STS, SNS): form-encoded POST bodies (`Action=...&Version=...`), XML
 * responses wrapped in `<ActionResponse><ActionResult>`, errors as `<ErrorResponse><Error>`.
 */
import type { AwsError } from './errors';

export const QUERY_CONTENT_TYPE = 'text/xml';

export type QueryParams = Record<string, string>;

/** Decodes an `application/x-www-form-urlencoded` body (the SDK encodes spaces as %20). */
export function parseQueryBody(body: string): QueryParams {
  const out: QueryParams = {};
  for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  return out;
}

/**
 * Reads a query-serialized map such as `MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=String`
 * into `{ a: { DataType: 'String', ... } }`, keeping the entry's value members as a flat record.
 */
export function readQueryMap(params: QueryParams, prefix: string, keyName = 'Name', valueName = 'Value'): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (let i = 1; ; i++) {
    const base = `${prefix}.entry.${i}`;
    const key = params[`${base}.${keyName}`];
    if (key === undefined) break;
    const value: Record<string, string> = {};
    const vp = `${base}.${valueName}.`;
    for (const [k, v] of Object.entries(params)) if (k.startsWith(vp)) value[k.slice(vp.length)] = v;
    out[key] = value;
  }
  return out;
}

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"'\r]/g, (ch) => {
    switch (ch) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return '&#xD;';
    }
  });
}

/** Serializes a value as the XML of a query-protocol structure: lists as `<member>`, dates as ISO 8601. */
export function toXml(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return `<${name}>${value.map((v) => toXml('member', v)).join('')}</${name}>`;
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => toXml(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}

export function renderQueryResult(action: string, xmlns: string, result: unknown, requestId: string): string {
  const body = result === undefined ? '' : toXml(`${action}Result`, result);
  return (
    `<${action}Response xmlns="${xmlns}">${body}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>\n`
  );
}

export function renderQueryError(err: AwsError, xmlns: string, requestId: string): string {
  const extra = Object.entries(err.extra)
    .map(([k, v]) => toXml(k, v))
    .join('');
  return (
    `<ErrorResponse xmlns="${xmlns}"><Error><Type>${err.type}</Type><Code>${xmlEscape(err.code)}</Code>` +
    `<Message>${xmlEscape(err.message)}</Message>${extra}</Error><RequestId>${requestId}</RequestId></ErrorResponse>\n`
  );
}
