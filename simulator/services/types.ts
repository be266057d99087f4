import type { AwsError } from '../errors';
import type { JsonParams } from '../protocol-json';
import type { QueryParams } from '../protocol-query';
import type { ScenarioService } from '../scenario-types';
import type { Identity, World } from '../world';

export interface CallContext {
  world: World;
  identity: Identity;
  /** Region of the call (from the SigV4 credential scope). */
  region: string;
  action: string;
  now: Date;
}

interface ServiceBase {
  service: ScenarioService;
  /** Regional service: calls in a region the scenario does not enable are refused like a disabled opt-in region. */
  regional: boolean;
  /** The key request parameters, for the call log. */
  describe(action: string, params: never): Record<string, unknown>;
}

export interface QueryService extends ServiceBase {
  protocol: 'query';
  xmlns: string;
  version: string;
  actions: Record<string, (ctx: CallContext, params: QueryParams) => unknown>;
  describe(action: string, params: QueryParams): Record<string, unknown>;
}

export interface JsonService extends ServiceBase {
  protocol: 'json';
  /** Accepted `X-Amz-Target` prefixes (the part before `.Action`). */
  targetPrefixes: string[];
  /** Adds the awsQueryCompatible `x-amzn-query-error: Code;Type` header to errors (CloudTrail). */
  queryCompatible: boolean;
  actions: Record<string, (ctx: CallContext, params: JsonParams) => unknown>;
  describe(action: string, params: JsonParams): Record<string, unknown>;
}

/** A REST request as the REST-XML services (S3) see it: method, path, query and headers carry the parameters. */
export interface RestRequest {
  method: string;
  /** Decoded path, e.g. `/bucket/reports/a b.json`. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** The `Host` header, for virtual-hosted-style addressing (`bucket.localhost:PORT`). */
  host: string;
  body: string;
}

export interface RestResult {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface RestXmlService extends ServiceBase {
  protocol: 'rest-xml';
  /** The API action a request is (e.g. `PutObject` for PUT /bucket/key); '' when none matches. */
  route(req: RestRequest): string;
  actions: Record<string, (ctx: CallContext, req: RestRequest) => RestResult>;
  describe(action: string, req: RestRequest): Record<string, unknown>;
  /** The error body (HEAD answers carry none). */
  renderError(err: AwsError, requestId: string): string;
}

/** A REST-JSON service (Security Hub): routed like REST-XML, answered and failed in JSON. */
export interface RestJsonService extends ServiceBase {
  protocol: 'rest-json';
  route(req: RestRequest): string;
  actions: Record<string, (ctx: CallContext, req: RestRequest) => unknown>;
  describe(action: string, req: RestRequest): Record<string, unknown>;
}

export type ServiceDef = QueryService | JsonService | RestXmlService | RestJsonService;
