/**
 * Alert routes as configured (lambda/routes.ts) and as the deploy config validates them at synth
 * (lib/config.ts `routes`): every malformed case names `trailcheck.routes[i].field` and how to fix
 * it; the topic name and ARN are derived so that no route name can reach another topic.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../lambda/config';
import { MAX_ROUTES, parseRoutes, parseRuntimeRoutes, routeNameOfTopic, routesForRuntime, routeTopicArn, routeTopicName } from '../../lambda/routes';
import { loadConfig, parseConfig, TrailcheckConfigError } from '../../lib/config';

const BASE = { organizationId: 'o-a1b2c3d4e5', memberRoleTargets: ['r-a1b2'] };
const OU = 'ou-ab12-cd34ef56';
const CENTRAL = 'arn:aws:sns:eu-west-1:123456789012:trailcheck-alerts';

function routeError(routes: unknown, extra: Record<string, unknown> = {}): string {
  try {
    parseConfig({ ...BASE, ...extra, routes });
  } catch (err) {
    expect(err).toBeInstanceOf(TrailcheckConfigError);
    return (err as Error).message;
  }
  throw new Error(`expected a configuration error for ${JSON.stringify(routes)}`);
}

describe('routes in the deploy config', () => {
  it('reads a complete route, deduplicating ids and emails', () => {
    const c = parseConfig({
      ...BASE,
      chatbotSlackWorkspaceId: 'T0123ABCD',
      chatbotSlackChannelId: 'C0123ABCD',
      routes: [
        { name: 'payments', ous: [OU, OU], accounts: ['210987654321'], emails: ['Sec@Example.com', 'sec@example.com'], slackWebhookSecretName: 'payments/slack-webhook', chatbotSlackChannelId: 'C0PAYMENTS' },
        { name: 'data_team', accounts: '111122223333,444455556666' },
      ],
    });
    expect(c.routes).toEqual([
      { name: 'payments', ous: [OU], accounts: ['210987654321'], emails: ['Sec@Example.com'], slackWebhookSecretName: 'payments/slack-webhook', chatbotSlackChannelId: 'C0PAYMENTS' },
      { name: 'data_team', ous: [], accounts: ['111122223333', '444455556666'], emails: [] },
    ]);
  });

  it('defaults to no route, and takes an empty list', () => {
    expect(parseConfig(BASE).routes).toEqual([]);
    expect(parseConfig({ ...BASE, routes: [] }).routes).toEqual([]);
  });

  it.each([
    ['not a list', { name: 'a' }, 'trailcheck.routes: expected a list of routes'],
    ['a string that is not JSON', 'payments', 'trailcheck.routes: expected the routes as a JSON list'],
    ['a route that is not an object', ['payments'], 'trailcheck.routes[0]: expected a route object'],
    ['no name', [{ ous: [OU] }], 'trailcheck.routes[0].name: expected a route name: 1-64 letters, digits, _ or -'],
    ['a name with a colon (another ARN)', [{ name: 'x:123456789012:evil', ous: [OU] }], 'trailcheck.routes[0].name: expected a route name'],
    ['a name with a slash', [{ name: 'a/b', ous: [OU] }], 'trailcheck.routes[0].name'],
    ['a name of 65 characters', [{ name: 'a'.repeat(65), ous: [OU] }], 'trailcheck.routes[0].name'],
    ['an empty name', [{ name: '', ous: [OU] }], 'trailcheck.routes[0].name'],
    ['a numeric name', [{ name: 7, ous: [OU] }], 'trailcheck.routes[0].name'],
    ['neither ous nor accounts', [{ name: 'a', emails: ['a@example.com'] }], 'trailcheck.routes[0]: no "ous" and no "accounts"; expected at least one'],
    ['empty ous and accounts', [{ name: 'a', ous: [], accounts: [] }], 'trailcheck.routes[0]: no "ous" and no "accounts"'],
    ['a malformed OU id', [{ name: 'a', ous: [OU, 'ou-AB12-cd34ef56'] }], 'trailcheck.routes[0].ous[1]: expected an OU id such as ou-ab12-cd34ef56'],
    ['a root id as OU', [{ name: 'a', ous: ['r-ab12'] }], 'trailcheck.routes[0].ous[0]: expected an OU id'],
    ['an OU name instead of id', [{ name: 'a', ous: ['Payments'] }], 'trailcheck.routes[0].ous[0]'],
    ['ous not a list', [{ name: 'a', ous: 5 }], 'trailcheck.routes[0].ous: expected a list'],
    ['an 11-digit account id', [{ name: 'a', accounts: ['12345678901'] }], 'trailcheck.routes[0].accounts[0]: expected a 12-digit account id'],
    ['an account id as a number', [{ name: 'a', accounts: [123456789012] }], 'trailcheck.routes[0].accounts[0]: expected a 12-digit account id, as a string, got 123456789012'],
    ['a malformed email', [{ name: 'a', accounts: ['123456789012'], emails: ['bob@'] }], 'trailcheck.routes[0].emails[0]: expected an email address, got "bob@"'],
    ['a secret ARN', [{ name: 'a', accounts: ['123456789012'], slackWebhookSecretName: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf' }], "trailcheck.routes[0].slackWebhookSecretName: expected the secret's name"],
    ['a secret name with a space', [{ name: 'a', accounts: ['123456789012'], slackWebhookSecretName: 'my secret' }], 'trailcheck.routes[0].slackWebhookSecretName: expected a Secrets Manager secret name'],
    ['a Chatbot channel that is not an id', [{ name: 'a', accounts: ['123456789012'], chatbotSlackChannelId: '#payments' }], 'trailcheck.routes[0].chatbotSlackChannelId: expected a Slack channel id'],
    ['an unknown field (a typo)', [{ name: 'a', accounts: ['123456789012'], email: ['a@example.com'] }], 'trailcheck.routes[0].email: unknown field; expected one of name, ous, accounts, emails'],
    ['a webhook URL field', [{ name: 'a', accounts: ['123456789012'], slackWebhookUrl: 'https://hooks.slack.com/x' }], 'trailcheck.routes[0].slackWebhookUrl: unknown field'],
  ])('refuses %s', (_what, routes, message) => {
    expect(routeError(routes)).toContain(message);
  });

  it('names the second route when it is the bad one', () => {
    expect(routeError([{ name: 'a', ous: [OU] }, { name: 'b', accounts: ['1234'] }])).toContain('trailcheck.routes[1].accounts[0]');
  });

  it('refuses duplicate names, case-insensitively, naming both', () => {
    expect(routeError([{ name: 'payments', ous: [OU] }, { name: 'data', ous: [OU] }, { name: 'Payments', accounts: ['123456789012'] }])).toBe(
      'trailcheck.routes[2].name: "Payments" is already the name of trailcheck.routes[0]; expected unique route names (each is a topic, trailcheck-route-Payments)',
    );
  });

  it('refuses a webhook URL where a secret name is expected, without echoing it', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX';
    const message = routeError([{ name: 'a', accounts: ['123456789012'], slackWebhookSecretName: url }]);
    expect(message).toContain('trailcheck.routes[0].slackWebhookSecretName: expected the name of a Secrets Manager secret holding the webhook URL, got a URL');
    expect(message).toContain('aws secretsmanager create-secret');
    expect(message).not.toContain('XXXXSECRETXXXX');
    expect(message).not.toContain('hooks.slack.com');
  });

  it('refuses more routes than the stack can hold, and too many emails', () => {
    const many = Array.from({ length: MAX_ROUTES + 1 }, (_, i) => ({ name: `r${i}`, accounts: ['123456789012'] }));
    expect(routeError(many)).toContain(`trailcheck.routes: ${MAX_ROUTES + 1} routes; expected at most ${MAX_ROUTES}`);
    const emails = Array.from({ length: 11 }, (_, i) => `a${i}@example.com`);
    expect(routeError([{ name: 'a', accounts: ['123456789012'], emails }])).toContain('trailcheck.routes[0].emails: 11 items; expected at most 10');
  });

  it("refuses a route's Chatbot channel without the workspace", () => {
    expect(routeError([{ name: 'a', accounts: ['123456789012'], chatbotSlackChannelId: 'C0PAYMENTS' }])).toContain(
      'trailcheck.routes[0].chatbotSlackChannelId: needs trailcheck.chatbotSlackWorkspaceId',
    );
  });

  it('accepts the same email addresses as the top-level emails', () => {
    for (const email of ['a@example.com', 'first.last+tag@sub.example.co.uk', 'bob@', 'a@b', '@example.com', 'a b@example.com', 'a@-example.com']) {
      const top = (() => {
        try {
          parseConfig({ ...BASE, emails: [email] });
          return true;
        } catch {
          return false;
        }
      })();
      const route = (() => {
        try {
          parseRoutes([{ name: 'a', accounts: ['123456789012'], emails: [email] }], 'routes');
          return true;
        } catch {
          return false;
        }
      })();
      expect([email, route]).toEqual([email, top]);
    }
  });

  it('reads routes from a config file and from -c as JSON, naming the source', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trailcheck-routes-'));
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify({ ...BASE, routes: [{ name: 'a', ous: ['ou-bad'] }] }));
    const ctx = (values: Record<string, unknown>) => ({ tryGetContext: (k: string) => values[k], getAllContext: () => values });
    expect(() => loadConfig(ctx({ 'trailcheck.configFile': file }))).toThrow(`trailcheck.routes[0].ous[0]: expected an OU id such as ou-ab12-cd34ef56 (a root r-… is every account: that is the central topic), got "ou-bad" (from ${file})`);
    const c = loadConfig(ctx({ trailcheck: BASE, 'trailcheck.routes': JSON.stringify([{ name: 'a', ous: [OU] }]) }));
    expect(c.routes).toEqual([{ name: 'a', ous: [OU], accounts: [], emails: [] }]);
  });
});

describe('route topics', () => {
  it('names the topic trailcheck-route-<name> and derives its ARN from the central topic', () => {
    expect(routeTopicName('payments')).toBe('trailcheck-route-payments');
    expect(routeTopicArn(CENTRAL, 'payments')).toBe('arn:aws:sns:eu-west-1:123456789012:trailcheck-route-payments');
    expect(routeTopicArn('arn:aws-us-gov:sns:us-gov-west-1:123456789012:x', 'a')).toBe('arn:aws-us-gov:sns:us-gov-west-1:123456789012:trailcheck-route-a');
    expect(routeNameOfTopic('arn:aws:sns:eu-west-1:123456789012:trailcheck-route-payments')).toBe('payments');
    expect(routeNameOfTopic(CENTRAL)).toBeUndefined();
  });

  it.each(['x:999999999999:other', '../other', 'a b', '', 'a'.repeat(65), 'pay\nments'])('never makes another ARN from the name %j', (name) => {
    expect(() => routeTopicArn(CENTRAL, name)).toThrow(ConfigError);
  });

  it.each(['not-an-arn', 'arn:aws:sqs:eu-west-1:123456789012:q', 'arn:aws:sns:eu-west-1:12345:t', `${CENTRAL}:extra`])('refuses a malformed central ARN %s', (arn) => {
    expect(() => routeTopicArn(arn, 'a')).toThrow(ConfigError);
  });
});

describe('the runtime form', () => {
  const routes = parseRoutes([{ name: 'a', ous: [OU], emails: ['a@example.com'], slackWebhookSecretName: 's' }], 'routes');

  it('keeps who, not where: no destination reaches the function', () => {
    const runtime = routesForRuntime(routes);
    expect(runtime).toEqual([{ name: 'a', ous: [OU], accounts: [] }]);
    expect(parseRuntimeRoutes(JSON.stringify(runtime), 'routes.json')).toEqual(runtime);
  });

  it('reads the file as hostile', () => {
    expect(() => parseRuntimeRoutes('{', 'routes.json')).toThrow('routes.json: not valid JSON');
    expect(() => parseRuntimeRoutes(JSON.stringify([{ name: 'x:1', ous: [OU] }]), 'routes.json')).toThrow('routes.json[0].name');
    expect(() => parseRuntimeRoutes(JSON.stringify([{ name: 'a', ous: [OU], extra: 1 }]), 'routes.json')).toThrow('routes.json[0].extra: unknown field');
  });
});
