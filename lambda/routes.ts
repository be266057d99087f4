/**
 * Alert routes (`routes` in the deploy config, docs/deploy.md "Alert routes"): each route names the
 * accounts a team owns, by OU (recursive: every account under it, at any depth) and/or by account
 * id, and where that team's alerts go. The stack creates one topic per route
 * (`trailcheck-route-<name>`, lib/route-topics.ts); the function receives the routes' runtime form
 * (`routesForRuntime`) and publishes each route the slice of the alert that is about its accounts
 * (lambda/channels/routes.ts), besides the central topic, which still receives everything.
 *
 * Pure and dependency-free: bundled into the function and loaded by `cdk synth`. Everything here
 * is read as hostile (a config file, a JSON file in the asset): unknown fields, malformed ids and a
 * name that would make another topic's ARN are errors naming `key[i].field` and how to fix it.
 */
import { ConfigError } from './setting-kinds';

/** Who a route is about: the runtime form (what the function needs). */
export interface RouteTarget {
  name: string;
  /** OU ids: every account under each, at any depth, as Organizations says in this run. */
  ous: string[];
  /** Account ids. */
  accounts: string[];
}

/** A route as configured: who, and where its alerts go. */
export interface Route extends RouteTarget {
  /** Subscribed to the route's topic (each must confirm). */
  emails: string[];
  /** The Secrets Manager secret (name, in the stack's account and region) holding the team's Slack incoming webhook URL. */
  slackWebhookSecretName?: string;
  /** AWS Chatbot: the team's Slack channel id, in the workspace of `chatbotSlackWorkspaceId`. */
  chatbotSlackChannelId?: string;
}

export const ROUTE_PATTERNS = {
  name: /^[A-Za-z0-9_-]{1,64}$/,
  ouId: /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/,
  accountId: /^\d{12}$/,
  /** As the top-level `emails` (lib/deploy-settings.ts); test/unit/routes.test.ts holds them to the same answers. */
  email: /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,}$/,
  /** Secrets Manager: 1-512 ASCII letters, digits and /_+=.@- (no ':' so never an ARN or a URL). */
  secretName: /^[A-Za-z0-9/_+=.@-]{1,512}$/,
  chatbotChannelId: /^[CG][0-9A-Z]{2,20}$/,
  /** An SNS topic ARN, split: partition, region, account, name. */
  topicArn: /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sns:([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):(\d{12}):([A-Za-z0-9_-]{1,256})$/,
} as const;

/** Each route is a topic and its subscriptions (about 5 to 16 resources): 20 keep the stack well within CloudFormation's 500 resources. */
export const MAX_ROUTES = 20;
export const MAX_ROUTE_EMAILS = 10;
/** OUs are walked one after another at each run (Organizations throttles): a bound on the run's time. */
export const MAX_ROUTE_OUS = 20;
export const MAX_ROUTE_ACCOUNTS = 1000;

export const ROUTE_TOPIC_PREFIX = 'trailcheck-route-';

const FIELDS = ['name', 'ous', 'accounts', 'emails', 'slackWebhookSecretName', 'chatbotSlackChannelId'] as const;

/** The route's topic name: deterministic, so the function derives its ARN from the central topic's. */
export function routeTopicName(name: string): string {
  if (typeof name !== 'string' || !ROUTE_PATTERNS.name.test(name)) throw new ConfigError(`route name ${JSON.stringify(name)}: expected 1-64 letters, digits, _ or -`);
  return `${ROUTE_TOPIC_PREFIX}${name}`;
}

/** The route's topic ARN: the central topic's partition, region and account, the route's topic name. */
export function routeTopicArn(centralTopicArn: string, name: string): string {
  const m = ROUTE_PATTERNS.topicArn.exec(centralTopicArn);
  if (!m) throw new ConfigError(`central topic ARN ${JSON.stringify(centralTopicArn)}: expected arn:<partition>:sns:<region>:<account>:<topic>`);
  return `arn:${m[1]}:sns:${m[2]}:${m[3]}:${routeTopicName(name)}`;
}

/** The route a topic ARN belongs to (`trailcheck-route-<name>`), or undefined for any other topic. */
export function routeNameOfTopic(topicArn: string): string | undefined {
  const m = ROUTE_PATTERNS.topicArn.exec(topicArn);
  if (!m || !m[4].startsWith(ROUTE_TOPIC_PREFIX)) return undefined;
  const name = m[4].slice(ROUTE_TOPIC_PREFIX.length);
  return ROUTE_PATTERNS.name.test(name) ? name : undefined;
}

/** What the function needs of each route (no destinations): shipped to it as JSON in its asset. */
export function routesForRuntime(routes: readonly Route[]): RouteTarget[] {
  return routes.map((r) => ({ name: r.name, ous: [...r.ous], accounts: [...r.accounts] }));
}

