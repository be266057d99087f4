/**
 * The HTML report's inline stylesheet and script (report/html.ts puts them in the page and allows
 * exactly these two by their SHA-256 in the Content-Security-Policy).
 *
 * The script reads the page data (report/html-data.ts: every text already shown safely) from the
 * `report-data` element and builds the accounts table with createElement and textContent only:
 * no innerHTML, no string turned into markup, so a name from AWS can only ever be text. Rows are
 * rendered 200 at a time (the rest on "Show more"), details only when opened, so filtering
 * 10,000 accounts touches the DOM for 200 rows. The filters live in the URL's fragment
 * (`#status=FAIL&ou=…&reason=…&q=…`): a filtered view is a link, and the summary's counts and the
 * OU table link to theirs.
 *
 * Plain ES2020 for the browser, kept as text: no backquotes or `${` inside it.
 */

export const STYLE = String.raw`
:root { color-scheme: light dark; --fg: #1d2430; --muted: #5b6575; --bg: #ffffff; --panel: #f4f6f9; --line: #d9dee6;
  --pass: #1f8a4c; --fail: #c62f2f; --error: #c86a00; --skipped: #7a8494; --exempt: #3566c8; --link: #2457b8; }
@media (prefers-color-scheme: dark) { :root { --fg: #e4e8ee; --muted: #9aa4b3; --bg: #14181f; --panel: #1d232c; --line: #323b47;
  --pass: #3fb873; --fail: #ef5d5d; --error: #f0963a; --skipped: #8d97a6; --exempt: #6f97ea; --link: #8fb2f5; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 10px; } h3 { font-size: 14px; margin: 14px 0 6px; }
a { color: var(--link); }
.meta { color: var(--muted); margin: 0; }
.mono, code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.summary { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
.counts { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(3, minmax(110px, 1fr)); gap: 8px; }
.counts li a, .counts li > span { display: block; padding: 10px 12px; border-radius: 6px; background: var(--panel); border-left: 4px solid var(--line); color: inherit; text-decoration: none; }
.counts li a:hover { outline: 1px solid var(--line); }
.counts .n { display: block; font-size: 22px; font-weight: 600; }
.counts .label { color: var(--muted); }
.s-pass { border-left-color: var(--pass) !important; } .s-fail { border-left-color: var(--fail) !important; }
.s-error { border-left-color: var(--error) !important; } .s-skipped { border-left-color: var(--skipped) !important; }
.s-exempt { border-left-color: var(--exempt) !important; }
svg text { fill: var(--fg); font: 12px system-ui, sans-serif; }
svg .axis { stroke: var(--line); }
.bar-pass, .dot-pass { fill: var(--pass); } .bar-fail, .dot-fail { fill: var(--fail); } .bar-error, .dot-error { fill: var(--error); }
.bar-skipped, .dot-skipped { fill: var(--skipped); } .bar-exempt { fill: var(--exempt); } .bar-track { fill: var(--panel); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; margin-bottom: 10px; }
.filters label { display: flex; flex-direction: column; gap: 2px; color: var(--muted); font-size: 12px; }
.filters select, .filters input { font: inherit; padding: 4px 6px; min-width: 160px; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 4px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: var(--skipped); }
.badge.b-pass { background: var(--pass); } .badge.b-fail { background: var(--fail); } .badge.b-error { background: var(--error); }
.badge.b-exempt { background: var(--exempt); }
.detail > td { background: var(--panel); }
.detail ul { margin: 4px 0; padding-left: 20px; }
.step { display: flex; gap: 8px; align-items: flex-start; margin: 4px 0; }
.step pre { flex: 1; margin: 0; padding: 6px 8px; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; }
.trails td { font-size: 13px; }
button { font: inherit; font-size: 12px; padding: 3px 8px; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--fg); cursor: pointer; }
.muted { color: var(--muted); }
.wrap { overflow-wrap: break-word; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; } dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
#accounts-table td.mono { white-space: nowrap; }
#more { margin-top: 10px; }
`;

