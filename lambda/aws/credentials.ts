/**
 * Credentials for each audited account: the run's own for its own account, AssumeRole into the
 * audit role for the others. Memoized per account (the organization trail's owner is assumed
 * once, however many members need it) and rate-limited well under STS's quota.
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { AssumeRoleApi } from './clients';
import { MalformedResponseError } from './errors';

export type Partition = 'aws' | 'aws-us-gov' | 'aws-cn';

export interface CredentialOptions {
  partition: string;
  roleName: string;
  externalId?: string;
  /** Identifies trailcheck in the member's CloudTrail (`assumed-role/<role>/<session>`). */
  sessionName: string;
  /** The account the run's own credentials belong to: audited with them, no AssumeRole. */
  ownAccountId: string;
  /** Cap on AssumeRole calls per second. */
  assumeRolePerSecond: number;
}

export function roleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** `arn:aws-us-gov:sts::123:assumed-role/x/y` → `aws-us-gov`. */
export function partitionOf(arn: string): string {
  const m = arn.match(/^arn:([\w-]+):/);
  if (!m) throw new MalformedResponseError(`GetCallerIdentity returned Arn ${JSON.stringify(arn)}, which is not an ARN`);
  return m[1];
}

export class AccountCredentials {
  private readonly cache = new Map<string, Promise<AwsCredentialIdentity | undefined>>();
  private readonly limiter: RateLimiter;

  constructor(
    private readonly sts: AssumeRoleApi,
    private readonly options: CredentialOptions,
    private readonly abortSignal?: AbortSignal,
  ) {
    this.limiter = new RateLimiter(options.assumeRolePerSecond);
  }

  /** Credentials for the account, or undefined for the run's own account (use the default chain). */
  forAccount(accountId: string): Promise<AwsCredentialIdentity | undefined> {
    if (accountId === this.options.ownAccountId) return Promise.resolve(undefined);
    let pending = this.cache.get(accountId);
    if (!pending) {
      pending = this.assume(accountId);
      this.cache.set(accountId, pending);
    }
    return pending;
  }

  roleArnFor(accountId: string): string {
    return roleArn(this.options.partition, accountId, this.options.roleName);
  }

  private async assume(accountId: string): Promise<AwsCredentialIdentity> {
    await this.limiter.take(this.abortSignal);
    const out = await this.sts.send(
      new AssumeRoleCommand({
        RoleArn: this.roleArnFor(accountId),
        RoleSessionName: this.options.sessionName,
        ExternalId: this.options.externalId,
        DurationSeconds: 3600,
      }),
      { abortSignal: this.abortSignal },
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      throw new MalformedResponseError('AssumeRole returned no complete Credentials (AccessKeyId, SecretAccessKey, SessionToken)');
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  }
}

/** Token bucket: at most `perSecond` takes per second, with a burst of one second's worth. */
export class RateLimiter {
  private tokens: number;
  private last = Date.now();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }

  take(abortSignal?: AbortSignal): Promise<void> {
    const next = this.chain.then(() => this.wait(abortSignal));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async wait(abortSignal?: AbortSignal): Promise<void> {
    for (;;) {
      if (abortSignal?.aborted) throw Object.assign(new Error('aborted while waiting for the AssumeRole rate limit'), { name: 'AbortError' });
      const now = Date.now();
      this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.tokens) / this.perSecond) * 1000)));
    }
  }
}