/** The runtime file's text (`routesForRuntime` as JSON), read as hostile as the deploy config. */
export function parseRuntimeRoutes(text: string, source: string): RouteTarget[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${source}: not valid JSON (${(err as Error).message}); expected the routes as the stack wrote them`);
  }
  return routesForRuntime(parseRoutes(value, source));
}

/**
 * Validates routes: a list of objects, each with a unique `name`, at least one of `ous` and
 * `accounts`, and optional destinations. Throws ConfigError naming `key[i].field`.
 */
export function parseRoutes(value: unknown, key: string): Route[] {
  const items = typeof value === 'string' ? parseJsonList(value, key) : value;
  if (!Array.isArray(items)) bad(key, 'a list of routes, each {"name": …, "ous": [ou-…] and/or "accounts": [12-digit ids], destinations}', value);
  if (items.length > MAX_ROUTES) {
    throw new ConfigError(`${key}: ${items.length} routes; expected at most ${MAX_ROUTES} (each is a topic and its subscriptions in one stack); merge routes that share their destinations`);
  }
  const routes = items.map((item, i) => parseRoute(item, `${key}[${i}]`));
  const seen = new Map<string, number>();
  routes.forEach((r, i) => {
    // Topic names are case-sensitive, but two names differing only in case are a typo waiting to happen.
    const prior = seen.get(r.name.toLowerCase());
    if (prior !== undefined) throw new ConfigError(`${key}[${i}].name: ${JSON.stringify(r.name)} is already the name of ${key}[${prior}]; expected unique route names (each is a topic, ${routeTopicName(r.name)})`);
    seen.set(r.name.toLowerCase(), i);
  });
  return routes;
}

function parseRoute(item: unknown, at: string): Route {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) bad(at, 'a route object {"name": …, "ous": […] and/or "accounts": […]}', item);
  const obj = item as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!(FIELDS as readonly string[]).includes(k)) throw new ConfigError(`${at}.${k}: unknown field; expected one of ${FIELDS.join(', ')}`);
  }
  const name = obj.name;
  if (typeof name !== 'string' || !ROUTE_PATTERNS.name.test(name)) bad(`${at}.name`, 'a route name: 1-64 letters, digits, _ or - (it names the topic trailcheck-route-<name>)', name);
  const ous = idList(obj.ous, `${at}.ous`, ROUTE_PATTERNS.ouId, 'an OU id such as ou-ab12-cd34ef56 (a root r-… is every account: that is the central topic)', MAX_ROUTE_OUS);
  const accounts = idList(obj.accounts, `${at}.accounts`, ROUTE_PATTERNS.accountId, 'a 12-digit account id, as a string', MAX_ROUTE_ACCOUNTS);
  if (ous.length === 0 && accounts.length === 0) throw new ConfigError(`${at}: no "ous" and no "accounts"; expected at least one OU id or account id, or remove the route`);
  const emails = idList(obj.emails, `${at}.emails`, ROUTE_PATTERNS.email, 'an email address', MAX_ROUTE_EMAILS, (e) => e.toLowerCase());
  const route: Route = { name, ous, accounts, emails };
  if (obj.slackWebhookSecretName !== undefined) route.slackWebhookSecretName = secretName(obj.slackWebhookSecretName, `${at}.slackWebhookSecretName`);
  if (obj.chatbotSlackChannelId !== undefined) {
    const c = obj.chatbotSlackChannelId;
    if (typeof c !== 'string' || !ROUTE_PATTERNS.chatbotChannelId.test(c)) bad(`${at}.chatbotSlackChannelId`, "a Slack channel id such as C0123ABCD (the channel's details in Slack, at the bottom)", c);
    route.chatbotSlackChannelId = c;
  }
  return route;
}

function secretName(v: unknown, at: string): string {
  if (typeof v === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(v.trim())) {
    // Never echo it: it is probably the webhook URL itself, a secret.
    throw new ConfigError(`${at}: expected the name of a Secrets Manager secret holding the webhook URL, got a URL (not shown); put the URL in a secret (aws secretsmanager create-secret --name <name> --secret-string <url>) and give its name`);
  }
  if (typeof v === 'string' && v.startsWith('arn:')) bad(at, 'the secret\'s name (e.g. team-a/slack-webhook), not its ARN: the secret must be in the stack\'s account and region', v);
  if (typeof v !== 'string' || !ROUTE_PATTERNS.secretName.test(v)) bad(at, 'a Secrets Manager secret name: 1-512 letters, digits and /_+=.@-', v);
  return v;
}

/** A list of ids (JSON array, or one comma-separated string), deduplicated in order; absent is empty. */
function idList(v: unknown, at: string, re: RegExp, expected: string, max: number, same: (s: string) => string = (s) => s): string[] {
  if (v === undefined) return [];
  const items: unknown[] = Array.isArray(v) ? v : typeof v === 'string' && v.trim() !== '' ? v.split(/[\s,]+/).filter(Boolean) : bad(at, `a list (each ${expected})`, v);
  const out: string[] = [];
  const seen = new Set<string>();
  items.forEach((it, i) => {
    if (typeof it !== 'string' || !re.test(it)) bad(`${at}[${i}]`, expected, it);
    if (!seen.has(same(it))) out.push(it);
    seen.add(same(it));
  });
  if (out.length > max) throw new ConfigError(`${at}: ${out.length} items; expected at most ${max}`);
  return out;
}

function parseJsonList(text: string, key: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return bad(key, 'the routes as a JSON list (with -c, quote the JSON)', text);
  }
}

function bad(at: string, expected: string, got: unknown): never {
  throw new ConfigError(`${at}: expected ${expected}, got ${JSON.stringify(got)}`);
}
