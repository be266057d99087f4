/**
 * The per-region scanning approach, for comparison in `npm run bench`: what Prowler-style tools
 * do for each account — AssumeRole, then in each enabled region `DescribeTrails` followed by
 * `GetTrailStatus` and `GetEventSelectors` for every trail that region lists (a multi-region
 * trail is listed, and read, in every region).
 *
 * It is given everything trailcheck has, so that only the call pattern differs: the same SDK
 * clients and shared connection pool, the same account listing streamed into the same bounded
 * pool, the same AssumeRole rate cap, and the same rule to reach a verdict.
 */
import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { listAccountPages } from '../lambda/aws/accounts';
import type { AwsClients, CloudTrailApi } from '../lambda/aws/clients';
import { AccountCredentials, partitionOf } from '../lambda/aws/credentials';
import { toSelectorConfig } from '../lambda/aws/trails';
import { createPool } from '../lambda/audit/pool';
import type { AuditConfig } from '../lambda/config';
import { errorVerdict, evaluateAccount } from '../lambda/rule/evaluate';
import type { TrailFacts } from '../lambda/rule/types';

export interface BaselineOptions {
  /** Regions scanned in each account (the 17 default commercial regions). */
  regions: readonly string[];
  /** `parallel`: every region of an account at once (as Prowler's per-region threads); `serial`: one region after another. */
  regionMode: 'parallel' | 'serial';
  /** Audit only the first `limit` accounts listed (the listing stops there). */
  limit: number;
}

export async function runBaseline(config: AuditConfig, clients: AwsClients, o: BaselineOptions): Promise<Record<string, number>> {
  const sts = clients.stsClient(config.region);
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  const credentials = new AccountCredentials(sts, {
    partition: partitionOf(identity.Arn as string),
    roleName: config.roleName,
    sessionName: 'trailcheck-baseline',
    ownAccountId: identity.Account as string,
    assumeRolePerSecond: config.assumeRolePerSecond,
  });
  const pool = createPool(config.concurrency);
  const statuses: Record<string, number> = {};
  const pending: Array<Promise<void>> = [];

  const auditOne = async (accountId: string) => {
    let verdict;
    try {
      const creds = await credentials.forAccount(accountId);
      const byRegion = new Map<string, CloudTrailApi>(o.regions.map((r) => [r, clients.cloudTrail(r, creds)]));
      const scanRegion = async (region: string): Promise<TrailFacts[]> => {
        const out = await (byRegion.get(region) as CloudTrailApi).send(new DescribeTrailsCommand({}));
        return Promise.all(
          (out.trailList ?? []).map(async (t): Promise<TrailFacts> => {
            const home = t.HomeRegion as string;
            const client = byRegion.get(home) ?? clients.cloudTrail(home, creds);
            const [status, selectors] = await Promise.all([
              client.send(new GetTrailStatusCommand({ Name: t.TrailARN })),
              client.send(new GetEventSelectorsCommand({ TrailName: t.TrailARN })),
            ]);
            return {
              arn: t.TrailARN as string,
              name: t.Name as string,
              homeRegion: home,
              ownerAccountId: (t.TrailARN as string).split(':')[4],
              isMultiRegionTrail: t.IsMultiRegionTrail === true,
              isOrganizationTrail: t.IsOrganizationTrail === true,
              includeGlobalServiceEvents: t.IncludeGlobalServiceEvents,
              details: {
                ok: true,
                source: 'self',
                status: { isLogging: status.IsLogging === true },
                selectors: toSelectorConfig(t.TrailARN as string, selectors.EventSelectors, selectors.AdvancedEventSelectors),
              },
            };
          }),
        );
      };
      const perRegion: TrailFacts[][] = [];
      if (o.regionMode === 'parallel') perRegion.push(...(await Promise.all(o.regions.map(scanRegion))));
      else for (const r of o.regions) perRegion.push(await scanRegion(r));
      verdict = evaluateAccount(perRegion.flat(), { strict: config.strict });
    } catch (err) {
      verdict = errorVerdict('API_ERROR', String(err));
    }
    statuses[verdict.status] = (statuses[verdict.status] ?? 0) + 1;
  };

  listing: for await (const page of listAccountPages(clients.organizations(config.region))) {
    for (const a of page.accounts) {
      if (pending.length >= o.limit) break listing;
      pending.push(pool(() => auditOne(a.id)));
    }
  }
  await Promise.all(pending);
  return statuses;
}
