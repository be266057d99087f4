/**
 * S3 (REST-XML): PutObject, GetObject, HeadObject, DeleteObject, ListObjectsV2 on the scenario's
 * `buckets`. Conditional writes as S3 answers them: PutObject with `If-None-Match: *` on a key
 * that exists, or with `If-Match: <etag>` on one whose ETag differs, is 412 PreconditionFailed;
 * `If-Match` on a key that does not exist is 404 NoSuchKey; DeleteObject takes `If-Match` the
 * same way (an ETag, or `*` for "exists"). Objects live as long as the simulator (they survive `reset()` and `setScenario()`, so
 * consecutive runs see what earlier runs wrote). Bodies are kept as UTF-8 text.
 *
 * Addressing: the SDK uses path style (`/bucket/key`) when the endpoint is an IP address such as
 * `http://127.0.0.1:PORT` (what the simulator hands out), and virtual-hosted style
 * (`bucket.localhost:PORT`) for host names; both are understood.
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../errors';
import { xmlEscape } from '../protocol-query';
import type { World } from '../world';
import type { CallContext, RestRequest, RestResult, RestXmlService } from './types';

export interface StoredObject {
  body: string;
  contentType: string;
  etag: string;
  lastModified: Date;
  /** `x-amz-meta-*` and `x-amz-server-side-encryption*` headers as sent. */
  headers: Record<string, string>;
}

const stores = new WeakMap<World, Map<string, Map<string, StoredObject>>>();

/** The objects of one bucket (created on first use). */
export function bucketObjects(world: World, bucket: string): Map<string, StoredObject> {
  let buckets = stores.get(world);
  if (!buckets) {
    buckets = new Map();
    stores.set(world, buckets);
  }
  let objects = buckets.get(bucket);
  if (!objects) {
    objects = new Map();
    buckets.set(bucket, objects);
  }
  return objects;
}

/** Bucket and key of a request, from the Host (virtual-hosted style) or the path (path style). */
export function addressOf(req: RestRequest): { bucket?: string; key?: string } {
  const hostname = req.host.replace(/:\d+$/, '');
  const path = req.path.replace(/^\//, '');
  if (hostname.endsWith('.localhost')) {
    const bucket = hostname.slice(0, -'.localhost'.length);
    return { bucket, key: path === '' ? undefined : path };
  }
  if (path === '') return {};
  const slash = path.indexOf('/');
  if (slash < 0) return { bucket: path };
  const key = path.slice(slash + 1);
  return { bucket: path.slice(0, slash), key: key === '' ? undefined : key };
}

function bucketOf(ctx: CallContext, req: RestRequest): { bucket: string; key?: string; objects: Map<string, StoredObject> } {
  const { bucket, key } = addressOf(req);
  if (!bucket) throw new AwsError('InvalidRequest', 'The request names no bucket.');
  if (!(ctx.world.scenario.buckets ?? []).includes(bucket)) {
    throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });
  }
  return { bucket, key, objects: bucketObjects(ctx.world, bucket) };
}

function keyOf(key: string | undefined): string {
  if (key === undefined) throw new AwsError('InvalidRequest', 'The request names no key.');
  if (Buffer.byteLength(key) > 1024) throw new AwsError('KeyTooLongError', 'Your key is too long');
  return key;
}

function objectHeaders(o: StoredObject): Record<string, string> {
  return {
    'content-type': o.contentType,
    etag: o.etag,
    'last-modified': o.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    ...o.headers,
  };
}

function noSuchKey(key: string): AwsError {
  return new AwsError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
}

function preconditionFailed(condition: 'If-Match' | 'If-None-Match'): AwsError {
  return new AwsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { Condition: condition });
}

/** ETags compared without their quotes (clients send them either way). */
function sameEtag(a: string, b: string): boolean {
  const bare = (e: string) => e.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  return bare(a) === bare(b);
}

/** `If-Match` against the current object: 404 when there is none, 412 when its ETag differs. */
function checkIfMatch(req: RestRequest, k: string, current: StoredObject | undefined): void {
  const ifMatch = req.headers['if-match'];
  if (ifMatch === undefined) return;
  if (!current) throw noSuchKey(k);
  if (ifMatch.trim() !== '*' && !sameEtag(ifMatch, current.etag)) throw preconditionFailed('If-Match');
}

