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

export type ServiceDef = QueryService | JsonService;
