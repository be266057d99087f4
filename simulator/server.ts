/**
 * The local AWS simulator: one loopback HTTP endpoint serving STS, SNS (query protocol),
 * Organizations and CloudTrail (JSON 1.1) to unmodified AWS SDK v3 clients. The service, the
 * region and the calling account come from the SigV4 `Authorization` header's credential scope
 * (`Credential=AKID/DATE/REGION/SERVICE/aws4_request`). Signatures are verified (`sigv4.ts`) unless
 * `verifySignatures: false`: a request signed wrongly is answered as AWS answers it.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AwsError } from './errors';
import { FaultInjector, faultError } from './faults';
import { drawLatency, mulberry32 } from './prng';
import { JSON_CONTENT_TYPE, parseJsonBody, renderJsonError, renderJsonResult, type JsonParams } from './protocol-json';
import { QUERY_CONTENT_TYPE, parseQueryBody, renderQueryError, renderQueryResult, type QueryParams } from './protocol-query';
import type { Scenario, ScenarioFault, ScenarioService } from './scenario-types';
import { cloudtrail } from './services/cloudtrail';
import { organizations } from './services/organizations';
import { s3 } from './services/s3';
import { secretsmanager } from './services/secretsmanager';
import { importedFindings, securityhub, type ImportedFinding } from './services/securityhub';
import { sns } from './services/sns';
import { requestTimeProblem, sigV4Problem } from './sigv4';
import { parseRoleArn, sts } from './services/sts';
import type { CallContext, RestRequest, ServiceDef } from './services/types';
import { World, type Identity, type PublishedMessage } from './world';

export type { PublishedMessage } from './world';

/** One entry of the call log. */
export interface CallRecord {
  seq: number;
  service: ScenarioService | 'unknown';
  action: string;
  /** The calling account; undefined when the access key is unknown (or missing). */
  account?: string;
  /** The request's User-Agent header. */
  userAgent?: string;
  accessKeyId?: string;
  region: string;
  /** AssumeRole: the account whose role is assumed. */
  targetAccount?: string;
  /** Key request parameters (trail name/ARN, role ARN, topic, `nextToken: true|false`, ...). */
  params: Record<string, unknown>;
  /** `pending` until answered; `fault` when an injected fault decided the answer. */
  outcome: 'pending' | 'ok' | 'error' | 'fault';
  /** The AWS error code answered (errors and `error` faults). */
  errorCode?: string;
  /** The injected fault's kind, when one applied (`delay` faults still end `ok`/`error`). */
  fault?: ScenarioFault['kind'];
  httpStatus?: number;
  /** Injected latency drawn for this call (ms), from `scenario.latency`. */
  latencyMs?: number;
  startedAt: Date;
  finishedAt?: Date;
  durationMs?: number;
}

export interface Simulator {
  /** `http://127.0.0.1:PORT` — give it to clients as `endpoint` (or `AWS_ENDPOINT_URL`). */
  readonly url: string;
  readonly port: number;
  /** Every successful SNS Publish, in order. */
  readonly published: PublishedMessage[];
  /** Findings Security Hub holds (BatchImportFindings, upserted by Id and ProductArn); they survive `reset()`. */
  readonly findings: ImportedFinding[];
  /** Every call received, in order of arrival. */
  readonly calls: CallRecord[];
  /** Number of calls received, optionally of one service and action. */
  callCount(service?: ScenarioService, action?: string): number;
  /** Calls per `service:action`, e.g. `{ "cloudtrail:DescribeTrails": 17 }`. */
  callCounts(): Record<string, number>;
  /** Clears the call log, the published messages and the fault counters (re-seeds latency). */
  reset(): void;
  /** Swaps the scenario live (faults and latency restart; issued session credentials stay valid). */
  setScenario(s: Scenario): void;
  readonly scenario: Scenario;
  /** Closes the server and every open socket, including hung requests. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Only loopback addresses are accepted. Default 127.0.0.1. */
  host?: string;
  /**
   * `full` (default) keeps every call in `calls`; `counts` keeps only the per-action counts
   * (`calls` stays empty), so a benchmark's hundreds of thousands of calls cost no memory.
   */
  callLog?: 'full' | 'counts';
  /** Verify each request's SigV4 signature (default true), and its age against the simulated clock. */
  verifySignatures?: boolean;
  /** Overrides the scenario's `clockOffsetSeconds` (seconds the simulated AWS clock is ahead of this machine's). */
  clockOffsetSeconds?: number;
}

