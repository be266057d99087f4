/**
 * Environment variables that are not settings, in one dependency-free module: the handlers read
 * them, and the stack sets them, from these same names. The settings' variables are declared with
 * the settings (./settings.ts).
 */

/** The run lock (lambda/aws/run-lock.ts): its key in the report bucket; unset, runs take no lock. */
export const RUN_LOCK_ENV = {
  key: 'TRAILCHECK_RUN_LOCK_KEY',
} as const;

/** The Slack webhook forwarder's settings. */
export const FORWARDER_ENV = {
  /** Name or ARN of the secret holding the webhook URL. */
  secretId: 'TRAILCHECK_SLACK_SECRET_ID',
  /** Alert routes with a Slack webhook: JSON `{"<route name>": "<secret name>"}`; a message on `trailcheck-route-<name>` goes to that route's webhook. */
  routeSecrets: 'TRAILCHECK_SLACK_ROUTE_SECRETS',
} as const;

/**
 * Receives before a real-time event that keeps failing goes to the dead-letter queue: the queue's
 * redrive policy (lib/realtime.ts) and the retry backoff (run/event-batch.ts), which leaves the
 * retry before the last at the queue's own visibility timeout.
 */
export const EVENT_QUEUE_MAX_RECEIVES = 5;
