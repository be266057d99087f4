/**
 * The scenario file the local AWS simulator loads: an organization, its accounts and trails, and
 * the faults to inject. Field names of trails, selectors and statuses follow the CloudTrail API
 * (camelCase here, PascalCase on the wire), so a scenario reads like the responses it produces.
 */

export type Partition = 'aws' | 'aws-us-gov' | 'aws-cn';

export interface Scenario {
  /** Partition of every ARN the simulator produces. Default `aws`. */
  partition?: Partition;
  /** Regions the accounts have enabled (CloudTrail answers in these only). Default: the 17 default commercial regions. */
  regions?: string[];
  /** Absent: the caller's account is in no organization (`AWSOrganizationsNotInUseException`). */
  organization?: ScenarioOrganization;
  /** The long-term credentials a client starts with (the CLI's or the Lambda's own). */
  caller: ScenarioCaller;
  accounts: ScenarioAccount[];
  /** SNS topics that exist; publishing elsewhere is `NotFound`. */
  topics?: string[];
  /** S3 buckets that exist (any account of the scenario may read and write them); others are `NoSuchBucket`. */
  buckets?: string[];
  /** Secrets Manager secrets of the caller's account. */
  secrets?: ScenarioSecret[];
  /** Security Hub (BatchImportFindings): enabled in every account and region unless listed here. */
  securityHub?: ScenarioSecurityHub;
  faults?: ScenarioFault[];
  /** Per-call latency injected before answering (milliseconds). */
  latency?: ScenarioLatency;
  /**
   * How far the simulated AWS clock is ahead of this machine's, in seconds (negative: behind).
   * Requests signed more than the service's tolerance away from it are rejected as AWS rejects
   * them, and every response's `Date` header, issued credentials and times use it. Default 0.
   */
  clockOffsetSeconds?: number;
}

export interface ScenarioOrganization {
  id: string; // o-xxxxxxxxxx
  managementAccountId: string;
  rootId: string; // r-xxxx
  /** Accounts registered as delegated administrator for Organizations reads (they may list accounts). */
  delegatedAdministrators?: string[];
  ous?: ScenarioOu[];
}

export interface ScenarioOu {
  id: string; // ou-xxxx-xxxxxxxx
  name: string;
  /** Root id or another OU id. */
  parentId: string;
}

export interface ScenarioCaller {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** IAM principal the caller is, for GetCallerIdentity. Default `user/trailcheck`. */
  principal?: string;
}

export interface ScenarioAccount {
  id: string; // 12 digits
  name: string;
  email?: string;
  /** Organizations `State`. Default ACTIVE. */
  state?: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED' | string;
  /** Root or OU id. Default: the root. */
  parentId?: string;
  /** Set false to leave the account out of ListAccounts (e.g. removed after listing). Default true. */
  listed?: boolean;
  /** Roles that can be assumed in this account, by name. */
  roles?: ScenarioRole[];
  trails?: ScenarioTrail[];
}

export interface ScenarioRole {
  name: string;
  /** When set, AssumeRole must present this ExternalId. */
  externalId?: string;
  /** `deny`: AssumeRole answers AccessDenied (trust policy does not allow the caller). Default allow. */
  trust?: 'allow' | 'deny';
  /** The role's MaxSessionDuration in seconds (3600–43200); AssumeRole asking for more is a ValidationError. Default 3600. */
  maxSessionDuration?: number;
}

export interface ScenarioTrail {
  name: string;
  homeRegion: string;
  isMultiRegionTrail: boolean;
  /** Only the management account can own organization trails; members see them. */
  isOrganizationTrail?: boolean;
  /** Default: true for multi-region trails. */
  includeGlobalServiceEvents?: boolean;
  s3BucketName?: string;
  status: { isLogging: boolean; latestDeliveryError?: string };
  /** Classic selectors. Absent together with advancedEventSelectors: the default classic selector (All, management). */
  eventSelectors?: Array<{
    readWriteType?: 'ReadOnly' | 'WriteOnly' | 'All';
    includeManagementEvents?: boolean;
    excludeManagementEventSources?: string[];
    dataResources?: Array<{ type: string; values: string[] }>;
  }>;
  advancedEventSelectors?: Array<{
    name?: string;
    fieldSelectors: Array<{
      field: string;
      equals?: string[];
      startsWith?: string[];
      endsWith?: string[];
      notEquals?: string[];
      notStartsWith?: string[];
      notEndsWith?: string[];
    }>;
  }>;
  /**
   * Organization trails only: what a member account's GetTrailStatus / GetEventSelectors on the
   * trail's ARN returns. Default `allow` (the owner's data). Otherwise the named AWS error.
   */
  memberAccess?: 'allow' | 'TrailNotFoundException' | 'AccessDeniedException' | 'CloudTrailARNInvalidException';
}

export interface ScenarioSecret {
  /** The secret's name (GetSecretValue accepts it, or the full ARN). */
  name: string;
  /** `SecretString`. */
  value: string;
  /** Region the secret lives in. Default: the first of the scenario's regions. */
  region?: string;
}

export interface ScenarioSecurityHub {
  /** Accounts where Security Hub is not enabled: their BatchImportFindings is `InvalidAccessException` (not subscribed). */
  notEnabled?: string[];
}

export type ScenarioService = 'sts' | 'organizations' | 'cloudtrail' | 'sns' | 's3' | 'secretsmanager' | 'securityhub';

export interface ScenarioFault {
  service: ScenarioService;
  /** API action, e.g. `AssumeRole`, `ListAccounts`, `DescribeTrails`. Absent: every action of the service. */
  action?: string;
  /** The account making the call (by its credentials). */
  account?: string;
  /** For AssumeRole: the account whose role is assumed. */
  targetAccount?: string;
  region?: string;
  /** What happens. `reset` destroys the socket without answering; `hang` never answers. */
  kind: 'error' | 'reset' | 'hang' | 'delay' | 'malformed';
  /** For `error`: the AWS error code, HTTP status (default 400) and message. */
  code?: string;
  status?: number;
  message?: string;
  /** For `delay`: milliseconds before the normal answer. */
  delayMs?: number;
  /**
   * For `malformed`: the response body to send instead (a string, sent as is), so clients meet
   * missing or wrongly typed fields.
   */
  body?: string;
  /** Apply to the first N matching calls only (then answer normally). Default: every matching call. */
  times?: number;
  /** Skip the first N matching calls before applying. Default 0 (e.g. fail ListAccounts' third page). */
  after?: number;
  /**
   * Apply to this fraction of the matching calls inside the window, drawn at random (0 < p ≤ 1;
   * seeded by `latency.seed`, apart from the latency draws). Default 1: every one.
   */
  probability?: number;
}

export interface ScenarioLatency {
  /** Milliseconds, for actions with no entry of their own. */
  default?: LatencySpec;
  /** By action name, e.g. `ListAccounts`. */
  byAction?: Record<string, LatencySpec>;
  /** Seed for the random draws, so runs repeat. */
  seed?: number;
}

/** A fixed number, or uniform between min and max. */
export type LatencySpec = number | { min: number; max: number };
