/**
 * The HTML report in a real browser: Debian's Chromium, driven by playwright-core (one browser
 * for the file, a fresh context per test). Each page is served from a fake origin by page.route;
 * every other request is recorded and refused, and every test ends by asserting there was none,
 * no console error (a CSP violation is one), no uncaught exception and no dialog.
 *
 * Chromium missing is a failure, not a skip: `apt-get install -y chromium` (.ci/run does it).
 */
import * as fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { renderHtml } from '../../lambda/report/html';
import type { AuditReport } from '../../lambda/report-format';
import { HOSTILE, hostileReport, largeReport, ordinaryReport, OUS } from './report-pages';
import { accountId } from '../unit/report-fixtures';

// What page.evaluate runs is the browser's code: the project compiles without the DOM library,
// so the few browser globals it names are declared here, for this file only.
declare const document: any;
declare const window: any;
declare const navigator: any;
declare const requestAnimationFrame: (f: () => void) => number;
declare const Event: any;

const CHROMIUM = process.env.TRAILCHECK_CHROMIUM ?? '/usr/bin/chromium';
/** localhost is a secure context (the clipboard API exists there); the other origin is not. */
const SECURE = 'http://localhost/report.html';
const PLAIN = 'http://report.trailcheck.test/report.html';

jest.setTimeout(120_000);

let browser: Browser;
beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the HTML report's browser tests need it. Install it with \`apt-get install -y chromium\` (as .ci/run does), or set TRAILCHECK_CHROMIUM to its path.`);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  context: BrowserContext;
  /** Console errors, uncaught exceptions, dialogs and requests other than the page itself. */
  problems: string[];
}
const opened: Opened[] = [];

async function open(html: string, options: { url?: string; hash?: string; clipboard?: boolean } = {}): Promise<Opened> {
  const url = options.url ?? SECURE;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  if (options.clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.route('**', (route) => {
    if (route.request().url().split('#')[0] === url) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    problems.push(`request: ${route.request().url()}`);
    return route.abort();
  });
  await page.goto(url + (options.hash ?? ''));
  await page.waitForSelector('body[data-ready="true"]');
  const o = { page, context, problems };
  opened.push(o);
  return o;
}

afterEach(async () => {
  const all = opened.splice(0);
  for (const o of all) await o.context.close();
  // Asserted after closing, so that a failure does not leave a context open.
  for (const o of all) expect(o.problems).toEqual([]);
});

const rowIds = (page: Page) => page.$$eval('#accounts-body tr.row', (rows) => rows.map((r) => (r as unknown as { dataset: Record<string, string> }).dataset.account));
const shownText = (page: Page) => page.textContent('#shown');

async function selectFilter(page: Page, id: string, value: string): Promise<void> {
  await page.selectOption(`#${id}`, value);
}

describe('counts and content', () => {
  test('the counts, the chart and the rows match the report', async () => {
    const report = ordinaryReport();
    const { page } = await open(renderHtml(report));
    const card = (k: string) => page.textContent(`[data-count="${k}"] .n`);
    for (const k of ['PASS', 'FAIL', 'ERROR', 'SKIPPED'] as const) expect(await card(k)).toBe(String(report.summary[k]));
    expect(await card('exempt')).toBe('1');
    expect(await card('total')).toBe('12');
    expect(await card('runErrors')).toBe('0');
    expect(await page.getAttribute('svg.chart', 'aria-label')).toBe('PASS 5, FAIL 4, ERROR 2, SKIPPED 1, exempt 1');
    // The bars' heights follow the counts: PASS (5) is the tallest, FAIL (4) 4/5 of it.
    const heights = await page.$$eval('svg.chart rect', (rects) => rects.map((r) => Number(r.getAttribute('height'))));
    expect(heights[1] / heights[0]).toBeCloseTo(0.8, 1);
    expect(await shownText(page)).toBe('All 12 accounts');
    // FAIL first, then ERROR, PASS, SKIPPED; listing order within each.
    expect(await rowIds(page)).toEqual([6, 7, 8, 9, 10, 11, 1, 2, 3, 4, 5, 12].map(accountId));
  });

  test('the OU breakdown counts each OU, the accounts without one apart', async () => {
    const { page } = await open(renderHtml(ordinaryReport()));
    const rows = await page.$$eval('.ou-table tr[data-ou]', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 7).map((td) => td.textContent)));
    expect(rows).toEqual([
      ['Dev ou-ab12-dev00000', '3', '1', '2', '0', '0', '0'],
      ['Legacy ou-ab12-legacy00', '2', '0', '2', '0', '0', '1'],
      ['Prod ou-ab12-prod0000', '3', '2', '0', '1', '0', '0'],
      ['OU not known', '4', '2', '0', '1', '1', '0'],
    ]);
  });

  test("a failing account's details: reasons, trails and the fix, with a copy button that copies it", async () => {
    const report = ordinaryReport();
    const { page } = await open(renderHtml(report), { clipboard: true });
    await page.click(`tr[data-account="${accountId(6)}"] button.toggle`);
    const detail = page.locator('tr.detail');
    await expect(detail.textContent()).resolves.toContain('NOT_LOGGING: Trail main is multi-region but not logging.');
    const step = report.accounts.find((a) => a.accountId === accountId(6))!.remediation[0];
    expect(await detail.locator('pre').textContent()).toBe(step);
    await detail.locator('button.copy').click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(step);
    expect(await detail.locator('button.copy').textContent()).toBe('Copied');
    // Hide removes it again.
    await page.click(`tr[data-account="${accountId(6)}"] button.toggle`);
    expect(await page.locator('tr.detail').count()).toBe(0);
  });

  test('without the clipboard API (not a secure context) Copy selects the command instead', async () => {
    const report = ordinaryReport();
    const { page } = await open(renderHtml(report), { url: PLAIN });
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    await page.click(`tr[data-account="${accountId(6)}"] button.toggle`);
    await page.click('tr.detail button.copy');
    expect(await page.evaluate(() => String(window.getSelection()))).toBe(report.accounts[5].remediation[0]);
    expect(await page.textContent('tr.detail button.copy')).toBe('Selected: press Ctrl+C');
  });

  test("an exempt account says so, and the exemptions and the run's notes are listed", async () => {
    const { page } = await open(renderHtml(ordinaryReport()));
    await page.click(`tr[data-account="${accountId(8)}"] button.toggle`);
    expect(await page.textContent('tr.detail .exemption')).toBe('Being shut down in Q3 (owner platform@example.com, until 2026-09-30, ticket SEC-42, through ou-ab12-legacy00; id legacy-sunset)');
    expect(await page.textContent(`tr[data-account="${accountId(8)}"] .status`)).toBe('FAIL exempt');
    expect(await page.$$eval('#exemptions tr td', (tds) => tds.map((td) => td.textContent))).toEqual([
      'legacy-sunset · SEC-42', 'OU ou-ab12-legacy00', 'Being shut down in Q3', 'platform@example.com', '2026-09-30 (40 days left)', '1',
    ]);
    expect(await page.textContent('#run-notes')).toBe('Organizations listed 12 accounts.');
    expect(await page.textContent('#run-errors')).toBe('No run errors.');
  });
});