export const SCRIPT = String.raw`
(function () {
  'use strict';
  var CHUNK = 200;
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var ORDER = { FAIL: 0, ERROR: 1, PASS: 2, SKIPPED: 3 };
  var KNOWN = { PASS: 'pass', FAIL: 'fail', ERROR: 'error', SKIPPED: 'skipped' };
  var $ = function (id) { return document.getElementById(id); };
  var controls = { status: $('f-status'), ou: $('f-ou'), reason: $('f-reason'), q: $('f-search') };
  var tbody = $('accounts-body');
  var more = $('more');
  var shown = $('shown');
  var list = [];
  var rendered = 0;

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function finding(i) { var f = data.findings[i]; return { code: f[0], message: f[1], trailArn: f[2] }; }
  function codes(a) {
    var out = [];
    (a.r || []).concat(a.w || []).forEach(function (i) { var c = data.findings[i][0]; if (out.indexOf(c) < 0) out.push(c); });
    return out;
  }
  function ouKey(a) { return a.o === undefined ? '-' : data.ous[a.o][0]; }
  var accounts = data.accounts.map(function (a, index) {
    return { a: a, index: index, ou: ouKey(a), codes: codes(a), hay: (a.i + ' ' + (a.n || '')).toLowerCase(),
      attention: (a.s === 'FAIL' || a.s === 'ERROR') && a.e === undefined };
  });
  accounts.sort(function (x, y) { return ((ORDER[x.a.s] === undefined ? 4 : ORDER[x.a.s]) - (ORDER[y.a.s] === undefined ? 4 : ORDER[y.a.s])) || x.index - y.index; });

  function option(select, value, label) { var o = el('option', '', label); o.value = value; select.appendChild(o); }
  function fillOptions() {
    var ous = data.ous.map(function (o) { return o; }).sort(function (x, y) { return (x[1] || x[0]).localeCompare(y[1] || y[0]); });
    ous.forEach(function (o) { option(controls.ou, o[0], o[1] ? o[1] + ' (' + o[0] + ')' : o[0]); });
    if (accounts.some(function (x) { return x.ou === '-'; })) option(controls.ou, '-', 'OU not known');
    var all = [];
    accounts.forEach(function (x) { x.codes.forEach(function (c) { if (all.indexOf(c) < 0) all.push(c); }); });
    all.sort().forEach(function (c) { option(controls.reason, c, c); });
  }

  function current() {
    return { status: controls.status.value, ou: controls.ou.value, reason: controls.reason.value, q: controls.q.value.trim().toLowerCase() };
  }
  function matches(x, f) {
    if (f.status === 'attention') { if (!x.attention) return false; }
    else if (f.status === 'exempt') { if (x.a.e === undefined) return false; }
    else if (f.status && x.a.s !== f.status) return false;
    if (f.ou && x.ou !== f.ou) return false;
    if (f.reason && x.codes.indexOf(f.reason) < 0) return false;
    if (f.q && x.hay.indexOf(f.q) < 0) return false;
    return true;
  }

  function headline(a) {
    if (a.s === 'PASS') {
      var via = a.q === undefined ? undefined : data.trails[a.t[a.q]];
      var warn = a.w ? ' (' + a.w.length + ' warning' + (a.w.length > 1 ? 's' : '') + ')' : '';
      return (via ? 'via ' + (via.f.indexOf('g') >= 0 ? 'organization trail ' : 'trail ') + via.n : 'a qualifying trail') + warn;
    }
    if (!a.r) return '';
    var r = finding(a.r[0]);
    return r.code + ': ' + r.message + (a.r.length > 1 ? ' (+' + (a.r.length - 1) + ' more)' : '');
  }
  function badge(text, kind) { return el('span', 'badge b-' + kind, text); }
  function row(x) {
    var a = x.a, tr = el('tr', 'row');
    tr.dataset.account = a.i;
    tr.appendChild(el('td', 'mono', a.i));
    tr.appendChild(el('td', 'wrap', a.n || '-'));
    var st = el('td', 'status');
    st.appendChild(badge(a.s, KNOWN[a.s] || 'other'));
    if (a.e !== undefined) { st.appendChild(document.createTextNode(' ')); st.appendChild(badge('exempt', 'exempt')); }
    tr.appendChild(st);
    tr.appendChild(el('td', 'wrap', a.o === undefined ? '' : (data.ous[a.o][1] || data.ous[a.o][0])));
    tr.appendChild(el('td', 'wrap', headline(a)));
    var cell = el('td'), button = el('button', 'toggle', 'Details');
    button.type = 'button';
    button.setAttribute('aria-expanded', 'false');
    button.addEventListener('click', function () { toggle(tr, button, a); });
    cell.appendChild(button);
    tr.appendChild(cell);
    return tr;
  }

  function toggle(tr, button, a) {
    var open = button.getAttribute('aria-expanded') === 'true';
    if (open) { tr.parentNode.removeChild(tr.nextSibling); }
    else { tr.parentNode.insertBefore(details(a), tr.nextSibling); }
    button.setAttribute('aria-expanded', open ? 'false' : 'true');
    button.textContent = open ? 'Details' : 'Hide';
  }
  function findingList(title, indexes, box) {
    if (!indexes || !indexes.length) return;
    box.appendChild(el('h3', '', title));
    var ul = el('ul');
    indexes.forEach(function (i) {
      var f = finding(i), li = el('li', 'wrap');
      li.appendChild(el('code', '', f.code));
      li.appendChild(document.createTextNode(': ' + f.message));
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }
  function exemptionText(e) {
    return e[1] + ' (owner ' + e[2] + ', until ' + e[3] + (e[4] ? ', ticket ' + e[4] : '') + (e[5] && e[5] !== 'account' ? ', through ' + e[5] : '') + '; id ' + e[0] + ')';
  }
  function details(a) {
    var tr = el('tr', 'detail'), td = el('td'), box = el('div');
    td.colSpan = 6;
    if (a.e !== undefined) { box.appendChild(el('h3', '', 'Exempt')); box.appendChild(el('p', 'wrap exemption', exemptionText(data.exemptions[a.e]))); }
    if (a.ex !== undefined) { box.appendChild(el('h3', '', 'Exemption expired')); box.appendChild(el('p', 'wrap exemption', exemptionText(data.exemptions[a.ex]))); }
    findingList(a.s === 'PASS' ? 'Reasons' : 'Why ' + a.s, a.r, box);
    findingList('Warnings', a.w, box);
    trailsTable(a, box);
    fixSteps(a, box);
    if (a.st) box.appendChild(el('p', 'muted', 'Organizations state: ' + a.st));
    td.appendChild(box);
    tr.appendChild(td);
    return tr;
  }
  function yesNo(flags, yes, no) { return flags.indexOf(yes) >= 0 ? 'yes' : no && flags.indexOf(no) >= 0 ? 'no' : no ? '?' : 'no'; }
  function trailsTable(a, box) {
    box.appendChild(el('h3', '', 'Trails'));
    if (!a.t) { box.appendChild(el('p', 'muted', 'No trail is visible to this account.')); return; }
    var table = el('table', 'trails'), head = el('tr');
    ['Trail', 'Home region', 'Multi-region', 'Organization', 'Logging', 'Management events', 'Result', 'Why'].forEach(function (h) { head.appendChild(el('th', '', h)); });
    table.appendChild(head);
    a.t.forEach(function (ti, pos) {
      var t = data.trails[ti], tr = el('tr');
      var name = el('td', 'wrap');
      name.appendChild(el('div', '', t.n + (pos === a.q ? ' (qualifies)' : pos === a.c ? ' (closest)' : '')));
      name.appendChild(el('div', 'muted mono', t.a));
      tr.appendChild(name);
      [t.r, yesNo(t.f, 'm'), yesNo(t.f, 'g'), yesNo(t.f, 'l', 'x'), t.me || '', t.res].forEach(function (v) { tr.appendChild(el('td', '', v)); });
      var why = (t.fl || []).concat(t.w || []).map(function (i) { return data.findings[i][0]; });
      if (t.err) why.push(t.err);
      tr.appendChild(el('td', 'wrap', why.join(', ')));
      table.appendChild(tr);
    });
    box.appendChild(table);
  }
  function fixSteps(a, box) {
    if (!a.fx) return;
    box.appendChild(el('h3', '', 'Fix'));
    a.fx.forEach(function (i) {
      var step = el('div', 'step'), pre = el('pre', '', data.steps[i]), button = el('button', 'copy', 'Copy');
      button.type = 'button';
      button.addEventListener('click', function () { copy(button, pre); });
      step.appendChild(pre);
      step.appendChild(button);
      box.appendChild(step);
    });
  }
  function copy(button, pre) {
    function done(label) { button.textContent = label; setTimeout(function () { button.textContent = 'Copy'; }, 2000); }
    function select() {
      var selection = window.getSelection();
      if (selection) selection.selectAllChildren(pre);
      done('Selected: press Ctrl+C');
    }
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(pre.textContent).then(function () { done('Copied'); }, select);
    else select();
  }

  function renderMore() {
    var end = Math.min(list.length, rendered + CHUNK), frag = document.createDocumentFragment();
    for (var i = rendered; i < end; i++) frag.appendChild(row(list[i]));
    tbody.appendChild(frag);
    rendered = end;
    more.hidden = rendered >= list.length;
    more.textContent = 'Show ' + Math.min(CHUNK, list.length - rendered) + ' more (' + (list.length - rendered) + ' not shown)';
  }
  function apply() {
    var f = current();
    list = accounts.filter(function (x) { return matches(x, f); });
    tbody.textContent = '';
    rendered = 0;
    renderMore();
    shown.textContent = list.length === accounts.length ? 'All ' + accounts.length + ' accounts' : list.length + ' of ' + accounts.length + ' accounts';
    document.body.dataset.shown = String(list.length);
  }
  function saveHash() {
    var f = current(), p = new URLSearchParams();
    ['status', 'ou', 'reason'].forEach(function (k) { if (f[k]) p.set(k, f[k]); });
    if (controls.q.value.trim()) p.set('q', controls.q.value.trim());
    var hash = p.toString();
    history.replaceState(null, '', hash ? '#' + hash : location.pathname + location.search);
  }
  function readHash() {
    var p = new URLSearchParams(location.hash.slice(1));
    ['status', 'ou', 'reason'].forEach(function (k) {
      var v = p.get(k) || '', select = controls[k];
      select.value = Array.prototype.some.call(select.options, function (o) { return o.value === v; }) ? v : '';
    });
    controls.q.value = p.get('q') || '';
    apply();
  }

  fillOptions();
  ['status', 'ou', 'reason'].forEach(function (k) { controls[k].addEventListener('change', function () { apply(); saveHash(); }); });
  controls.q.addEventListener('input', function () { apply(); saveHash(); });
  $('filters').addEventListener('submit', function (e) { e.preventDefault(); });
  $('reset').addEventListener('click', function () { history.replaceState(null, '', location.pathname + location.search); readHash(); });
  more.addEventListener('click', renderMore);
  window.addEventListener('hashchange', function () { readHash(); $('accounts').scrollIntoView(); });
  readHash();
  document.body.dataset.ready = 'true';
})();
`;
