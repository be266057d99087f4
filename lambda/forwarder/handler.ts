/**
 * The Slack forwarder: subscribed to the alert topic, it posts each message to a Slack incoming
 * webhook as Block Kit. trailcheck alerts are rendered from their JSON body; anything else on the
 * topic (CloudWatch alarm notifications) as a short plain message.
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
  let cached: { url: string; at: number } | undefined;
  const webhookUrl = async (secretId: string): Promise<string> => {
    if (cached && deps.now() - cached.at < SECRET_TTL_MS) return cached.url;
    const url = webhookUrlFromSecret(secretId, await deps.getSecret(secretId));
    cached = { url, at: deps.now() };
    return url;
  };
  return async (event: SNSEvent): Promise<{ delivered: number }> => {
    const secretId = deps.env[FORWARDER_ENV.secretId];
    if (!secretId) throw new Error(`${FORWARDER_ENV.secretId}: not set; the forwarder needs the name or ARN of the secret holding the Slack webhook URL`);
    const url = await webhookUrl(secretId);
    let delivered = 0;
    for (const record of event.Records ?? []) {
      const sns = record.Sns;
      try {
        const result = await deliverToSlack({ subject: sns.Subject ?? undefined, message: sns.Message }, { ...deps, url, webhook: deps.webhook });
        deps.logger.info('posted to Slack', { messageId: sns.MessageId, subject: sns.Subject, blocks: result.blocks, attempts: result.attempts });
        delivered++;
      } catch (err) {
        const e = err as Error & { permanent?: boolean; attempts?: number };
        // The error never carries the URL (see webhook.ts), so it can be logged and rethrown.
        deps.logger.error('Slack delivery failed', { messageId: sns.MessageId, subject: sns.Subject, error: e.message, permanent: e.permanent, attempts: e.attempts });
        // A rotated or wrong URL: read the secret again next time.
        cached = undefined;
        throw new Error(`Slack delivery of SNS message ${sns.MessageId} failed: ${e.message}`);
      }
    }
    return { delivered };
  };
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
