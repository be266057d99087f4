/**
 * The Slack forwarder: subscribed to the alert topic, it posts each message to a Slack incoming
 * webhook as Block Kit. trailcheck alerts are rendered from their JSON body; anything else on the
 * topic (CloudWatch alarm notifications) as a short plain message.
 *
 * The webhook URL is read from Secrets Manager (cached for a few minutes, so a rotated URL is
 * picked up) and never logged. A message that still cannot be delivered after the retries fails
 * the invocation: Lambda retries it, then sends it to the failure queue, which has an alarm.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSEvent } from 'aws-lambda';
import { renderPlainSlackMessage, renderSlackMessage, type SlackMessage } from '../alerts/slack';
import type { AlertJson } from '../report/message';
import { FORWARDER_ENV } from '../env';
import { parseWebhookUrl, postToWebhook, WEBHOOK_DEFAULTS, type WebhookDeps, type WebhookOptions } from './webhook';
import { withMappedStacks } from '../stack-map';

export { FORWARDER_ENV } from '../env';

const SECRET_TTL_MS = 5 * 60_000;

/** The Slack payload for one SNS message. */
export function slackPayloadFor(subject: string | undefined, message: string): SlackMessage {
  let json: AlertJson | undefined;
  try {
    const parsed = JSON.parse(message) as Partial<AlertJson>;
    if (parsed && parsed.type === 'trailcheck.audit' && Array.isArray(parsed.accounts) && parsed.summary && parsed.changes) json = parsed as AlertJson;
  } catch {
    json = undefined;
  }
  return json ? renderSlackMessage(json, subject ?? 'trailcheck') : renderPlainSlackMessage(subject, message);
}

/**
 * The webhook URL from the secret's value: the URL itself, or JSON `{"webhookUrl": "…"}` (or `url`).
 * Errors name the secret, never its value.
 */
export function webhookUrlFromSecret(secretId: string, value: string | undefined): string {
  const bad = (why: string) => new Error(`Secret ${secretId} does not hold a Slack webhook URL (${why}); expected the URL https://hooks.slack.com/services/… or {"webhookUrl": "https://…"}`);
  if (!value || value.trim() === '') throw bad('it is empty');
  let url = value.trim();
  if (url.startsWith('{')) {
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(url);
    } catch {
      throw bad('it is not valid JSON');
    }
    const found = obj.webhookUrl ?? obj.url;
    if (typeof found !== 'string') throw bad('no "webhookUrl" key');
    url = found.trim();
  }
  try {
    parseWebhookUrl(url);
  } catch (err) {
    throw bad((err as Error).message);
  }
  return url;
}

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
      const payload = slackPayloadFor(sns.Subject ?? undefined, sns.Message);
      try {
        const result = await postToWebhook(url, payload, deps, deps.webhook);
        deps.logger.info('posted to Slack', { messageId: sns.MessageId, subject: sns.Subject, blocks: payload.blocks.length, attempts: result.attempts });
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
  getSecret: async (secretId) => (await secrets.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString,
  logger: new Logger({ serviceName: 'trailcheck-slack' }),
  env: process.env,
  webhook: WEBHOOK_DEFAULTS,
  }),
  __filename,
);
