/**
 * SDK clients for one run. Every client shares one keep-alive connection pool, and there is one
 * long-lived client per service and region: building an SDK client resolves its whole
 * configuration (environment, shared config files, endpoint rules), which costs more CPU than the
 * two calls an account needs. No client is built per account.
 *
 * The per-account hot calls (AssumeRole, DescribeTrails, GetTrailStatus, GetEventSelectors) go
 * over the wire path (`wire.ts`: the SDK's endpoint rules, signer, clock-skew correction and this
 * pool, without its per-call middleware stack), unless `transport: 'sdk'` sends them through the
 * SDK clients; any other command sent through the same facade goes to the SDK client. Endpoints,
 * including `AWS_ENDPOINT_URL`, resolve as the SDK does.
 *
 * Both paths retry with one strategy per service and region (`retry.ts`), bounded by the run's
 * deadline once the run sets it (`retryUntil`).
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, type AssumeRoleCommandOutput, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { AsyncLocalStorage } from 'node:async_hooks';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AuditConfig } from '../config';
import { type CallCount, DeadlineRetryStrategy, RetryBudget, type RetryBounds } from './retry';
import { S3Wire } from './s3-wire';
import { type SecurityHubApi, SecurityHubWire } from './security-hub';
import { SqsWire } from './sqs';
import { AssumeRoleWire, CloudTrailWire, cloudTrailOperation } from './wire';

export interface ClientOptions {
  /**
   * Attempts per call, first included, while no run deadline is set (`retryUntil`); with one,
   * throttled and transient calls are retried while the deadline allows.
   */
  maxAttempts: number;
  /** Milliseconds one HTTP request may take before it fails and is retried. */
  callTimeoutMs: number;
  /** Open connections per endpoint host. */
  maxSockets: number;
  /** Endpoint for every service (tests); normally unset, so the SDK resolves it (AWS_ENDPOINT_URL included). */
  endpoint?: string;
  /** The run's own credentials; normally unset, so the SDK's default chain provides them. */
  credentials?: Credentials;
  /** The retry budget of each service and region (tests); normally the defaults of `RetryBudget`. */
  retryBudget?: { capacity: number; perSecond: number };
  /**
   * How the per-account hot calls are sent: `wire` (default: `wire.ts`, about half the CPU per
   * call) or `sdk` (through the SDK clients' full middleware stack).
   */
  transport?: 'wire' | 'sdk';
}

/** What AssumeRole needs of STS: `send`, with the run's own credentials. */
export interface AssumeRoleApi {
  send(command: AssumeRoleCommand, options?: { abortSignal?: AbortSignal }): Promise<AssumeRoleCommandOutput>;
}

/** STS with the run's own credentials: AssumeRole over the wire path, any other command through the SDK client. */
export type StsApi = Pick<STSClient, 'send'>;

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** What the audit needs of a CloudTrail client: `send`, as one account. */
export type CloudTrailApi = Pick<CloudTrailClient, 'send'>;

/** The credentials of the account a CloudTrail request is sent for; unset: the run's own. */
const actingAs = new AsyncLocalStorage<AwsCredentialIdentity | undefined>();

/** The clients a run with these settings uses: its transport, retries, call timeout and sockets. */
export function clientsFor(config: Pick<AuditConfig, 'transport' | 'maxAttempts' | 'callTimeoutMs' | 'concurrency'>): AwsClients {
  return new AwsClients({ transport: config.transport, maxAttempts: config.maxAttempts, callTimeoutMs: config.callTimeoutMs, maxSockets: Math.max(50, config.concurrency * 4) });
}

export class AwsClients {
  private readonly handler: NodeHttpHandler;
  private readonly sts = new Map<string, STSClient>();
  private readonly cloudTrails = new Map<string, CloudTrailClient>();
  private readonly cloudTrailWires = new Map<string, CloudTrailWire>();
  private readonly assumeRoleWires = new Map<string, AssumeRoleWire>();
  private readonly retryStrategies = new Map<string, DeadlineRetryStrategy>();
  private readonly securityHubs = new Map<string, SecurityHubWire>();
  private readonly s3Wires = new Map<string, S3Wire>();
  private readonly sqsWires = new Map<string, SqsWire>();
  private bounds: RetryBounds;

