/**
 * What the scenario allows: the lower bound on the wall time of an audit, computed from the
 * scenario's mean latencies and the run's limits (no measurement involved).
 *
 *   lowerBound = max(listing, work, assumeRate)
 *   listing    = GetCallerIdentity + pages × ListAccounts + chain(last account)
 *                (pages come one after another: each needs the previous page's NextToken, and the
 *                accounts of the last page still need their own chain after it arrives)
 *   work       = Σ over audited accounts of chain(account) / concurrency
 *   assumeRate = (accounts assumed − burst) / AssumeRole cap per second (the token bucket starts
 *                with one second's worth)
 *   chain(a)   = AssumeRole (not for the run's own account) + DescribeTrails
 *                + max(GetTrailStatus, GetEventSelectors) when the account reads a trail of its own
 *                (they run in parallel; an organization trail is read once per run, not per member)
 *
 * Each term uses mean latencies, and a parallel stage counts as the slowest mean, never more, so
 * the bound stays below what any schedule can achieve on average.
 */
import type { LatencySpec, Scenario, ScenarioLatency } from '../simulator/scenario-types';

export const LIST_ACCOUNTS_PAGE_SIZE = 20;

export interface Limits {
  concurrency: number;
  assumeRolePerSecond: number;
}

export interface LowerBound {
  lowerBoundMs: number;
  listingMs: number;
  workMs: number;
  assumeRateMs: number;
  pages: number;
  meanChainMs: number;
}

export function meanLatency(l: ScenarioLatency | undefined, action: string): number {
  const spec: LatencySpec | undefined = l?.byAction?.[action] ?? l?.default;
  if (spec === undefined) return 0;
  return typeof spec === 'number' ? spec : (spec.min + spec.max) / 2;
}

export function lowerBound(s: Scenario, limits: Limits): LowerBound {
  const l = s.latency;
  const m = (a: string) => meanLatency(l, a);
  const own = s.caller.accountId;
  const listed = s.accounts.filter((a) => a.listed !== false);
  const audited = listed.filter((a) => (a.state ?? 'ACTIVE') === 'ACTIVE');
  const chain = (a: Scenario['accounts'][number]) =>
    (a.id === own ? 0 : m('AssumeRole')) +
    m('DescribeTrails') +
    ((a.trails ?? []).some((t) => t.isMultiRegionTrail && !t.isOrganizationTrail) ? Math.max(m('GetTrailStatus'), m('GetEventSelectors')) : 0);
  const chains = audited.map(chain);
  const pages = Math.max(1, Math.ceil(listed.length / LIST_ACCOUNTS_PAGE_SIZE));
  const lastChain = chains.length > 0 ? chains[chains.length - 1] : 0;
  const listingMs = m('GetCallerIdentity') + pages * m('ListAccounts') + lastChain;
  const workMs = chains.reduce((a, b) => a + b, 0) / limits.concurrency;
  const assumed = audited.filter((a) => a.id !== own).length;
  const assumeRateMs = (Math.max(0, assumed - limits.assumeRolePerSecond) / limits.assumeRolePerSecond) * 1000;
  return {
    lowerBoundMs: Math.max(listingMs, workMs, assumeRateMs),
    listingMs,
    workMs,
    assumeRateMs,
    pages,
    meanChainMs: chains.length > 0 ? chains.reduce((a, b) => a + b, 0) / chains.length : 0,
  };
}
