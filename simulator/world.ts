/**
 * The simulator's live state: the scenario with its indexes, the credentials issued by
 * AssumeRole, and the recorded SNS publishes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AwsError } from './errors';
import { DEFAULT_REGIONS } from './scenario';
import type { Partition, Scenario, ScenarioAccount, ScenarioOrganization, ScenarioService, ScenarioTrail } from './scenario-types';

/** Who is calling, resolved from the access key of the request's SigV4 credential scope. */
export interface Identity {
  accountId: string;
  accessKeyId: string;
  /** `arn:aws:iam::<id>:user/...` or `arn:aws:sts::<id>:assumed-role/<role>/<session>`. */
  arn: string;
  userId: string;
  kind: 'caller' | 'assumed-role';
}

interface IssuedCredential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  accountId: string;
  roleName: string;
  sessionName: string;
}

export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  messageStructure?: string;
  /** Decoded attributes: String/Number values as strings, Binary values as base64 strings. */
  messageAttributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  /** Publishing account and the region of the call. */
  account: string;
  region: string;
  time: Date;
}

/** A trail together with the account that owns it. */
export interface OwnedTrail {
  owner: string;
  trail: ScenarioTrail;
  arn: string;
}

export class World {
  scenario!: Scenario;
  partition: Partition = 'aws';
  regions = new Set<string>();
  accounts = new Map<string, ScenarioAccount>();
  /** Every trail by ARN. */
  trailsByArn = new Map<string, OwnedTrail>();
  readonly credentials = new Map<string, IssuedCredential>();
  readonly published: PublishedMessage[] = [];
  /** Reference time for the status timestamps of trails. */
  readonly startedAt = new Date();

  constructor(scenario: Scenario) {
    this.setScenario(scenario);
  }

  setScenario(s: Scenario): void {
    this.scenario = s;
    this.partition = s.partition ?? 'aws';
    this.regions = new Set(s.regions ?? DEFAULT_REGIONS);
    this.accounts = new Map(s.accounts.map((a) => [a.id, a]));
    this.trailsByArn = new Map();
    for (const a of s.accounts) {
      for (const t of a.trails ?? []) {
        const arn = this.trailArn(a.id, t);
        this.trailsByArn.set(arn, { owner: a.id, trail: t, arn });
      }
    }
  }

  get organization(): ScenarioOrganization | undefined {
    return this.scenario.organization;
  }

  trailArn(owner: string, t: ScenarioTrail): string {
    return `arn:${this.partition}:cloudtrail:${t.homeRegion}:${owner}:trail/${t.name}`;
  }

  /** Whether `accountId` belongs to the scenario's organization (every scenario account does when there is one). */
  inOrganization(accountId: string): boolean {
    return this.organization !== undefined && this.accounts.has(accountId);
  }

  accountState(accountId: string): string {
    return this.accounts.get(accountId)?.state ?? 'ACTIVE';
  }

  callerArn(): string {
    const c = this.scenario.caller;
    const principal = c.principal ?? 'user/trailcheck';
    const service = principal.startsWith('assumed-role/') ? 'sts' : 'iam';
    return `arn:${this.partition}:${service}::${c.accountId}:${principal}`;
  }

  /**
   * Resolves the access key of a request. Unknown keys, and session keys presented without their
   * session token, are `InvalidClientTokenId` (query) / `UnrecognizedClientException` (JSON).
   */
  /** The secret of an access key this world knows (the caller's, or one AssumeRole issued). */
  secretFor(accessKeyId: string): string | undefined {
    if (accessKeyId === this.scenario.caller.accessKeyId) return this.scenario.caller.secretAccessKey;
    return this.credentials.get(accessKeyId)?.secretAccessKey;
  }

  identify(accessKeyId: string, sessionToken: string | undefined, service: ScenarioService, now: Date): Identity {
    const query = service === 'sts' || service === 'sns';
    const invalid = () =>
      query
        ? new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403)
        : new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
    const c = this.scenario.caller;
    if (accessKeyId === c.accessKeyId) {
      const principal = c.principal ?? 'user/trailcheck';
      return {
        accountId: c.accountId,
        accessKeyId,
        arn: this.callerArn(),
        userId: principal.startsWith('assumed-role/')
          ? `AROA${stableId(c.accountId + principal)}:${principal.split('/').pop() ?? 'session'}`
          : `AIDA${stableId(c.accountId + principal)}`,
        kind: 'caller',
      };
    }
    const cred = this.credentials.get(accessKeyId);
    if (!cred || sessionToken !== cred.sessionToken) throw invalid();
    if (cred.expiration.getTime() <= now.getTime()) {
      throw query
        ? new AwsError('ExpiredToken', 'The security token included in the request is expired', 403)
        : new AwsError('ExpiredTokenException', 'The security token included in the request is expired', 403);
    }
    return {
      accountId: cred.accountId,
      accessKeyId,
      arn: `arn:${this.partition}:sts::${cred.accountId}:assumed-role/${cred.roleName}/${cred.sessionName}`,
      userId: `${roleId(cred.accountId, cred.roleName)}:${cred.sessionName}`,
      kind: 'assumed-role',
    };
  }

  issueCredentials(accountId: string, roleName: string, sessionName: string, durationSeconds: number, now: Date): IssuedCredential {
    const cred: IssuedCredential = {
      accessKeyId: `ASIA${randomBytes(12).toString('hex').toUpperCase().slice(0, 16)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(96).toString('base64')}`,
      expiration: new Date(Math.floor(now.getTime() / 1000) * 1000 + durationSeconds * 1000),
      accountId,
      roleName,
      sessionName,
    };
    this.credentials.set(cred.accessKeyId, cred);
    return cred;
  }
}

/** 17 upper-case characters derived from `seed`, like the unique part of IAM ids. */
export function stableId(seed: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const h = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; i < 17; i++) out += alphabet[h[i] % 32];
  return out;
}

export function roleId(accountId: string, roleName: string): string {
  return `AROA${stableId(`${accountId}/${roleName}`)}`;
}