describe('filters and search', () => {
  test('by status, OU and reason, and their combination', async () => {
    const { page } = await open(renderHtml(ordinaryReport()));
    await selectFilter(page, 'f-status', 'FAIL');
    expect(await rowIds(page)).toEqual([6, 7, 8, 9].map(accountId));
    expect(await shownText(page)).toBe('4 of 12 accounts');
    await selectFilter(page, 'f-status', 'attention');
    expect(await rowIds(page)).toEqual([6, 7, 9, 10, 11].map(accountId)); // 8 is exempt
    await selectFilter(page, 'f-status', 'exempt');
    expect(await rowIds(page)).toEqual([accountId(8)]);
    await selectFilter(page, 'f-status', '');
    await selectFilter(page, 'f-ou', OUS[1].ouId);
    expect(await rowIds(page)).toEqual([6, 7, 5].map(accountId));
    await selectFilter(page, 'f-ou', '-');
    expect(await rowIds(page)).toEqual([11, 1, 2, 12].map(accountId));
    await selectFilter(page, 'f-ou', '');
    await selectFilter(page, 'f-reason', 'MANAGEMENT_EVENTS_WRITE_ONLY');
    expect(await rowIds(page)).toEqual([accountId(7)]);
    await selectFilter(page, 'f-reason', 'DELIVERY_ERROR'); // a warning's code: a PASS account
    expect(await rowIds(page)).toEqual([accountId(4)]);
    await selectFilter(page, 'f-reason', 'NOT_LOGGING');
    await selectFilter(page, 'f-ou', OUS[2].ouId);
    expect(await rowIds(page)).toEqual([8, 9].map(accountId));
    await selectFilter(page, 'f-status', 'SKIPPED');
    expect(await rowIds(page)).toEqual([]);
    expect(await shownText(page)).toBe('0 of 12 accounts');
  });

  test('search by part of an id or a name, in any case', async () => {
    const { page } = await open(renderHtml(ordinaryReport()));
    await page.fill('#f-search', '00000000007');
    expect(await rowIds(page)).toEqual([accountId(7)]);
    await page.fill('#f-search', 'PROD-');
    expect(await rowIds(page)).toEqual([3, 4].map(accountId));
    await page.fill('#f-search', 'no such account');
    expect(await rowIds(page)).toEqual([]);
    await page.fill('#f-search', '');
    expect((await rowIds(page)).length).toBe(12);
  });

  test('the filters are in the URL: a link opens the view, the counts and OUs link to theirs, Clear resets', async () => {
    const { page } = await open(renderHtml(ordinaryReport()), { hash: '#status=ERROR&q=data' });
    expect(await page.inputValue('#f-status')).toBe('ERROR');
    expect(await rowIds(page)).toEqual([accountId(11)]);
    await page.click('[data-count="FAIL"] a');
    expect(await page.inputValue('#f-status')).toBe('FAIL');
    expect(await page.inputValue('#f-search')).toBe('');
    expect((await rowIds(page)).length).toBe(4);
    await page.click(`.ou-table tr[data-ou="${OUS[0].ouId}"] a`);
    expect(await rowIds(page)).toEqual([10, 3, 4].map(accountId));
    await selectFilter(page, 'f-status', 'PASS');
    expect(new URL(page.url()).hash).toBe(`#status=PASS&ou=${OUS[0].ouId}`);
    await page.click('#reset');
    expect((await rowIds(page)).length).toBe(12);
    expect(new URL(page.url()).hash).toBe('');
  });

  test('a fragment with values that are no option is ignored, not shown', async () => {
    const { page } = await open(renderHtml(ordinaryReport()), { hash: `#status=${encodeURIComponent(HOSTILE.img)}&ou=nope&reason=%3Cb%3E` });
    expect(await page.inputValue('#f-status')).toBe('');
    expect(await page.inputValue('#f-ou')).toBe('');
    expect((await rowIds(page)).length).toBe(12);
  });
});

