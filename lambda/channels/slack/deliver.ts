/**
 * The Slack webhook channel. Its document is the SNS notification as the forwarder receives it:
 * a trailcheck alert's JSON body (`default`, ../alert-json.ts) is rendered as Block Kit
 * (./blocks.ts); anything else on the topic (CloudWatch alarm notifications) as a short plain
 * message. The payload is posted to the incoming webhook (./webhook.ts), with its retries.
 */
import type { AlertJson } from '../alert-json';
import { renderPlainSlackMessage, renderSlackMessage, type SlackMessage } from './blocks';
import { postToWebhook, type WebhookDeps, type WebhookOptions } from './webhook';

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

export interface SlackDeps extends WebhookDeps {
  /** The incoming webhook's URL: a secret, never logged (./webhook.ts). */
  url: string;
  webhook?: Partial<WebhookOptions>;
}

export interface SlackDelivery {
  blocks: number;
  attempts: number;
}

/** Renders one SNS notification and posts it; throws a WebhookError (without the URL) when it cannot be delivered. */
export async function deliverToSlack(notification: { subject?: string; message: string }, deps: SlackDeps): Promise<SlackDelivery> {
  const payload = slackPayloadFor(notification.subject, notification.message);
  const result = await postToWebhook(deps.url, payload, deps, deps.webhook);
  return { blocks: payload.blocks.length, attempts: result.attempts };
}
