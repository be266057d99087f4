/**
 * SDK clients for one run. Every client shares one keep-alive connection pool: the CloudTrail
 * endpoint of a region is the same host for every account, so per-account clients are cheap
 * and hold no sockets of their own. Endpoints, including `AWS_ENDPOINT_URL`, resolve as the SDK does.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import * as http from 'node:http';
import * as https from 'node:https';

export interface ClientOptions {
  /** Attempts per call, first included (SDK standard retry mode: backoff with jitter, throttling-aware). */
  maxAttempts: number;
  /** Milliseconds one HTTP request may take before it fails and is retried. */
  callTimeoutMs: number;
  /** Open connections per endpoint host. */
  maxSockets: number;
  /** Endpoint for every service (tests); normally unset, so the SDK resolves it (AWS_ENDPOINT_URL included). */
  endpoint?: string;
  /** The run's own credentials; normally unset, so the SDK's default chain provides them. */
  credentials?: Credentials;
}

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export class AwsClients {
  private readonly handler: NodeHttpHandler;
  private readonly sts = new Map<string, STSClient>();

  constructor(private readonly options: ClientOptions) {
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
    this.handler = new NodeHttpHandler({
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      connectionTimeout: Math.min(options.callTimeoutMs, 5000),
      requestTimeout: options.callTimeoutMs,
      throwOnRequestTimeout: true,
    });
  }

  private common(region: string) {
    const { endpoint, credentials, maxAttempts } = this.options;
    return { region, maxAttempts, retryMode: 'standard', requestHandler: this.handler, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}) };
  }

  /** One long-lived STS client per region, with the run's own credentials. */
  stsClient(region: string): STSClient {
    let client = this.sts.get(region);
    if (!client) {
      client = new STSClient(this.common(region));
      this.sts.set(region, client);
    }
    return client;
  }

  organizations(region: string): OrganizationsClient {
    return new OrganizationsClient(this.common(region));
  }

  /** A CloudTrail client acting as one account; `credentials` undefined means the run's own. */
  cloudTrail(region: string, credentials?: Credentials): CloudTrailClient {
    return new CloudTrailClient({ ...this.common(region), ...(credentials ? { credentials } : {}) });
  }

  sns(region: string): SNSClient {
    return new SNSClient(this.common(region));
  }

  /** Closes the shared connection pool (the clients must not be used afterwards). */
  close(): void {
    this.handler.destroy();
  }
}