describe('hostile text renders as text', () => {
  async function injected(page: Page) {
    return page.evaluate(() => ({
      scripts: document.scripts.length,
      elements: document.querySelectorAll('img, iframe, object, embed, b, a[href^="javascript"], svg [onload]').length,
      handlers: [...document.querySelectorAll('*')].filter((e: any) => [...e.attributes].some((a: any) => a.name.startsWith('on'))).map((e: any) => e.outerHTML.slice(0, 80)),
      alerted: (window as unknown as { alerted?: boolean }).alerted ?? false,
    }));
  }

  test('names, trails, OUs, reasons, fix steps, exemptions, notes and errors: no element, handler or dialog injected', async () => {
    const report = hostileReport();
    const { page } = await open(renderHtml(report));
    await page.evaluate(() => {
      (window as unknown as { alert: () => void }).alert = () => ((window as unknown as { alerted: boolean }).alerted = true);
    });
    for (const id of report.accounts.map((a) => a.accountId)) await page.click(`tr[data-account="${id}"] button.toggle`);
    expect(await injected(page)).toEqual({ scripts: 2, elements: 0, handlers: [], alerted: false });
    const name = (n: number) => page.textContent(`tr[data-account="${accountId(n)}"] td:nth-child(2)`);
    expect(await name(1)).toBe(HOSTILE.img);
    expect(await name(2)).toBe(HOSTILE.script);
    expect(await name(3)).toBe(HOSTILE.quotes);
    // Right-to-left override, C0 controls and the line separators shown as escapes, visibly.
    expect(await name(4)).toBe('\\u202egnp.exe');
    expect(await name(5)).toBe('bell\\u0007esc\\u001b[2Jnul\\u0000cr\\rlf\\n');
    expect(await name(6)).toBe('line\\u2028para\\u2029end');
    const text = (await page.textContent('body')) ?? '';
    for (const s of [HOSTILE.trailName, HOSTILE.message, HOSTILE.ouName, 'x<script>', '<b>CODE</b>']) expect(text).toContain(s);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b\u001b\u202e\u2028\u2029]/);
    // The fix step keeps its lines, and its markup is text.
    expect(await page.textContent(`tr[data-account="${accountId(3)}"] + tr.detail pre`)).toBe(HOSTILE.step);
  });

  test('the hostile texts in the static parts (OU table, exemptions, run errors and notes) are text too', async () => {
    const { page } = await open(renderHtml(hostileReport()));
    expect(await page.textContent(`.ou-table tr[data-ou='${HOSTILE.ouId.replace(/'/g, "\\'")}'] td`)).toBe(`${HOSTILE.ouName} ${HOSTILE.ouId}`);
    expect(await page.textContent('#exemptions td:nth-child(3)')).toBe(HOSTILE.img);
    expect(await page.textContent('#run-errors')).toBe(`LISTING_INCOMPLETE: ${HOSTILE.img}`);
    expect(await page.$$eval('#run-notes li', (lis) => lis.map((li) => li.textContent))).toEqual([HOSTILE.script, 'bell\\u0007esc\\u001b[2Jnul\\u0000cr\\rlf\\n']);
    expect(await page.title()).not.toContain('<');
  });

  test('the hostile OU and reason are filter options that work, and the search finds a hostile name', async () => {
    const { page } = await open(renderHtml(hostileReport()));
    await selectFilter(page, 'f-ou', HOSTILE.ouId);
    expect(await rowIds(page)).toEqual([accountId(2)]);
    await selectFilter(page, 'f-ou', '');
    await selectFilter(page, 'f-reason', '<b>CODE</b>');
    expect(await rowIds(page)).toEqual([accountId(3)]);
    await selectFilter(page, 'f-reason', '');
    await page.fill('#f-search', '</script>');
    expect(await rowIds(page)).toEqual([accountId(2)]);
  });

  test('the policy allows only the page\'s own style and script: an inline script added to it does not run', async () => {
    const o = await open(renderHtml(ordinaryReport()));
    const csp = (await o.page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content')) ?? '';
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; script-src 'sha256-[A-Za-z0-9+/]+=*'; img-src data:/);
    expect(csp).not.toMatch(/unsafe|\*|https?:/);
    const ran = await o.page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.injectedRan = true';
      document.body.appendChild(s);
      const img = document.createElement('img');
      img.src = 'https://evil.example/pixel.png';
      document.body.appendChild(img);
      return (window as unknown as { injectedRan?: boolean }).injectedRan ?? false;
    });
    expect(ran).toBe(false);
    await o.page.waitForTimeout(200);
    // The refusals are the only console errors, and no request left the page.
    expect(o.problems.length).toBeGreaterThan(0);
    expect(o.problems.every((p) => /Content Security Policy/.test(p))).toBe(true);
    o.problems.length = 0;
  });
});

