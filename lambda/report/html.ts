/**
 * The report as one self-contained HTML page (docs/report-format.md "HTML report"): a summary
 * with a chart of the counts, a breakdown by OU, the accounts table (filters by status, OU and
 * reason, search by id or name; each account's reasons, trails and fix commands with a copy
 * button), the exemptions, and the run's errors and notes.
 *
 * Nothing is fetched: the stylesheet, the script and the chart (SVG) are in the page, and its
 * Content-Security-Policy allows exactly that stylesheet and that script (by SHA-256), images only
 * as data: URLs, and no connection of any kind. Every text from AWS is hostile: what this file
 * writes as markup is shown through displayText (./display) and HTML-escaped; what the script
 * shows comes from the page data (./html-data), already shown safely, and is set as textContent.
 */
import { createHash } from 'node:crypto';
import { displayText } from './display';
import { SCRIPT, STYLE } from './html-assets';
import { embedJson, pageData } from './html-data';
import type { AccountReport, AuditReport, ExemptionInForce } from '../report-format';

export interface HtmlOptions {
  /** When the page was written (ISO 8601), shown beside the run's own times. */
  generatedAt?: string;
}

const STATUSES = ['PASS', 'FAIL', 'ERROR', 'SKIPPED'] as const;

/** The page for one run. Pure: the same report and options give the same page. */
export function renderHtml(report: AuditReport, options: HtmlOptions = {}): string {
  const body = [
    header(report, options.generatedAt),
    summarySection(report),
    ouSection(report.accounts),
    accountsSection(),
    exemptionsSection(report),
    runSection(report),
  ].join('\n');
  return page(title(report), body, embedJson(pageData(report)));
}

