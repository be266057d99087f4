/**
 * POST a JSON payload to a Slack incoming webhook, with retries: 429 waits for `Retry-After`,
 * 5xx, network errors and timeouts back off exponentially; other 4xx (Slack's `invalid_blocks`,
 * `no_service`, `channel_is_archived`, …) are permanent. `fetch`, the clock and sleep are injected.
 *
 * The webhook URL is a secret (anyone holding it can post to the channel): no error, log field or
 * return value here contains it, not even in part.
 */
import { truncateText } from '../../report/display';

export interface WebhookDeps {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch. */
  now: () => number;
}

export interface WebhookOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** One request's timeout. */
  timeoutMs: number;
  /** Backoff after the first failure; doubles each time, capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Give up (as a transient failure) rather than wait past this much time in all. */
  budgetMs: number;
}

export const WEBHOOK_DEFAULTS: WebhookOptions = { maxAttempts: 5, timeoutMs: 10_000, baseDelayMs: 1_000, maxDelayMs: 30_000, budgetMs: 120_000 };

export class WebhookError extends Error {
  override readonly name = 'WebhookError';
  constructor(
    message: string,
    /** Retrying cannot help (bad URL, payload refused, channel gone). */
    readonly permanent: boolean,
    readonly attempts: number,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface WebhookResult {
  status: number;
  attempts: number;
}

/** Checks the URL without ever echoing it: https, or http to a loopback address (local tests). */
export function parseWebhookUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookError('the webhook URL is not a valid URL (expected https://hooks.slack.com/services/…)', true, 0);
  }
  const loopback = parsed.hostname === '127.0.0.1' || parsed.hostname === 'localhost' || parsed.hostname === '[::1]';
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw new WebhookError(`the webhook URL must use https (got ${parsed.protocol.replace(':', '')}); expected https://hooks.slack.com/services/…`, true, 0);
  }
  if (parsed.username || parsed.password) throw new WebhookError('the webhook URL must not carry credentials', true, 0);
  return parsed;
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

export async function postToWebhook(url: string, payload: unknown, deps: WebhookDeps, options: Partial<WebhookOptions> = {}): Promise<WebhookResult> {
  const o = { ...WEBHOOK_DEFAULTS, ...options };
  const target = parseWebhookUrl(url);
  const body = JSON.stringify(payload);
  const started = deps.now();
  let last = '';
  for (let attempt = 1; attempt <= o.maxAttempts; attempt++) {
    let wait: number;
    try {
      const res = await deps.fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        // A redirect would send the payload somewhere the secret did not name.
        redirect: 'manual',
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      const text = truncateText(await res.text().catch(() => ''), 200, '');
      if (res.status >= 200 && res.status < 300) return { status: res.status, attempts: attempt };
      last = `HTTP ${res.status}${text ? ` ${JSON.stringify(text)}` : ''}`;
      if (res.status === 429) wait = retryAfterMs(res.headers.get('retry-after')) ?? backoff(o, attempt);
      else if (res.status >= 500) wait = backoff(o, attempt);
      else throw new WebhookError(`Slack refused the message: ${last}; not retried`, true, attempt, res.status);
    } catch (err) {
      if (err instanceof WebhookError) throw err;
      last = describeNetworkError(err, o.timeoutMs);
      wait = backoff(o, attempt);
    }
    if (attempt === o.maxAttempts) break;
    if (deps.now() - started + wait > o.budgetMs) {
      throw new WebhookError(`gave up after ${attempt} attempt${attempt > 1 ? 's' : ''}: waiting ${Math.round(wait / 1000)} s more would exceed the ${Math.round(o.budgetMs / 1000)} s budget; last: ${last}`, false, attempt);
    }
    await deps.sleep(wait);
  }
  throw new WebhookError(`gave up after ${o.maxAttempts} attempts; last: ${last}`, false, o.maxAttempts);
}

function backoff(o: WebhookOptions, attempt: number): number {
  return Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1));
}

/** `Retry-After` in seconds (what Slack sends) or as an HTTP date. */
export function retryAfterMs(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** A network failure in words, without the URL (undici's messages and causes may carry it). */
function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: unknown; name?: unknown } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : typeof e?.cause?.name === 'string' ? e.cause.name : undefined;
  return `network error${code ? ` ${code}` : ''}`;
}
