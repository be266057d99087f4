/**
 * The names of the run's CloudWatch metrics (Embedded Metric Format, lambda/run/metrics.ts), in
 * the base so that the stack's dashboard and alarm (lib/dashboard.ts) name the same ones.
 * docs/deploy.md "Dashboard and metrics" lists them. No imports: synthesis loads this file.
 */

export const METRICS_NAMESPACE = 'trailcheck';

export const METRIC = {
  pass: 'AccountsPass',
  fail: 'AccountsFail',
  error: 'AccountsError',
  skipped: 'AccountsSkipped',
  exempt: 'AccountsExempt',
  runDuration: 'RunDuration',
  apiCalls: 'ApiCalls',
  apiThrottles: 'ApiThrottles',
  alertsSent: 'AlertsSent',
} as const;

/** The only dimensions: `service` on the API metrics, `ou` on FAIL and ERROR per alert-route OU. */
export const DIMENSION = { service: 'service', ou: 'ou' } as const;