  constructor(private readonly options: ClientOptions) {
    this.bounds = { maxAttempts: options.maxAttempts, callTimeoutMs: options.callTimeoutMs };
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
    this.handler = new NodeHttpHandler({
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      connectionTimeout: Math.min(options.callTimeoutMs, 5000),
      requestTimeout: options.callTimeoutMs,
      throwOnRequestTimeout: true,
    });
  }

  /**
   * Until the returned function is called, retries of throttled and transient errors are bounded
   * by `deadline` (epoch ms) instead of `maxAttempts`, and their waits end when `signal` fires.
   * A run sets this for its own duration: what comes after it (publishing) keeps `maxAttempts`.
   */
  retryUntil(deadline: number | undefined, signal?: AbortSignal): () => void {
    const previous = this.bounds;
    this.bounds = { ...previous, deadline, signal };
    return () => {
      this.bounds = previous;
    };
  }

  /** One strategy, and so one retry budget, per service and region, shared by the SDK client and the wire path. */
  private retryStrategy(service: string, region: string): DeadlineRetryStrategy {
    const key = `${service}:${region}`;
    let strategy = this.retryStrategies.get(key);
    if (!strategy) {
      const b = this.options.retryBudget;
      strategy = new DeadlineRetryStrategy(() => this.bounds, b ? new RetryBudget(b.capacity, b.perSecond) : undefined);
      this.retryStrategies.set(key, strategy);
    }
    return strategy;
  }

  private common(service: string, region: string) {
    const { endpoint, credentials, maxAttempts } = this.options;
    return {
      region,
      maxAttempts,
      retryStrategy: this.retryStrategy(service, region),
      requestHandler: this.handler,
      ...(endpoint ? { endpoint } : {}),
      ...(credentials ? { credentials } : {}),
    };
  }

  /** One long-lived STS client per region, with the run's own credentials. */
  stsClient(region: string): STSClient {
    let client = this.sts.get(region);
    if (!client) {
      client = new STSClient(this.common('sts', region));
      this.sts.set(region, client);
    }
    return client;
  }

  organizations(region: string): OrganizationsClient {
    return new OrganizationsClient(this.common('organizations', region));
  }

  /** STS in `region` with the run's own credentials: AssumeRole over the wire path, other commands through the SDK client. */
  assumeRole(region: string): StsApi {
    const client = this.stsClient(region);
    if (this.options.transport === 'sdk') return client;
    let wire = this.assumeRoleWires.get(region);
    if (!wire) {
      wire = new AssumeRoleWire(this.handler, client, region);
      this.assumeRoleWires.set(region, wire);
    }
    const w = wire;
    const send = (command: unknown, ...rest: unknown[]) =>
      command instanceof AssumeRoleCommand ? w.send(command, rest[0] as { abortSignal?: AbortSignal } | undefined) : (client.send as (...a: unknown[]) => unknown)(command, ...rest);
    return { send: send as StsApi['send'] };
  }

  /**
   * CloudTrail in `region`, acting as one account; `credentials` undefined means the run's own.
   * Cheap: no client is built per account. Each request is signed with `credentials`, so retries
   * and concurrent accounts never mix them up.
   */
  cloudTrail(region: string, credentials?: AwsCredentialIdentity): CloudTrailApi {
    const client = this.cloudTrailClient(region);
    // Through the SDK client: the credentials travel with the request (AsyncLocalStorage).
    const viaSdk = (...args: unknown[]) => actingAs.run(credentials, () => (client.send as (...a: unknown[]) => unknown)(...args));
    if (this.options.transport !== 'sdk') {
      let wire = this.cloudTrailWires.get(region);
      if (!wire) {
        wire = new CloudTrailWire(this.handler, client, region);
        this.cloudTrailWires.set(region, wire);
      }
      const w = wire;
      const send = (command: unknown, ...rest: unknown[]) =>
        cloudTrailOperation(command) ? w.send(command as { input: object }, credentials, (rest[0] as { abortSignal?: AbortSignal } | undefined)?.abortSignal) : viaSdk(command, ...rest);
      return { send: send as unknown as CloudTrailClient['send'] };
    }
    return { send: viaSdk as CloudTrailClient['send'] };
  }

