/**
 * The Slack forwarder: subscribed to the alert topic, it posts each message to a Slack incoming
 * webhook as Block Kit. trailcheck alerts are rendered from their JSON body; anything else on the
 * topic (CloudWatch alarm notifications) as a short plain message. A message from an alert
 * route's topic (`trailcheck-route-<name>`) goes to that route's own webhook (its secret in
 * TRAILCHECK_SLACK_ROUTE_SECRETS), never to the central one.
 *
 * Wiring only: the rendering and the post are the Slack channel's (lambda/channels/slack/).
 * The webhook URL is read from Secrets Manager (cached for a few minutes, so a rotated URL is
 * picked up) and never logged. A message that still cannot be delivered after the retries fails
 * the invocation: Lambda retries it, then sends it to the failure queue, which has an alarm.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSEvent } from 'aws-lambda';
import { readSecretString } from '../aws/secrets';
import { deliverToSlack } from '../channels/slack/deliver';
import { webhookUrlFromSecret, WEBHOOK_DEFAULTS, type WebhookDeps, type WebhookOptions } from '../channels/slack/webhook';
import { FORWARDER_ENV } from '../env';
import { ROUTE_PATTERNS, routeNameOfTopic } from '../routes';
import { withMappedStacks } from '../stack-map';

export { FORWARDER_ENV } from '../env';

const SECRET_TTL_MS = 5 * 60_000;

export interface ForwarderDeps extends WebhookDeps {
  /** Reads the secret's current value. */
  getSecret: (secretId: string) => Promise<string | undefined>;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  webhook?: Partial<WebhookOptions>;
}

export function createForwarder(deps: ForwarderDeps) {
  // By secret: the central webhook and each route's.
  const cached = new Map<string, { url: string; at: number }>();
  const webhookUrl = async (secretId: string): Promise<string> => {
    const hit = cached.get(secretId);
    if (hit && deps.now() - hit.at < SECRET_TTL_MS) return hit.url;
    const url = webhookUrlFromSecret(secretId, await deps.getSecret(secretId));
    cached.set(secretId, { url, at: deps.now() });
    return url;
  };
  const routeSecrets = readRouteSecrets(deps.env[FORWARDER_ENV.routeSecrets]);
  return async (event: SNSEvent): Promise<{ delivered: number }> => {
    let delivered = 0;
    for (const record of event.Records ?? []) {
      const sns = record.Sns;
      const secretId = secretFor(sns.TopicArn, routeSecrets, deps.env[FORWARDER_ENV.secretId]);
      const url = await webhookUrl(secretId);
      try {
        const result = await deliverToSlack({ subject: sns.Subject ?? undefined, message: sns.Message }, { ...deps, url, webhook: deps.webhook });
        deps.logger.info('posted to Slack', { messageId: sns.MessageId, subject: sns.Subject, blocks: result.blocks, attempts: result.attempts });
        delivered++;
      } catch (err) {
        const e = err as Error & { permanent?: boolean; attempts?: number };
        // The error never carries the URL (see webhook.ts), so it can be logged and rethrown.
        deps.logger.error('Slack delivery failed', { messageId: sns.MessageId, subject: sns.Subject, error: e.message, permanent: e.permanent, attempts: e.attempts });
        // A rotated or wrong URL: read the secret again next time.
        cached.delete(secretId);
        throw new Error(`Slack delivery of SNS message ${sns.MessageId} failed: ${e.message}`);
      }
    }
    return { delivered };
  };
}

/**
 * The secret of the webhook a message goes to: a route's topic (`trailcheck-route-<name>`) to that
 * route's only, never the central one (a route's message in the central channel would be a
 * duplicate at best); any other topic to the central webhook.
 */
export function secretFor(topicArn: string | undefined, routeSecrets: ReadonlyMap<string, string>, centralSecretId: string | undefined): string {
  const route = topicArn ? routeNameOfTopic(topicArn) : undefined;
  if (route !== undefined) {
    const secret = routeSecrets.get(route);
    if (!secret) throw new Error(`${FORWARDER_ENV.routeSecrets}: no webhook secret for route "${route}" (topic ${topicArn}); the stack subscribes the forwarder only to routes with slackWebhookSecretName`);
    return secret;
  }
  if (!centralSecretId) throw new Error(`${FORWARDER_ENV.secretId}: not set; the forwarder needs the name or ARN of the secret holding the Slack webhook URL (message from topic ${topicArn ?? 'unknown'})`);
  return centralSecretId;
}

/** `{"<route>": "<secret name>"}`, each checked as the deploy config checks it. */
export function readRouteSecrets(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!text) return out;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${FORWARDER_ENV.routeSecrets}: not valid JSON; expected {"<route name>": "<secret name>"}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${FORWARDER_ENV.routeSecrets}: expected {"<route name>": "<secret name>"}`);
  for (const [route, secret] of Object.entries(value)) {
    if (!ROUTE_PATTERNS.name.test(route) || typeof secret !== 'string' || !ROUTE_PATTERNS.secretName.test(secret)) {
      throw new Error(`${FORWARDER_ENV.routeSecrets}: route ${JSON.stringify(route).slice(0, 80)}: expected a route name and a Secrets Manager secret name`);
    }
    out.set(route, secret);
  }
  return out;
}

const secrets = new SecretsManagerClient({});

// Stacks of escaping errors point at the TypeScript sources (lambda/stack-map.ts).
export const handler = withMappedStacks(
  createForwarder({
  fetch: (...args) => fetch(...args),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  getSecret: (secretId) => readSecretString(secrets, secretId),
  logger: new Logger({ serviceName: 'trailcheck-slack' }),
  env: process.env,
  webhook: WEBHOOK_DEFAULTS,
  }),
  __filename,
);