describe('10,000 accounts', () => {
  let report: AuditReport;
  let html: string;
  beforeAll(() => {
    report = largeReport(10_000);
    html = renderHtml(report);
  });

  test('the page stays under 5 MB, loads, filters and searches in well under a second (asserted: 2 s)', async () => {
    const bytes = Buffer.byteLength(html);
    const t0 = Date.now();
    const { page } = await open(html);
    const loadMs = Date.now() - t0;
    // From navigation start to the load event: parsing the page and its script building the first rows.
    const pageMs = await page.evaluate(() => Math.round(window.performance.getEntriesByType('navigation')[0].loadEventEnd));
    expect((await rowIds(page)).length).toBe(200);
    expect(await shownText(page)).toBe('All 10000 accounts');
    const timed = (id: string, value: string) =>
      page.evaluate(
        async ([id, value]) => {
          const control = document.getElementById(id);
          const t = performance.now();
          control.value = value;
          control.dispatchEvent(new Event(control.tagName === 'INPUT' ? 'input' : 'change'));
          const dom = performance.now() - t;
          await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
          return { dom, painted: performance.now() - t, shown: document.body.dataset.shown };
        },
        [id, value] as const,
      );
    const runs = {
      status: await timed('f-status', 'FAIL'),
      ou: await timed('f-ou', 'ou-ab12-00000006'),
      reason: await timed('f-reason', 'NOT_LOGGING'),
      search: await timed('f-search', 'workload-99'),
      clear: await (async () => {
        await timed('f-status', '');
        await timed('f-ou', '');
        await timed('f-reason', '');
        return timed('f-search', '');
      })(),
    };
    expect(runs.status.shown).toBe(String(report.summary.FAIL));
    expect(runs.ou.shown).toBe('250'); // OU 6 holds every 40th account, all FAIL
    expect(runs.clear.shown).toBe('10000');
    const figures = Object.entries(runs).map(([k, r]) => `${k} ${r.dom.toFixed(0)} ms (${r.painted.toFixed(0)} ms to the next frame, ${r.shown} shown)`);
    process.stdout.write(`HTML report, 10,000 accounts: ${(bytes / 1e6).toFixed(2)} MB; load ${pageMs} ms in the page (${loadMs} ms with the browser context); filter: ${figures.join('; ')}\n`);
    expect(bytes).toBeLessThan(5e6);
    for (const r of Object.values(runs)) expect(r.painted).toBeLessThan(2000);
    // The rest is there, 200 at a time.
    await page.click('#more');
    expect((await rowIds(page)).length).toBe(400);
  });
});