  private cloudTrailClient(region: string): CloudTrailClient {
    let client = this.cloudTrails.get(region);
    if (!client) {
      const own = this.ownCredentials(region);
      // `memoized` tells the SDK not to cache this provider's answer: it differs per request.
      const perRequest = Object.assign(async () => actingAs.getStore() ?? own(), { memoized: true });
      client = new CloudTrailClient({ ...this.common('cloudtrail', region), credentials: perRequest });
      this.cloudTrails.set(region, client);
    }
    return client;
  }

  /** The run's own credentials, resolved once (the STS client's, from the options or the SDK's default chain). */
  private ownCredentials(region: string): () => Promise<AwsCredentialIdentity> {
    return this.stsClient(region).config.credentials;
  }

  sns(region: string): SNSClient {
    return new SNSClient(this.common('sns', region));
  }

  /**
   * Security Hub in `region`, acting as one account (`credentials` undefined: the run's own):
   * BatchImportFindings, signed and sent over the shared pool with the service's retry strategy
   * (aws/security-hub.ts says why not through the SDK client).
   */
  securityHub(region: string, credentials?: AwsCredentialIdentity): SecurityHubApi {
    let wire = this.securityHubs.get(region);
    if (!wire) {
      const ownCredentials = this.options.credentials ?? this.ownCredentials(region);
      wire = new SecurityHubWire(this.handler, { region, endpoint: this.options.endpoint, ownCredentials, retryStrategy: this.retryStrategy('securityhub', region) });
      this.securityHubs.set(region, wire);
    }
    return wire.as(credentials);
  }

  /**
   * The stack's bucket in `region` (reports, pointer, run lock), with the run's own credentials:
   * GetObject, PutObject and DeleteObject signed and sent over the shared pool with S3's retry
   * strategy (aws/s3-wire.ts; aws/s3-objects.ts says why not through the SDK client).
   */
  s3(region: string): S3Wire {
    let wire = this.s3Wires.get(region);
    if (!wire) {
      const credentials = this.options.credentials ?? this.ownCredentials(region);
      wire = new S3Wire(this.handler, { region, endpoint: this.options.endpoint, credentials, retryStrategy: this.retryStrategy('s3', region) });
      this.s3Wires.set(region, wire);
    }
    return wire;
  }

  /**
   * SQS in `region`, with the run's own credentials: ChangeMessageVisibility (the real-time
   * function's retry backoff) over the shared pool with SQS's retry strategy (aws/sqs.ts).
   */
  sqs(region: string): SqsWire {
    let wire = this.sqsWires.get(region);
    if (!wire) {
      const credentials = this.options.credentials ?? this.ownCredentials(region);
      wire = new SqsWire(this.handler, { region, endpoint: this.options.endpoint, credentials, retryStrategy: this.retryStrategy('sqs', region) });
      this.sqsWires.set(region, wire);
    }
    return wire;
  }

  /**
   * Requests sent and throttled answers so far, by service (`sts`, `organizations`, `cloudtrail`,
   * `sns`, `securityhub`, `s3`: the stack's bucket), every region added up: the SDK clients' and
   * the wire paths' alike, each retry a request of its own.
   */
  callCounts(): Record<string, CallCount> {
    const out: Record<string, CallCount> = {};
    for (const [key, strategy] of this.retryStrategies) {
      const service = key.slice(0, key.indexOf(':'));
      const c = (out[service] ??= { calls: 0, throttles: 0 });
      c.calls += strategy.counts.calls;
      c.throttles += strategy.counts.throttles;
    }
    return out;
  }

  /** Closes the shared connection pool (the clients must not be used afterwards). */
  close(): void {
    this.handler.destroy();
  }
}