const SERVICES: Record<ScenarioService, ServiceDef> = { sts, sns, organizations, cloudtrail, s3, secretsmanager, securityhub };
/**
 * How far a request's X-Amz-Date may be from the service's clock: five minutes, as SigV4 documents,
 * but 15 for STS (its "Signature expired … - 15 min." answers) and S3 (`MaxAllowedSkewMilliseconds` 900000).
 */
const CLOCK_TOLERANCE_MS: Partial<Record<ScenarioService, number>> = { sts: 15 * 60_000, s3: 15 * 60_000 };
const DEFAULT_CLOCK_TOLERANCE_MS = 5 * 60_000;
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const CREDENTIAL_SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

interface Scope {
  accessKeyId: string;
  region: string;
  service: string;
}

function parseAuthorization(header: string | undefined): Scope | undefined {
  if (!header) return undefined;
  const m = CREDENTIAL_SCOPE.exec(header);
  return m ? { accessKeyId: m[1], region: m[3], service: m[4] } : undefined;
}

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
    req.on('aborted', () => resolve(undefined));
  });
}

export async function startSimulator(scenario: Scenario, opts: StartOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    throw new Error(`simulator: refusing to bind to ${host}; only loopback (127.0.0.1) is allowed`);
  }
  const bindHost = host === 'localhost' ? '127.0.0.1' : host;

  const world = new World(scenario);
  const faults = new FaultInjector(scenario.faults, scenario.latency?.seed ?? 1);
  let rand = mulberry32(scenario.latency?.seed ?? 1);
  const calls: CallRecord[] = [];
  const countsOnly = opts.callLog === 'counts';
  const verifySignatures = opts.verifySignatures !== false;
  const counts = new Map<string, number>();
  let seq = 0;
  let stopped = false;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  /** The simulated AWS clock. */
  const awsNow = () => new Date(Date.now() + (opts.clockOffsetSeconds ?? world.scenario.clockOffsetSeconds ?? 0) * 1000);

  /** A timer-based wait; never resolves once the simulator stops (the socket is destroyed anyway). */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || stopped) {
        if (!stopped) resolve();
        return;
      }
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const latencyFor = (rec: CallRecord): number => {
    const l = world.scenario.latency;
    if (!l) return 0;
    const spec = l.byAction?.[rec.action] ?? l.default;
    rec.latencyMs = drawLatency(spec, rand);
    return rec.latencyMs;
  };

  function finish(rec: CallRecord, outcome: CallRecord['outcome'], status?: number, errorCode?: string): void {
    rec.outcome = outcome;
    rec.httpStatus = status;
    if (errorCode !== undefined) rec.errorCode = errorCode;
    rec.finishedAt = new Date();
    rec.durationMs = rec.finishedAt.getTime() - rec.startedAt.getTime();
    if (countsOnly) {
      const key = `${rec.service}:${rec.action}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }

  function send(res: http.ServerResponse, status: number, contentType: string, body: string, requestId: string, extra: Record<string, string> = {}): void {
    if (res.destroyed || res.writableEnded || res.headersSent) return;
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': String(Buffer.byteLength(body)),
      'x-amzn-requestid': requestId,
      // AWS's clock, from which clients correct their skew.
      date: awsNow().toUTCString(),
      ...extra,
    });
    res.end(body);
  }

  function sendError(res: http.ServerResponse, def: ServiceDef | undefined, protocol: ServiceDef['protocol'], err: AwsError, requestId: string, method?: string): void {
    if (def?.protocol === 'rest-xml') {
      send(res, err.status, 'application/xml', method === 'HEAD' ? '' : def.renderError(err, requestId), requestId, { 'x-amz-request-id': requestId });
    } else if (protocol === 'query') {
      const xmlns = def?.protocol === 'query' ? def.xmlns : 'https://sts.amazonaws.com/doc/2011-06-15/';
      send(res, err.status, QUERY_CONTENT_TYPE, renderQueryError(err, xmlns, requestId), requestId);
    } else {
      const extra: Record<string, string> = { 'x-amzn-errortype': `${err.code}:` };
      if (def?.protocol === 'json' && def.queryCompatible) extra['x-amzn-query-error'] = `${err.code};${err.type}`;
      send(res, err.status, JSON_CONTENT_TYPE, renderJsonError(err), requestId, extra);
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const startedAt = new Date();
    const requestId = randomUUID();
    const body = await readBody(req);
    if (stopped || res.destroyed) return;
    const contentType = String(req.headers['content-type'] ?? '');
    const scope = parseAuthorization(req.headers.authorization);
    const def: ServiceDef | undefined = scope && Object.prototype.hasOwnProperty.call(SERVICES, scope.service) ? SERVICES[scope.service as ScenarioService] : undefined;
    const protocol: ServiceDef['protocol'] = def ? def.protocol : contentType.includes('x-www-form-urlencoded') ? 'query' : 'json';

    const rec: CallRecord = {
      seq: ++seq,
      service: def ? def.service : 'unknown',
      action: 'unknown',
      accessKeyId: scope?.accessKeyId,
      userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined,
      region: scope?.region ?? 'unknown',
      params: {},
      outcome: 'pending',
      startedAt,
    };
    if (!countsOnly) calls.push(rec);

    const fail = (err: AwsError) => {
      finish(rec, 'error', err.status, err.code);
      sendError(res, def, protocol, err, requestId, req.method);
    };

    if (body === undefined) return fail(new AwsError('RequestEntityTooLarge', 'Request body too large or aborted', 413));
    if (req.method !== 'POST' && def?.protocol !== 'rest-xml') return fail(new AwsError('InvalidAction', `Unsupported HTTP method ${req.method ?? ''}`));
    if (!scope) {
      return fail(
        protocol === 'query'
          ? new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403)
          : new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403),
      );
    }
    if (!def) return fail(new AwsError('UnknownServiceException', `The simulator does not serve service "${scope.service}"`));

    // Action and parameters.
    let action: string;
    let params: QueryParams | JsonParams | RestRequest;
    try {
      if (def.protocol === 'rest-xml' || def.protocol === 'rest-json') {
        const url = new URL(req.url ?? '/', 'http://simulator');
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        const rest: RestRequest = {
          method: req.method ?? 'GET',
          path: decodeURIComponent(url.pathname),
          query: Object.fromEntries(url.searchParams),
          headers,
          host: String(req.headers.host ?? ''),
          body,
        };
        params = rest;
        action = def.route(rest);
      } else if (def.protocol === 'query') {
        const q = parseQueryBody(body);
        params = q;
        action = q.Action ?? '';
      } else {
        const target = String(req.headers['x-amz-target'] ?? '');
        const dot = target.lastIndexOf('.');
        const prefix = dot >= 0 ? target.slice(0, dot) : '';
        action = dot >= 0 ? target.slice(dot + 1) : '';
        if (!def.targetPrefixes.includes(prefix)) action = '';
        params = parseJsonBody(body);
      }
    } catch (e) {
      return fail(e instanceof AwsError ? e : new AwsError('SerializationException', String(e)));
    }
    rec.action = action || 'unknown';
    const handler = (def.actions as Record<string, ((ctx: CallContext, p: never) => unknown) | undefined>)[action];
    try {
      rec.params = (def.describe as (a: string, p: unknown) => Record<string, unknown>)(action, params);
    } catch {
      rec.params = {};
    }

    // Identity (kept as an error to answer after faults and latency, like the real network path).
    const now = awsNow();
    let identity: Identity | undefined;
    let authError: AwsError | undefined;
    try {
      identity = world.identify(scope.accessKeyId, req.headers['x-amz-security-token'] as string | undefined, def.service, now);
      rec.account = identity.accountId;
      const problem = verifySignatures ? sigV4Problem({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.from(body, 'utf8') }, (k) => world.secretFor(k)) : undefined;
      if (problem) {
        const message = `The request signature we calculated does not match the signature you provided (${problem}).`;
        throw def.protocol === 'json' ? new AwsError('InvalidSignatureException', message, 400) : new AwsError('SignatureDoesNotMatch', message, 403);
      }
      const amzDate = String(req.headers['x-amz-date'] ?? '');
      const tolerance = CLOCK_TOLERANCE_MS[def.service] ?? DEFAULT_CLOCK_TOLERANCE_MS;
      const skewed = verifySignatures ? requestTimeProblem(amzDate, now, tolerance) : undefined;
      if (skewed) {
        if (def.protocol === 'rest-xml') {
          throw new AwsError('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', 403, {
            RequestTime: amzDate,
            ServerTime: now.toISOString(),
            MaxAllowedSkewMilliseconds: String(tolerance),
          });
        }
        throw def.protocol === 'json' ? new AwsError('InvalidSignatureException', skewed, 400) : new AwsError('SignatureDoesNotMatch', skewed, 403);
      }
    } catch (e) {
      authError = e as AwsError;
    }
    if (def.service === 'sts' && action === 'AssumeRole') rec.targetAccount = parseRoleArn((params as QueryParams).RoleArn)?.accountId;

    // Faults.
    const fault = faults.match({ service: def.service, action, account: rec.account, targetAccount: rec.targetAccount, region: scope.region });
    if (fault) {
      rec.fault = fault.kind;
      switch (fault.kind) {
        case 'reset':
          finish(rec, 'fault');
          req.socket.destroy();
          return;
        case 'hang':
          finish(rec, 'fault');
          return; // never answered; stop() destroys the socket, or the client gives up
        case 'delay':
          await sleep(fault.delayMs ?? 0);
          break;
        case 'error': {
          await sleep(latencyFor(rec));
          const err = faultError(fault, def.protocol === 'json' || def.protocol === 'rest-json' ? 'json' : 'query');
          finish(rec, 'fault', err.status, err.code);
          sendError(res, def, def.protocol, err, requestId, req.method);
          return;
        }
        case 'malformed':
          await sleep(latencyFor(rec));
          finish(rec, 'fault', 200);
          send(res, 200, def.protocol === 'json' ? JSON_CONTENT_TYPE : def.protocol === 'query' ? QUERY_CONTENT_TYPE : 'application/xml', fault.body ?? '', requestId);
          return;
      }
    }

    await sleep(latencyFor(rec));
    if (stopped) return;

    try {
      if (authError) throw authError;
      if (!identity) throw new AwsError('InternalFailure', 'no identity', 500);
      if (!handler) {
        throw def.protocol === 'query'
          ? new AwsError('InvalidAction', `Could not find operation ${action} for version ${def.version}`)
          : def.protocol === 'rest-xml'
            ? new AwsError('NotImplemented', `The simulator does not implement ${req.method ?? ''} ${req.url ?? ''}`, 501)
            : new AwsError('UnknownOperationException', `Unknown operation ${String(req.headers['x-amz-target'] ?? '')}`);
      }
      if (def.regional && !world.regions.has(scope.region)) {
        // A region the account has not enabled (opt-in region): AWS rejects the credentials there.
        throw def.protocol === 'query'
          ? new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403)
          : new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
      }
      const ctx: CallContext = { world, identity, region: scope.region, action, now };
      const result = (handler as (c: CallContext, p: unknown) => unknown)(ctx, params);
      if (def.protocol === 'rest-xml') {
        const r = result as { status: number; headers?: Record<string, string>; body?: string };
        if (!res.destroyed && !res.writableEnded && !res.headersSent) {
          const body = req.method === 'HEAD' ? '' : (r.body ?? '');
          res.writeHead(r.status, { 'x-amz-request-id': requestId, 'content-length': String(Buffer.byteLength(body)), date: awsNow().toUTCString(), ...r.headers });
          res.end(body);
        }
      } else if (def.protocol === 'query') {
        send(res, 200, QUERY_CONTENT_TYPE, renderQueryResult(action, def.xmlns, result, requestId), requestId);
      } else {
        send(res, 200, JSON_CONTENT_TYPE, renderJsonResult(result), requestId);
      }
      if (rec.outcome === 'pending') finish(rec, 'ok', 200);
    } catch (e) {
      const err = e instanceof AwsError ? e : new AwsError(def.protocol === 'query' ? 'InternalFailure' : 'InternalFailure', `Simulator failure: ${String(e)}`, 500);
      fail(err);
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent && !res.destroyed) {
        res.statusCode = 500;
        res.end(String(e));
      }
    });
  });
  // Longer than the SDK's idle sockets live, so the server never closes a socket a client is about to reuse.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.setNoDelay(true);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, socket) => {
    if (!socket.destroyed) socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port ?? 0, host: bindHost, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = bindHost.includes(':') ? `[${bindHost}]` : bindHost;

  const sim: Simulator = {
    url: `http://${urlHost}:${port}`,
    port,
    published: world.published,
    get findings() {
      return importedFindings(world);
    },
    calls,
    get scenario() {
      return world.scenario;
    },
    callCount(service, action) {
      if (countsOnly) {
        let n = 0;
        for (const [key, c] of counts) {
          const [s, a] = key.split(':');
          if ((service === undefined || s === service) && (action === undefined || a === action)) n += c;
        }
        return n;
      }
      return calls.filter((c) => (service === undefined || c.service === service) && (action === undefined || c.action === action)).length;
    },
    callCounts() {
      if (countsOnly) return Object.fromEntries(counts);
      const out: Record<string, number> = {};
      for (const c of calls) out[`${c.service}:${c.action}`] = (out[`${c.service}:${c.action}`] ?? 0) + 1;
      return out;
    },
    reset() {
      calls.length = 0;
      counts.clear();
      world.published.length = 0;
      faults.reset();
      rand = mulberry32(world.scenario.latency?.seed ?? 1);
    },
    setScenario(s) {
      world.setScenario(s);
      faults.setFaults(s.faults, s.latency?.seed ?? 1);
      rand = mulberry32(s.latency?.seed ?? 1);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      sockets.clear();
      await closed;
    },
  };
  return sim;
}
