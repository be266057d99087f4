/**
 * The per-region scanning approach, for comparison in `npm run bench`: what Prowler-style tools
 * do for each account — AssumeRole, then in each enabled region `DescribeTrails` followed by
 * `GetTrailStatus` and `GetEventSelectors` for every trail that region lists (a multi-region
 * trail is listed, and read, in every region: 17 reads of each call for one multi-region trail).
 * Three schedules of those calls within an account (`regionMode`):
 *
 * - `parallel`: the 17 regions at once; as each region's `DescribeTrails` answers, every trail it
 *   lists is read, `GetTrailStatus` and `GetEventSelectors` side by side, in the trail's home region.
 * - `serial`: the same, one region after another (a region's reads finish before the next region's
 *   `DescribeTrails`).
 * - `prowler`: the call order and concurrency of Prowler 3.x's cloudtrail_service.py
 *   (`__threading_call__(__get_trails__)`, then `__get_trail_status__()`, then
 *   `__get_event_selectors__()`): threaded `DescribeTrails` (the 17 regions at once, one entry kept
 *   per trail and listing region, shadow copies included, in the order the regions answer), then
 *   `GetTrailStatus` for every entry one after another, then `GetEventSelectors` for every entry
 *   one after another, each by ARN with the client of the region that listed it (not the home
 *   region). Prowler logs a failed call and moves on; so does this mode: a trail's facts take the
 *   status and selectors of any of its entries whose call succeeded (they are the same trail), and
 *   the trail is unverified (UNKNOWN) only when every entry's call failed. Failed calls are counted
 *   and reported on stderr (the simulator's call counts include them).
 *
 * It is given everything trailcheck has, so that only the call pattern differs: the same clients
 * (the wire path for AssumeRole and the CloudTrail reads) and shared connection pool, the same
 * account listing streamed into the same bounded pool, the same AssumeRole rate cap, and the same
 * rule to reach a verdict.
 */
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type GetEventSelectorsCommandOutput,
  type GetTrailStatusCommandOutput,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { listAccountPages } from '../lambda/aws/accounts';
import type { AwsClients, CloudTrailApi } from '../lambda/aws/clients';
import { AccountCredentials, partitionOf } from '../lambda/aws/credentials';
import { toCallError } from '../lambda/aws/errors';
import { toSelectorConfig } from '../lambda/aws/trails';
import { createPool } from '../lambda/concurrency';
import type { AuditConfig } from '../lambda/config';
import { errorVerdict, evaluateAccount } from '../lambda/rule/evaluate';
import type { CallError, TrailDetails, TrailFacts } from '../lambda/rule/types';

export type RegionMode = 'parallel' | 'serial' | 'prowler';

export interface BaselineOptions {
  /** Regions scanned in each account (the 17 default commercial regions). */
  regions: readonly string[];
  /**
   * `parallel`: every region of an account at once, each listed trail read in its home region;
   * `serial`: the same, one region after another; `prowler`: Prowler 3.x's order (threaded
   * DescribeTrails, then every listed entry's GetTrailStatus one after another, then every entry's
   * GetEventSelectors one after another, with the listing region's client). See the file comment.
   */
  regionMode: RegionMode;
  /** Audit only the first `limit` accounts listed (the listing stops there). */
  limit: number;
}

/** A trail as DescribeTrails lists it, with its status and selectors once read. */
function trailFacts(t: Trail, details: TrailDetails): TrailFacts {
  return {
    arn: t.TrailARN as string,
    name: t.Name as string,
    homeRegion: t.HomeRegion as string,
    ownerAccountId: (t.TrailARN as string).split(':')[4],
    isMultiRegionTrail: t.IsMultiRegionTrail === true,
    isOrganizationTrail: t.IsOrganizationTrail === true,
    includeGlobalServiceEvents: t.IncludeGlobalServiceEvents,
    details,
  };
}