function putObject(ctx: CallContext, req: RestRequest): RestResult {
  const { key, objects } = bucketOf(ctx, req);
  const k = keyOf(key);
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    // S3 documents only * here ("no object of that name"); anything else is refused loudly.
    if (ifNoneMatch.trim() !== '*') throw new AwsError('NotImplemented', 'A header you provided implies functionality that is not implemented', 501, { Header: 'If-None-Match' });
    if (objects.has(k)) throw preconditionFailed('If-None-Match');
  }
  checkIfMatch(req, k, objects.get(k));
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') || name.startsWith('x-amz-server-side-encryption')) kept[name] = value;
  }
  const etag = `"${createHash('md5').update(req.body).digest('hex')}"`;
  objects.set(k, { body: req.body, contentType: req.headers['content-type'] ?? 'binary/octet-stream', etag, lastModified: ctx.now, headers: kept });
  return { status: 200, headers: { etag } };
}

function getObject(ctx: CallContext, req: RestRequest): RestResult {
  const { key, objects } = bucketOf(ctx, req);
  const k = keyOf(key);
  const o = objects.get(k);
  if (!o) throw noSuchKey(k);
  return { status: 200, headers: objectHeaders(o), body: o.body };
}

function headObject(ctx: CallContext, req: RestRequest): RestResult {
  const { key, objects } = bucketOf(ctx, req);
  const k = keyOf(key);
  const o = objects.get(k);
  if (!o) throw new AwsError('NotFound', 'Not Found', 404);
  return { status: 200, headers: { ...objectHeaders(o), 'content-length': String(Buffer.byteLength(o.body)) } };
}

function deleteObject(ctx: CallContext, req: RestRequest): RestResult {
  const { key, objects } = bucketOf(ctx, req);
  const k = keyOf(key);
  checkIfMatch(req, k, objects.get(k));
  objects.delete(k);
  return { status: 204 };
}

function listObjectsV2(ctx: CallContext, req: RestRequest): RestResult {
  const { bucket, objects } = bucketOf(ctx, req);
  const prefix = req.query.prefix ?? '';
  const max = Math.min(1000, Number(req.query['max-keys'] ?? 1000) || 1000);
  const after = req.query['continuation-token'] ?? req.query['start-after'] ?? '';
  const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
  const page = keys.slice(0, max);
  const truncated = keys.length > page.length;
  const contents = page
    .map((k) => {
      const o = objects.get(k) as StoredObject;
      return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${Buffer.byteLength(o.body)}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    })
    .join('');
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name>` +
    `<Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
    (truncated ? `<NextContinuationToken>${xmlEscape(page[page.length - 1])}</NextContinuationToken>` : '') +
    `${contents}</ListBucketResult>`;
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
}

export const s3: RestXmlService = {
  service: 's3',
  protocol: 'rest-xml',
  // Buckets are global names; the region of the call is not checked.
  regional: false,
  route(req) {
    const { bucket, key } = addressOf(req);
    if (!bucket) return '';
    if (key === undefined) return req.method === 'GET' && req.query['list-type'] === '2' ? 'ListObjectsV2' : '';
    switch (req.method) {
      case 'PUT':
        return req.headers['x-amz-copy-source'] ? '' : 'PutObject';
      case 'GET':
        return 'GetObject';
      case 'HEAD':
        return 'HeadObject';
      case 'DELETE':
        return 'DeleteObject';
      default:
        return '';
    }
  },
  actions: { PutObject: putObject, GetObject: getObject, HeadObject: headObject, DeleteObject: deleteObject, ListObjectsV2: listObjectsV2 },
  describe(_action, req) {
    const { bucket, key } = addressOf(req);
    return { bucket, key, ...(req.query.prefix !== undefined ? { prefix: req.query.prefix } : {}) };
  },
  renderError(err, requestId) {
    const extra = Object.entries(err.extra)
      .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
      .join('');
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`;
  },
};
