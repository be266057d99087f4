/**
 * The HTML report's page as text (the browser tests in test/browser/ open it): the data element
 * cannot be broken out of, the policy's hashes are those of the page's own style and script, and
 * no hostile text reaches the markup as markup.
 */
import { createHash } from 'node:crypto';
import { embedJson, pageData } from '../../lambda/report/html-data';
import { html, renderHtml } from '../../lambda/report/html';
import { HOSTILE, hostileReport, largeReport, ordinaryReport } from '../browser/report-pages';

const dataOf = (page: string) => page.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/)![1];

describe('embedJson', () => {
  test.each([
    ['a closing script tag', '</script><script>alert(1)</script>'],
    ['a comment opener', '<!-- <script>'],
    ['CDATA and ampersands', ']]> &amp; &#60;'],
    ['the line separators', 'a\u2028b\u2029c'],
  ])('%s: none of < > & U+2028 U+2029 left, and the same data read back', (_, s) => {
    const out = embedJson({ s, list: [s] });
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(out)).toEqual({ s, list: [s] });
  });
});

describe('renderHtml', () => {
  test("the policy allows exactly the page's style and script, by their SHA-256, and nothing else", () => {
    const page = renderHtml(ordinaryReport());
    const csp = page.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)![1];
    const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    const style = page.match(/<style>([\s\S]*?)<\/style>/)![1];
    const script = page.match(/<script>([\s\S]*?)<\/script>/)![1];
    expect(csp).toBe(`default-src 'none'; style-src ${sha(style)}; script-src ${sha(script)}; img-src data:; base-uri 'none'; form-action 'none'`);
    // The policy comes before anything it governs.
    expect(page.indexOf('Content-Security-Policy')).toBeLessThan(page.indexOf('<style>'));
  });

  test('nothing from outside: no URL but the SVG namespace, no inline style or handler attribute', () => {
    const page = renderHtml(ordinaryReport());
    expect(page.match(/https?:\/\/[^"\s]*/g)?.filter((u) => u !== 'http://www.w3.org/2000/svg') ?? []).toEqual([]);
    expect(page).not.toMatch(/\sstyle=|\son[a-z]+=|innerHTML|insertAdjacentHTML|outerHTML|document\.write|eval\(/);
  });

  test('hostile text never reaches the page as markup: two script elements, and the texts only escaped', () => {
    const page = renderHtml(hostileReport());
    expect(page.match(/<script/g)).toHaveLength(2);
    expect(page.match(/<\/script>/g)).toHaveLength(2);
    for (const s of [HOSTILE.img, '<script>alert', HOSTILE.trailName, HOSTILE.ouName, '<iframe', '<b>', '\u202e', '\u2028', '\u0007', '\u001b']) {
      expect(page).not.toContain(s);
    }
    // The data reads back as the report shows it: control characters as visible escapes.
    const data = pageData(hostileReport());
    expect(JSON.parse(dataOf(page))).toEqual(data);
    expect(data.accounts.map((a) => a.n)).toContain('\\u202egnp.exe');
  });

  test('html() escapes markup and quotes, and shows controls visibly', () => {
    expect(html(`<a href="x" title='y'>&</a>\u202e\u0000`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;\\u202e\\u0000');
  });

  test('the same report gives the same page', () => {
    expect(renderHtml(ordinaryReport(), { generatedAt: '2026-01-01T00:00:00Z' })).toBe(renderHtml(ordinaryReport(), { generatedAt: '2026-01-01T00:00:00Z' }));
  });

  test('an organization trail every account sees is written once', () => {
    const r = largeReport(50);
    const shared = { ...r.accounts[0].trails[0], arn: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org', isOrganizationTrail: true };
    for (const a of r.accounts) a.trails = [shared];
    const data = pageData(r);
    expect(data.trails).toHaveLength(1);
    expect(data.accounts.every((a) => a.t?.[0] === 0)).toBe(true);
  });
});