/** Text as HTML: shown safely (control and bidirectional characters as escapes), then escaped. */
export function html(s: unknown): string {
  return displayText(s === undefined || s === null ? '' : String(s)).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The policy: nothing but this page's own style and script; no request can leave the page. */
export function contentSecurityPolicy(style: string, script: string): string {
  const sha = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
  return [
    "default-src 'none'",
    `style-src ${sha(style)}`,
    `script-src ${sha(script)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function page(pageTitle: string, body: string, data: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(STYLE, SCRIPT)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${pageTitle}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
${body}
<script type="application/json" id="report-data">${data}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function title(report: AuditReport): string {
  const org = report.run.organization.available ? report.run.organization.id : undefined;
  return html(`trailcheck · ${org ?? report.run.callerAccountId} · ${report.run.startedAt}`);
}

function header(report: AuditReport, generatedAt?: string): string {
  const run = report.run;
  const org = run.organization.available ? `organization ${run.organization.id ?? '(id not known)'}` : `account ${run.callerAccountId} only (${run.organization.reason})`;
  const parts = [`run ${run.id}`, org, `region ${run.region}`, `started ${run.startedAt}`, duration(count(run.durationMs))];
  if (run.strict) parts.push('strict');
  if (generatedAt) parts.push(`page written ${generatedAt}`);
  const deadline = run.deadlineReached ? '\n<p class="meta"><strong>The run reached its deadline:</strong> unfinished accounts are ERROR (TIMEOUT).</p>' : '';
  return `<header>\n<h1>CloudTrail in all regions: ${html(summaryLine(report))}</h1>\n<p class="meta">${parts.map(html).join(' · ')} · trailcheck ${html(report.tool.version)}</p>${deadline}\n</header>`;
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

function count(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
}

/** The exempt count: the summary's when set, else the accounts carrying an exemption. */
function exemptCount(report: AuditReport): number {
  return report.summary.exempt !== undefined ? count(report.summary.exempt) : report.accounts.filter((a) => a.exemption).length;
}

function summaryLine(report: AuditReport): string {
  const s = report.summary;
  return `${count(s.PASS)} of ${count(s.total)} account${count(s.total) === 1 ? '' : 's'} pass`;
}

function summarySection(report: AuditReport): string {
  const s = report.summary;
  const items: Array<[key: string, label: string, n: number, link: string]> = [
    ...STATUSES.map((k) => [k, k, count(s[k]), `#status=${k}`] as [string, string, number, string]),
    ['exempt', 'exempt (FAIL or ERROR)', exemptCount(report), '#status=exempt'],
    ['total', 'accounts', count(s.total), '#'],
    ['runErrors', 'run errors', count(s.runErrors), '#run'],
  ];
  const cards = items
    .map(([key, label, n, link]) => `<li class="count s-${key.toLowerCase()}" data-count="${key}"><a href="${link}"><span class="n">${n}</span><span class="label">${html(label)}</span></a></li>`)
    .join('\n');
  const chart = countsChart(items.slice(0, 5).map(([key, label, n]) => ({ key: key.toLowerCase(), label: key === 'exempt' ? 'exempt' : label, n })));
  return `<section id="summary">\n<h2>Summary</h2>\n<div class="summary">\n<ul class="counts">\n${cards}\n</ul>\n${chart}\n</div>\n</section>`;
}

/** A bar per count, the count above it and its name below. */
export function countsChart(bars: Array<{ key: string; label: string; n: number }>): string {
  const width = 64;
  const gap = 18;
  const height = 140;
  const max = Math.max(1, ...bars.map((b) => b.n));
  const total = bars.length * (width + gap) + gap;
  const parts = bars.map((b, i) => {
    const x = gap + i * (width + gap);
    const h = b.n === 0 ? 0 : Math.max(2, Math.round((b.n / max) * height));
    const y = 20 + height - h;
    return (
      `<rect class="bar-${b.key}" x="${x}" y="${y}" width="${width}" height="${h}"><title>${html(`${b.label}: ${b.n}`)}</title></rect>` +
      `<text x="${x + width / 2}" y="${y - 5}" text-anchor="middle">${b.n}</text>` +
      `<text x="${x + width / 2}" y="${20 + height + 16}" text-anchor="middle">${html(b.label)}</text>`
    );
  });
  const label = bars.map((b) => `${b.label} ${b.n}`).join(', ');
  return `<svg class="chart" role="img" aria-label="${html(label)}" width="${total}" height="${height + 44}" viewBox="0 0 ${total} ${height + 44}" xmlns="http://www.w3.org/2000/svg"><line class="axis" x1="0" y1="${20 + height}" x2="${total}" y2="${20 + height}"/>${parts.join('')}</svg>`;
}

interface OuRow {
  id: string;
  name: string;
  counts: Record<(typeof STATUSES)[number] | 'exempt' | 'total', number>;
}

export function ouRows(accounts: AccountReport[]): OuRow[] {
  const rows = new Map<string, OuRow>();
  for (const a of accounts) {
    const id = a.ouId ? a.ouId : '-';
    const key = `${id}\u0000${a.ouId ? (a.ouName ?? '') : ''}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { id, name: a.ouId ? (a.ouName ?? '') : '', counts: { PASS: 0, FAIL: 0, ERROR: 0, SKIPPED: 0, exempt: 0, total: 0 } }));
    if ((STATUSES as readonly string[]).includes(a.status)) row.counts[a.status] += 1;
    if (a.exemption) row.counts.exempt += 1;
    row.counts.total += 1;
  }
  const failing = (r: OuRow) => r.counts.FAIL + r.counts.ERROR - r.counts.exempt;
  return [...rows.values()].sort((x, y) => (x.id === '-' ? 1 : 0) - (y.id === '-' ? 1 : 0) || failing(y) - failing(x) || (x.name || x.id).localeCompare(y.name || y.id));
}

function ouSection(accounts: AccountReport[]): string {
  const rows = ouRows(accounts);
  const unknown = rows.some((r) => r.id === '-');
  const note = unknown
    ? '<p class="muted">The OU is known for accounts under the OU filters and for those needing attention (FAIL, ERROR) that the run looked up; the others are under "OU not known".</p>'
    : '';
  const head = `<tr><th>OU</th><th class="num">accounts</th>${STATUSES.map((s) => `<th class="num">${s}</th>`).join('')}<th class="num">exempt</th><th>share</th></tr>`;
  const body = rows.map((r) => ouRow(r)).join('\n');
  return `<section id="ous">\n<h2>By OU</h2>\n${note}\n<table class="ou-table">\n${head}\n${body}\n</table>\n</section>`;
}

function ouRow(r: OuRow): string {
  const label = r.id === '-' ? 'OU not known' : r.name ? `${html(r.name)} <span class="muted mono">${html(r.id)}</span>` : `<span class="mono">${html(r.id)}</span>`;
  const link = `#ou=${html(encodeURIComponent(displayText(r.id)))}`;
  const cells = STATUSES.map((s) => `<td class="num">${r.counts[s]}</td>`).join('');
  return `<tr data-ou="${html(r.id)}"><td class="wrap"><a href="${link}">${label}</a></td><td class="num">${r.counts.total}</td>${cells}<td class="num">${r.counts.exempt}</td><td>${shareBar(r)}</td></tr>`;
}

/** The OU's accounts as one bar, split by status. */
function shareBar(r: OuRow): string {
  const width = 160;
  let x = 0;
  const parts = STATUSES.filter((s) => r.counts[s] > 0).map((s) => {
    const w = (r.counts[s] / Math.max(1, r.counts.total)) * width;
    const rect = `<rect class="bar-${s.toLowerCase()}" x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="12"><title>${s}: ${r.counts[s]}</title></rect>`;
    x += w;
    return rect;
  });
  return `<svg width="${width}" height="12" viewBox="0 0 ${width} 12" role="img" aria-label="${html(STATUSES.map((s) => `${s} ${r.counts[s]}`).join(', '))}" xmlns="http://www.w3.org/2000/svg"><rect class="bar-track" x="0" y="0" width="${width}" height="12"/>${parts.join('')}</svg>`;
}

function accountsSection(): string {
  const statuses = [['', 'All'], ['attention', 'Needs attention (FAIL or ERROR, not exempt)'], ...STATUSES.map((s) => [s, s]), ['exempt', 'Exempt']];
  const options = statuses.map(([v, l]) => `<option value="${v}">${html(l)}</option>`).join('');
  return `<section id="accounts">
<h2>Accounts</h2>
<form id="filters" class="filters" role="search">
<label>Status <select id="f-status">${options}</select></label>
<label>OU <select id="f-ou"><option value="">All</option></select></label>
<label>Reason <select id="f-reason"><option value="">All</option></select></label>
<label>Search <input id="f-search" type="search" placeholder="account id or name" autocomplete="off"></label>
<button id="reset" type="button">Clear filters</button>
</form>
<p id="shown" class="muted" aria-live="polite"></p>
<noscript><p>The accounts table is built by the page's script: allow JavaScript for this file to see it (the summary above needs none).</p></noscript>
<table id="accounts-table">
<thead><tr><th>Account</th><th>Name</th><th>Status</th><th>OU</th><th>Detail</th><th></th></tr></thead>
<tbody id="accounts-body"></tbody>
</table>
<button id="more" type="button" hidden>Show more</button>
</section>`;
}

function exemptionsSection(report: AuditReport): string {
  const list = report.run.exemptions;
  if (!list || list.length === 0) return '';
  const used = new Map<string, number>();
  for (const a of report.accounts) if (a.exemption) used.set(a.exemption.id, (used.get(a.exemption.id) ?? 0) + 1);
  const head = '<tr><th>Exemption</th><th>Covers</th><th>Reason</th><th>Owner</th><th>Until</th><th class="num">accounts exempt</th></tr>';
  return `<section id="exemptions">\n<h2>Exemptions</h2>\n<table class="exemptions">\n${head}\n${list.map((e) => exemptionRow(e, used.get(e.id) ?? 0)).join('\n')}\n</table>\n</section>`;
}

function exemptionRow(e: ExemptionInForce, exempt: number): string {
  const covers = [...(e.accounts ?? []).map((a) => `account ${a}`), ...(e.ous ?? []).map((o) => `OU ${o}`)].join(', ');
  const until = `${e.expires} (${count(e.daysLeft)} day${count(e.daysLeft) === 1 ? '' : 's'} left${e.expiringSoon ? ', expiring soon' : ''})`;
  const id = e.ticket ? `${e.id} · ${e.ticket}` : e.id;
  return `<tr><td class="wrap mono">${html(id)}</td><td class="wrap">${html(covers)}</td><td class="wrap">${html(e.reason)}</td><td class="wrap">${html(e.owner)}</td><td>${html(until)}</td><td class="num">${exempt}</td></tr>`;
}

function runSection(report: AuditReport): string {
  const run = report.run;
  const filters = [
    run.filters.accounts?.length ? `accounts ${run.filters.accounts.join(', ')}` : '',
    run.filters.excludeAccounts?.length ? `excluding ${run.filters.excludeAccounts.join(', ')}` : '',
    run.filters.ous?.length ? `OUs ${run.filters.ous.join(', ')}` : '',
  ].filter(Boolean);
  const facts: Array<[string, string]> = [
    ['Run', run.id],
    ['Started, finished', `${run.startedAt} → ${run.finishedAt} (${count(run.durationMs)} ms)`],
    ['Caller', `${run.callerArn} (${run.partition})`],
    ['Audit role', run.roleName],
    ['Filters', filters.length ? filters.join('; ') : 'none'],
  ];
  if (run.securityHub) facts.push(['Security Hub', `${run.securityHub.imported} imported, ${run.securityHub.failed} failed, ${run.securityHub.archived} archived (${run.securityHub.region})`]);
  const dl = facts.map(([k, v]) => `<dt>${html(k)}</dt><dd class="wrap">${html(v)}</dd>`).join('');
  const list = (id: string, heading: string, items: string[], none: string) =>
    `<h3>${heading}</h3>\n${items.length ? `<ul id="${id}">${items.map((i) => `<li class="wrap">${html(i)}</li>`).join('')}</ul>` : `<p class="muted" id="${id}">${none}</p>`}`;
  return `<section id="run">\n<h2>The run</h2>\n<dl class="facts">${dl}</dl>\n${list('run-errors', 'Errors', run.errors.map((e) => `${e.code}: ${e.message}`), 'No run errors.')}\n${list('run-notes', 'Notes', run.notes, 'No notes.')}\n</section>`;
}
