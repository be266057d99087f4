/**
 * The Slack forwarder and alert routes: a message from a route's topic goes to that route's own
 * webhook (its secret in TRAILCHECK_SLACK_ROUTE_SECRETS), never to the central one or another
 * route's; any other topic to the central webhook; a route topic without a secret, or a malformed
 * map, fails rather than guessing.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SNSEvent } from 'aws-lambda';
import { FORWARDER_ENV } from '../../lambda/env';
import { createForwarder, readRouteSecrets, secretFor } from '../../lambda/forwarder/handler';

const CENTRAL_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:trailcheck-alerts';
const routeTopic = (name: string) => `arn:aws:sns:eu-west-1:123456789012:trailcheck-route-${name}`;
const URLS: Record<string, string> = {
  'trailcheck/slack-webhook': 'https://hooks.slack.com/services/T0/B0/central',
  'payments/webhook': 'https://hooks.slack.com/services/T0/B1/payments',
  'data/webhook': 'https://hooks.slack.com/services/T0/B2/data',
};

function event(topicArn: string): SNSEvent {
  return { Records: [{ Sns: { TopicArn: topicArn, MessageId: 'm-1', Subject: 'trailcheck: 1 FAIL of 1 accounts', Message: JSON.stringify({ type: 'other' }) } }] } as unknown as SNSEvent;
}

function forwarder(env: Record<string, string>) {
  const posted: string[] = [];
  const reads: string[] = [];
  const forward = createForwarder({
    fetch: (async (url: string | URL) => (posted.push(String(url)), new Response('ok', { status: 200 }))) as typeof fetch,
    sleep: async () => undefined,
    now: () => 0,
    getSecret: async (id) => (reads.push(id), URLS[id]),
    logger: new Logger({ serviceName: 't', logLevel: 'SILENT' }),
    env,
  });
  return { forward, posted, reads };
}

const ENV = {
  [FORWARDER_ENV.secretId]: 'trailcheck/slack-webhook',
  [FORWARDER_ENV.routeSecrets]: JSON.stringify({ payments: 'payments/webhook', data: 'data/webhook' }),
};

describe('the forwarder with routes', () => {
  it("posts a route's message to that route's webhook only, the central topic's to the central one", async () => {
    const f = forwarder(ENV);
    await f.forward(event(routeTopic('payments')));
    await f.forward(event(CENTRAL_TOPIC));
    await f.forward(event(routeTopic('data')));
    expect(f.posted).toEqual([URLS['payments/webhook'], URLS['trailcheck/slack-webhook'], URLS['data/webhook']]);
  });

  it('caches each secret on its own', async () => {
    const f = forwarder(ENV);
    for (const t of [routeTopic('payments'), CENTRAL_TOPIC, routeTopic('payments'), CENTRAL_TOPIC]) await f.forward(event(t));
    expect(f.reads).toEqual(['payments/webhook', 'trailcheck/slack-webhook']);
  });

  it('a route topic without a secret fails; it never falls back to the central webhook', async () => {
    const f = forwarder(ENV);
    await expect(f.forward(event(routeTopic('unknown')))).rejects.toThrow('TRAILCHECK_SLACK_ROUTE_SECRETS: no webhook secret for route "unknown"');
    expect(f.posted).toEqual([]);
  });

  it('routes only, without the central secret: the central topic fails, the routes post', async () => {
    const f = forwarder({ [FORWARDER_ENV.routeSecrets]: ENV[FORWARDER_ENV.routeSecrets] });
    await f.forward(event(routeTopic('data')));
    await expect(f.forward(event(CENTRAL_TOPIC))).rejects.toThrow('TRAILCHECK_SLACK_SECRET_ID: not set');
    expect(f.posted).toEqual([URLS['data/webhook']]);
  });

  it('a topic that only looks like a route (another prefix, a bad name) is not one', () => {
    const routes = readRouteSecrets(ENV[FORWARDER_ENV.routeSecrets]);
    expect(secretFor('arn:aws:sns:eu-west-1:123456789012:trailcheck-routes-payments', routes, 'central')).toBe('central');
    expect(secretFor('arn:aws:sns:eu-west-1:123456789012:trailcheck-route-', routes, 'central')).toBe('central');
    expect(secretFor('not an arn', routes, 'central')).toBe('central');
  });

  it.each([
    ['not JSON', '{', 'not valid JSON'],
    ['a list', '["payments/webhook"]', 'expected {"<route name>": "<secret name>"}'],
    ['a URL for a secret', JSON.stringify({ payments: 'https://hooks.slack.com/services/T/B/x' }), 'expected a route name and a Secrets Manager secret name'],
    ['a bad route name', JSON.stringify({ 'a:b': 'x' }), 'expected a route name'],
  ])('refuses a route map that is %s', (_what, text, message) => {
    expect(() => readRouteSecrets(text)).toThrow(message);
  });
});
