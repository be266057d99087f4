/**
 * `S3Objects` through an SDK `S3Client`: for tests that mock the SDK client (aws-sdk-client-mock)
 * and tools that already hold one. The Lambda does not import this module (it uses s3-wire.ts:
 * the bundling test checks that `@aws-sdk/client-s3` is not in the bundle). The SDK's errors
 * already keep the contract of s3-objects.ts (`name` = S3's code, `$metadata.httpStatusCode`); an
 * If-Match ETag is checked here too (the SDK drops an empty one: the write would be unconditional).
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { conditionEtag, type PutOptions, type S3Object, type S3Objects } from './s3-objects';

export class SdkS3Objects implements S3Objects {
  constructor(private readonly client: Pick<S3Client, 'send'>) {}

  async get(bucket: string, key: string): Promise<S3Object> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { body: (await out.Body?.transformToString('utf-8')) ?? '', etag: out.ETag ?? '', lastModified: out.LastModified, contentType: out.ContentType };
  }

  async put(bucket: string, key: string, body: string, o: PutOptions): Promise<{ etag?: string }> {
    const conditions = { ...(o.ifNoneMatch !== undefined ? { IfNoneMatch: o.ifNoneMatch } : {}), ...(o.ifMatch !== undefined ? { IfMatch: conditionEtag(o.ifMatch) } : {}) };
    const out = await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: o.contentType, ...conditions }));
    return { etag: out.ETag };
  }

  async delete(bucket: string, key: string, o: { ifMatch?: string } = {}): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, ...(o.ifMatch !== undefined ? { IfMatch: conditionEtag(o.ifMatch) } : {}) }));
  }
}
