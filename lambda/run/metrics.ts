/**
 * The run's CloudWatch metrics, in Embedded Metric Format (EMF) through Powertools Metrics: one
 * JSON line per set of dimensions on standard output, which Lambda sends to the function's log
 * group, where CloudWatch extracts the metrics (no PutMetricData call, no permission). The
 * dashboard and the ERROR-share alarm (lib/dashboard.ts) read them; docs/deploy.md "Dashboard and
 * metrics" lists them.
 *
 * Namespace `trailcheck`. Low cardinality, by construction:
 * - the accounts by status, run duration and alerts sent: no dimension at all;
 * - API calls and throttles: dimension `service` only (sts, organizations, cloudtrail, sns,
 *   securityhub: the clients' own names, never a value from AWS);
 * - FAIL and ERROR per OU: dimension `ou`, only for the OUs the alert routes name (as many as the
 *   deployment configured, validated at synth), counted over every account under each OU in this
 *   run (recursive, audit/ou-members.ts). An OU that could not be read has no datapoint this run
 *   (never a 0 that looks like health); the report says why (channels/routes.ts routeNotes).
 * No account id, name or other value from AWS is ever a dimension.
 *
 * The Lambda emits them once per audited run (not the CLI: its standard output is the report).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { OuMembers } from '../audit/ou-members';
import type { CallCount } from '../aws/retry';
import type { RoutesOutcome } from '../channels/routes';
import type { PublishResult } from '../channels/sns';
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../metric-names';
import type { AuditReport } from '../report-format';
import { ROUTE_PATTERNS } from '../routes';

export { DIMENSION, METRIC, METRICS_NAMESPACE } from '../metric-names';

export interface MetricValue {
  name: (typeof METRIC)[keyof typeof METRIC];
  unit: 'Count' | 'Milliseconds';
  value: number;
  /** Empty, `{ service }` or `{ ou }`: nothing else. */
  dimensions: Partial<Record<(typeof DIMENSION)[keyof typeof DIMENSION], string>>;
}

export interface RunMetricsInput {
  /** The completed report (after exemptions: `summary.exempt`). */
  report: Pick<AuditReport, 'summary' | 'run' | 'accounts'>;
  /** Alert messages published this run: the central topic's and each route's (`alertsSent`). */
  published: number;
  /** `AwsClients.callCounts()` at the end of the run. */
  callCounts: Record<string, CallCount>;
  /** The OU ids the alert routes name (`policy.routes.flatMap((r) => r.ous)`). */
  routeOus: readonly string[];
  /** Who is under those OUs now (`completeReport(...).ous`). */
  ous: OuMembers;
}

/** A service name of our clients: anything else is not a dimension value. */
const SERVICE = /^[a-z][a-z0-9-]{0,63}$/;

/** Every metric value of a run, with its dimensions. */
export function runMetrics(input: RunMetricsInput): MetricValue[] {
  const { summary, run } = input.report;
  const count = (name: MetricValue['name'], value: number, dimensions: MetricValue['dimensions'] = {}): MetricValue => ({ name, unit: 'Count', value, dimensions });
  const out: MetricValue[] = [
    count(METRIC.pass, summary.PASS),
    count(METRIC.fail, summary.FAIL),
    count(METRIC.error, summary.ERROR),
    count(METRIC.skipped, summary.SKIPPED),
    // No exemptions configured: none exempt.
    count(METRIC.exempt, summary.exempt ?? 0),
    { name: METRIC.runDuration, unit: 'Milliseconds', value: run.durationMs, dimensions: {} },
    count(METRIC.alertsSent, input.published),
  ];
  for (const service of Object.keys(input.callCounts).sort()) {
    if (!SERVICE.test(service)) continue;
    const c = input.callCounts[service];
    out.push(count(METRIC.apiCalls, c.calls, { service }), count(METRIC.apiThrottles, c.throttles, { service }));
  }
  out.push(...ouMetrics(input));
  // A value CloudWatch would refuse (not a finite, non-negative number) is left out, never sent as something else.
  return out.filter((m) => Number.isFinite(m.value) && m.value >= 0);
}

/** FAIL and ERROR under each route OU that was read this run. */
function ouMetrics(input: RunMetricsInput): MetricValue[] {
  const status = new Map(input.report.accounts.map((a) => [a.accountId, a.status]));
  const out: MetricValue[] = [];
  for (const ou of [...new Set(input.routeOus)].sort()) {
    const members = input.ous.members.get(ou);
    if (!ROUTE_PATTERNS.ouId.test(ou) || !members || input.ous.failed.has(ou)) continue;
    let fail = 0;
    let error = 0;
    for (const id of members) {
      const s = status.get(id);
      if (s === 'FAIL') fail += 1;
      else if (s === 'ERROR') error += 1;
    }
    out.push({ name: METRIC.fail, unit: 'Count', value: fail, dimensions: { ou } }, { name: METRIC.error, unit: 'Count', value: error, dimensions: { ou } });
  }
  return out;
}

/** What `emitRunMetrics` did: the values written, or why it could not (never thrown: metrics do not fail a run). */
export interface EmitResult {
  /** Values written. */
  emitted: number;
  /** Why the rest were not. */
  error?: string;
}

/**
 * Writes the run's metrics as EMF: one line per set of dimensions (none, each service, each OU).
 * `metrics` defaults to Powertools Metrics in namespace `trailcheck`; its default dimensions are
 * cleared (Powertools adds `service: <service name>` to every metric, which would both multiply
 * the run metrics and collide with the API metrics' own `service`).
 */
export function emitRunMetrics(input: RunMetricsInput, metrics: Metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_NAMESPACE })): EmitResult {
  let emitted = 0;
  try {
    const values = runMetrics(input);
    metrics.clearDefaultDimensions();
    const groups = new Map<string, MetricValue[]>();
    for (const v of values) {
      const key = JSON.stringify(v.dimensions);
      groups.set(key, [...(groups.get(key) ?? []), v]);
    }
    for (const group of groups.values()) {
      // An empty set too: EMF wants at least one dimension set, and `[[]]` is "no dimension".
      metrics.addDimensions(group[0].dimensions as Record<string, string>);
      for (const v of group) metrics.addMetric(v.name, v.unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, v.value);
      metrics.publishStoredMetrics();
      emitted += group.length;
    }
    return { emitted };
  } catch (err) {
    metrics.clearMetrics();
    metrics.clearDimensions();
    return { emitted, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Alert messages published this run: the central topic's, and each route's slice that went out. */
export function alertsSent(central: PublishResult, routed: Pick<RoutesOutcome, 'deliveries'>): number {
  return (central.published ? 1 : 0) + routed.deliveries.filter((d) => d.result?.published === true).length;
}
