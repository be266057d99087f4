/**
 * Plain fakes for the audit steps that take the run's shared state: STS (AssumeRole, through the
 * real AccountCredentials), each account's DescribeTrails (through the real TrailListings), and
 * CloudTrail's GetTrailStatus / GetEventSelectors, each call recorded with the account it acts as.
 */
import { GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { TrailListings } from '../../lambda/audit/trail-listings';
import type { AwsClients } from '../../lambda/aws/clients';
import { AccountCredentials } from '../../lambda/aws/credentials';
import type { TrailFacts } from '../../lambda/rule/types';

export const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });

export function trail(owner: string, name: string, extra: Partial<TrailFacts> = {}): TrailFacts {
  const homeRegion = extra.homeRegion ?? 'us-east-1';
  return { arn: `arn:aws:cloudtrail:${homeRegion}:${owner}:trail/${name}`, name, homeRegion, ownerAccountId: owner, isMultiRegionTrail: true, isOrganizationTrail: false, ...extra };
}

export interface TrailRead {
  as: string;
  region: string;
  call: 'GetTrailStatus' | 'GetEventSelectors';
  arn: string;
}

type Answer = Error | { IsLogging: boolean } | undefined;

export interface World {
  /** The run's own account: its calls carry no assumed credentials. */
  caller: string;
  /** Each account's DescribeTrails, or the error it fails with. */
  trails: Record<string, TrailFacts[] | Error>;
  /** AssumeRole into these accounts fails with this error. */
  assumeFails?: Record<string, Error>;
  /** GetTrailStatus as `account` on `arn` (key `account arn`): an error, or the status; default logging. */
  status?: Record<string, Answer>;
  /** Milliseconds each DescribeTrails takes, listening on the signal. */
  listingDelayMs?: number;
  signal?: AbortSignal;
}

/** The clients, credentials and listings of a run over `world`, and what each was asked. */
export function fakeRun(world: World) {
  const assumed: string[] = [];
  const listed: string[] = [];
  const reads: TrailRead[] = [];
  let listingsInFlight = 0;
  let mostListingsInFlight = 0;
  const signal = world.signal ?? new AbortController().signal;

  const sts = {
    send: async (command: AssumeRoleCommand) => {
      const id = command.input.RoleArn!.split(':')[4];
      assumed.push(id);
      const fails = world.assumeFails?.[id];
      if (fails) throw fails;
      return { Credentials: { AccessKeyId: `AKIA${id}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) }, $metadata: {} };
    },
  };
  const credentials = new AccountCredentials(sts as never, { partition: 'aws', roleName: 'TrailcheckAuditRole', sessionName: 'trailcheck-test', ownAccountId: world.caller, assumeRolePerSecond: 10_000 }, signal);
  const actingAs = (creds?: AwsCredentialIdentity) => (creds ? creds.accessKeyId.replace(/^AKIA/, '') : world.caller);

  const listings = new TrailListings(async (accountId) => {
    listed.push(accountId);
    listingsInFlight += 1;
    mostListingsInFlight = Math.max(mostListingsInFlight, listingsInFlight);
    try {
      if (world.listingDelayMs) await delay(world.listingDelayMs, signal);
      const t = world.trails[accountId];
      if (t === undefined) throw awsError('TrailNotProvisionedInTest', `no trails set up for ${accountId}`);
      if (t instanceof Error) throw t;
      return t;
    } finally {
      listingsInFlight -= 1;
    }
  });

  const clients = {
    cloudTrail: (region: string, creds?: AwsCredentialIdentity) => ({
      send: async (command: unknown) => {
        const as = actingAs(creds);
        if (command instanceof GetTrailStatusCommand) {
          const arn = command.input.Name!;
          reads.push({ as, region, call: 'GetTrailStatus', arn });
          const answer = world.status?.[`${as} ${arn}`];
          if (answer instanceof Error) throw answer;
          return answer ?? { IsLogging: true };
        }
        if (command instanceof GetEventSelectorsCommand) {
          const arn = command.input.TrailName!;
          reads.push({ as, region, call: 'GetEventSelectors', arn });
          return { TrailARN: arn, EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] };
        }
        throw new Error(`unexpected command ${(command as object).constructor.name}`);
      },
    }),
  } as unknown as AwsClients;

  return { clients, credentials, listings, signal, assumed, listed, reads, mostListingsInFlight: () => mostListingsInFlight };
}

/** Resolves after `ms`, or rejects with an AbortError when `signal` fires first (as the SDK does). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => reject(awsError('AbortError', 'Request aborted'));
    if (signal?.aborted) return aborted();
    const t = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms);
    const onAbort = () => (clearTimeout(t), aborted());
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A promise that resolves once `signal` aborts, as the run's deadline does. */
export function reachedWhen(signal: AbortSignal): Promise<'deadline'> {
  return new Promise((resolve) => (signal.aborted ? resolve('deadline') : signal.addEventListener('abort', () => resolve('deadline'), { once: true })));
}