export async function runBaseline(config: AuditConfig, clients: AwsClients, o: BaselineOptions): Promise<Record<string, number>> {
  const sts = clients.stsClient(config.region);
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  const credentials = new AccountCredentials(clients.assumeRole(config.region), {
    partition: partitionOf(identity.Arn as string),
    roleName: config.roleName,
    sessionName: 'trailcheck-baseline',
    ownAccountId: identity.Account as string,
    assumeRolePerSecond: config.assumeRolePerSecond,
  });
  const pool = createPool(config.concurrency);
  const statuses: Record<string, number> = {};
  const pending: Array<Promise<void>> = [];
  /** `prowler` mode: calls that failed (Prowler logs them and moves on), by `Action:ErrorCode`. */
  const failedCalls: Record<string, number> = {};
  let prowlerReads = 0;

  /** `parallel` and `serial`: per region, DescribeTrails, then each listed trail read in its home region. */
  const scanByRegion = async (byRegion: Map<string, CloudTrailApi>, creds: Awaited<ReturnType<AccountCredentials['forAccount']>>): Promise<TrailFacts[]> => {
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
          return trailFacts(t, {
            ok: true,
            source: 'self',
            status: { isLogging: status.IsLogging === true },
            selectors: toSelectorConfig(t.TrailARN as string, selectors.EventSelectors, selectors.AdvancedEventSelectors),
          });
        }),
      );
    };
    const perRegion: TrailFacts[][] = [];
    if (o.regionMode === 'parallel') perRegion.push(...(await Promise.all(o.regions.map(scanRegion))));
    else for (const r of o.regions) perRegion.push(await scanRegion(r));
    return perRegion.flat();
  };

  /**
   * `prowler`: Prowler 3.x's cloudtrail_service.py. `__get_trails__` in one thread per region
   * (entries appended as each region answers, no dedupe); then `__get_trail_status__` and
   * `__get_event_selectors__`, each a plain loop over the entries: one call at a time, by ARN,
   * with the client of the entry's listing region.
   */
  const scanProwler = async (accountId: string, byRegion: Map<string, CloudTrailApi>): Promise<TrailFacts[]> => {
    const entries: Array<{ trail: Trail; region: string }> = [];
    await Promise.all(
      o.regions.map(async (region) => {
        const out = await (byRegion.get(region) as CloudTrailApi).send(new DescribeTrailsCommand({}));
        for (const trail of out.trailList ?? []) entries.push({ trail, region });
      }),
    );

    // One loop per call, as Prowler's; a failed call is logged (here: counted) and the loop goes on.
    const readAll = async <T>(action: string, send: (client: CloudTrailApi, arn: string) => Promise<T>) => {
      const ok = new Map<string, T>();
      const failed = new Map<string, CallError>();
      for (const { trail, region } of entries) {
        if (!trail.Name) continue; // Prowler: `if trail.region == region and trail.name`
        const arn = trail.TrailARN as string;
        prowlerReads += 1;
        try {
          const out = await send(byRegion.get(region) as CloudTrailApi, arn);
          if (!ok.has(arn)) ok.set(arn, out);
        } catch (err) {
          const e = toCallError(err, `cloudtrail:${action}`, { accountId, region });
          failedCalls[`${action}:${e.code}`] = (failedCalls[`${action}:${e.code}`] ?? 0) + 1;
          if (!failed.has(arn)) failed.set(arn, e);
        }
      }
      return { ok, failed };
    };
    const status = await readAll<GetTrailStatusCommandOutput>('GetTrailStatus', (c, arn) => c.send(new GetTrailStatusCommand({ Name: arn })));
    const selectors = await readAll<GetEventSelectorsCommandOutput>('GetEventSelectors', (c, arn) => c.send(new GetEventSelectorsCommand({ TrailName: arn })));

    return entries.map(({ trail }) => {
      const arn = trail.TrailARN as string;
      const s = status.ok.get(arn);
      const sel = selectors.ok.get(arn);
      if (!s || !sel) {
        const error = (!s ? status.failed.get(arn) : selectors.failed.get(arn)) ?? {
          call: !s ? 'cloudtrail:GetTrailStatus' : 'cloudtrail:GetEventSelectors',
          code: 'NotGathered',
          message: 'no entry of this trail was read',
          accountId,
        };
        return trailFacts(trail, { ok: false, error });
      }
      return trailFacts(trail, {
        ok: true,
        source: 'self',
        status: { isLogging: s.IsLogging === true },
        selectors: toSelectorConfig(arn, sel.EventSelectors, sel.AdvancedEventSelectors),
      });
    });
  };

  const auditOne = async (accountId: string) => {
    let verdict;
    try {
      const creds = await credentials.forAccount(accountId);
      const byRegion = new Map<string, CloudTrailApi>(o.regions.map((r) => [r, clients.cloudTrail(r, creds)]));
      const trails = o.regionMode === 'prowler' ? await scanProwler(accountId, byRegion) : await scanByRegion(byRegion, creds);
      verdict = evaluateAccount(trails, { strict: config.strict });
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
  if (o.regionMode === 'prowler') {
    const failed = Object.entries(failedCalls).sort();
    const total = failed.reduce((n, [, c]) => n + c, 0);
    if (total > 0) {
      process.stderr.write(
        `\n  prowler baseline: ${total} of ${prowlerReads} GetTrailStatus/GetEventSelectors calls failed and were skipped (${failed.map(([k, c]) => `${k} ×${c}`).join(', ')})\n  `,
      );
    }
  }
  return statuses;
}
