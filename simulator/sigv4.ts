/**
 * SigV4 verification for the simulator, written from the specification (not with the SDK's
 * signer), so a client that signs one request and sends another is caught the way AWS would
 * catch it: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 *
 * Checked: the canonical request (method, path, query, the signed headers as received, the
 * payload hash), the credential scope and the signature; the request's age (`requestTimeProblem`)
 * against the simulated clock.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SignedRequest {
  method: string;
  /** Path and query as sent (`req.url`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;_.-]+), ?Signature=([0-9a-f]{64})$/;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding, as SigV4 wants it (`A-Za-z0-9-_.~` unreserved). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalPath(path: string, service: string): string {
  // S3 signs the path as sent; every other service signs it encoded once more ("twice" in all).
  if (service === 's3') return path || '/';
  return uriEncode(path || '/').replace(/%2F/g, '/');
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const k = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, '%20'));
      const v = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, '%20'));
      return [uriEncode(k), uriEncode(v)] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function headerValue(v: string | string[] | undefined): string {
  const s = Array.isArray(v) ? v.join(',') : (v ?? '');
  return s.trim().replace(/\s+/g, ' ');
}

/**
 * Undefined when `req` carries a valid SigV4 signature by the key's secret; otherwise why not.
 * `secretFor` answers the secret of an access key, or undefined for an unknown key (which the
 * caller reports as its own error, so this answers undefined then).
 */
export function sigV4Problem(req: SignedRequest, secretFor: (accessKeyId: string) => string | undefined): string | undefined {
  const auth = headerValue(req.headers.authorization);
  const m = AUTH.exec(auth);
  if (!m) return 'the Authorization header is not a SigV4 header (AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…)';
  const [, accessKeyId, date, region, service, signedHeaderList, signature] = m;
  const secret = secretFor(accessKeyId);
  if (secret === undefined) return undefined;
  const amzDate = headerValue(req.headers['x-amz-date']);
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) return 'X-Amz-Date is missing or not in the form YYYYMMDDTHHMMSSZ';
  if (amzDate.slice(0, 8) !== date) return `the credential scope's date ${date} is not X-Amz-Date's (${amzDate})`;
  const signed = signedHeaderList.split(';');
  if (!signed.includes('host')) return 'the host header is not signed';
  for (const h of signed) if (req.headers[h] === undefined) return `signed header ${h} was not sent`;
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const payloadHash = headerValue(req.headers['x-amz-content-sha256']) || sha256(req.body);
  if (/^[0-9a-f]{64}$/.test(payloadHash) && payloadHash !== sha256(req.body)) return 'x-amz-content-sha256 is not the hash of the body sent';
  const canonical = [
    req.method,
    canonicalPath(path, service),
    canonicalQuery(query),
    ...signed.map((h) => `${h}:${headerValue(req.headers[h])}`),
    '',
    signedHeaderList,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  return expected === signature ? undefined : 'the request signature does not match the one computed from the request as received';
}

/**
 * Headers that sign `req` (for hand-made requests in tests and tools): `x-amz-date` and
 * `authorization`, over `host`, `x-amz-date` and any `x-amz-*` header already present.
 */
export function sigV4Headers(
  req: { method: string; url: string; headers: Record<string, string>; body: string | Buffer },
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
  service: string,
  now = new Date(),
): Record<string, string> {
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
  headers['x-amz-date'] = amzDate;
  const signed = Object.keys(headers).filter((h) => h === 'host' || h.startsWith('x-amz-') || h === 'content-type').sort();
  const q = req.url.indexOf('?');
  const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
  const canonical = [
    req.method,
    canonicalPath(q < 0 ? req.url : req.url.slice(0, q), service),
    canonicalQuery(q < 0 ? '' : req.url.slice(q + 1)),
    ...signed.map((h) => `${h}:${headerValue(headers[h])}`),
    '',
    signed.join(';'),
    headers['x-amz-content-sha256'] || sha256(body),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n')).digest('hex');
  return { 'x-amz-date': amzDate, authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}` };
}

/** `20240101T000000Z` for a date. */
export function amzDateOf(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * Why a request signed at `amzDate` (its X-Amz-Date) cannot be accepted at `now` by a service
 * that tolerates `toleranceMs` of difference, in AWS's words; undefined if it can, or if the date
 * does not parse (the signature check reports that).
 */
export function requestTimeProblem(amzDate: string, now: Date, toleranceMs: number): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate.trim());
  if (!m) return undefined;
  const signedAt = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const minutes = `${Math.round(toleranceMs / 60_000)} min.`;
  const at = amzDateOf(now);
  if (signedAt < now.getTime() - toleranceMs) return `Signature expired: ${amzDate} is now earlier than ${amzDateOf(new Date(now.getTime() - toleranceMs))} (${at} - ${minutes})`;
  if (signedAt > now.getTime() + toleranceMs) return `Signature not yet current: ${amzDate} is still later than ${amzDateOf(new Date(now.getTime() + toleranceMs))} (${at} + ${minutes})`;
  return undefined;
}
