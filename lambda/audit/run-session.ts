/**
 * The start of every audit, whole organization or one account: who the caller is, the run's id,
 * and the run's account credentials (AssumeRole with the run's session name, ExternalId and pacing).
 */
import { AccountCredentials } from '../aws/credentials';
import type { AwsClients } from '../aws/clients';
import type { AuditConfig } from '../config';
import { makeRunId } from './assemble-report';
import { identifyCaller, type Caller } from './identify-caller';

export interface RunStart {
  caller: Caller;
  runId: string;
  credentials: AccountCredentials;
}

export async function startRun(config: AuditConfig, clients: AwsClients, started: number, signal: AbortSignal): Promise<RunStart> {
  const caller = await identifyCaller(clients.stsClient(config.region), config.region, signal);
  const runId = makeRunId(started);
  const credentials = new AccountCredentials(
    clients.assumeRole(config.region),
    { partition: caller.partition, roleName: config.roleName, externalId: config.externalId, sessionName: `trailcheck-${runId}`, ownAccountId: caller.accountId, assumeRolePerSecond: config.assumeRolePerSecond },
    signal,
  );
  return { caller, runId, credentials };
}
