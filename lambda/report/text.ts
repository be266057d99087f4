/**
 * The report as text: a table for terminals, and per-account detail for what needs fixing.
 * Every line is shown through displayText (./display): nothing from a response can move the
 * cursor, clear the screen or start a line of its own.
 */
import { codePointLength, displayLines, displayText, truncateText } from './display';
import type { AccountReport, AuditReport, RunInfo } from '../report-format';

export function summaryLine(report: Pick<AuditReport, 'summary'>): string {
  const s = report.summary;
  const parts = [`${s.PASS} PASS`, `${s.FAIL} FAIL`, `${s.ERROR} ERROR`, `${s.SKIPPED} SKIPPED`];
  const runErrors = s.runErrors > 0 ? `, ${s.runErrors} run error${s.runErrors > 1 ? 's' : ''}` : '';
  return `${parts.join(', ')} of ${s.total} account${s.total === 1 ? '' : 's'}${runErrors}`;
}

/** One line per account: the first reason for FAIL/ERROR/SKIPPED, the qualifying trail for PASS. */
export function headline(a: AccountReport): string {
  if (a.status === 'PASS') {
    const via = a.trails.find((t) => t.arn === a.qualifyingTrailArn);
    const what = via ? `${via.isOrganizationTrail ? 'organization trail ' : 'trail '}${via.name}` : 'a qualifying trail';
    return `via ${what}${a.warnings.length ? ` (${a.warnings.length} warning${a.warnings.length > 1 ? 's' : ''}: ${a.warnings.map((w) => w.code).join(', ')})` : ''}`;
  }
  const r = a.reasons[0];
  return r ? `${r.code}: ${r.message}${a.reasons.length > 1 ? ` (+${a.reasons.length - 1} more)` : ''}` : '';
}

export function renderTable(report: AuditReport, width = 160): string {
  if (!Number.isFinite(width)) width = 160;
  const rows = report.accounts.map((a) => [a.accountId, a.accountName || '-', a.status, headline(a)].map((cell) => displayText(cell)));
  const head = ['ACCOUNT', 'NAME', 'STATUS', 'DETAIL'];
  const nameWidth = Math.min(24, Math.max(4, ...rows.map((r) => codePointLength(r[1]))));
  const fixed = 12 + 2 + nameWidth + 2 + 7 + 2;
  const detailWidth = Math.max(30, width - fixed);
  const fmt = (r: string[]) =>
    [pad(r[0], 12), pad(truncateText(r[1], nameWidth), nameWidth), pad(r[2], 7), truncateText(r[3], detailWidth)].join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)].join('\n');
}

/** The full text report: header, table, what to fix, run problems, summary. */
export function renderText(report: AuditReport, width = 160): string {
  const out: string[] = [];
  out.push(`trailcheck ${report.tool.version} · run ${report.run.id} · caller ${report.run.callerAccountId} · region ${report.run.region}${report.run.strict ? ' · strict' : ''}`);
  if (!report.run.organization.available) out.push(`Note: ${report.run.organization.reason}; only this account was audited.`);
  out.push('', ...renderTable(report, width).split('\n'));
  const detail = accountDetails(report.accounts.filter((a) => a.status === 'FAIL' || a.status === 'ERROR'));
  if (detail.length) out.push('', 'What to fix:', ...detail);
  const warned = report.accounts.filter((a) => a.status === 'PASS' && a.warnings.length > 0);
  if (warned.length) {
    out.push('', 'Warnings (passing accounts):');
    for (const a of warned) for (const w of a.warnings) out.push(`  ${a.accountId} ${w.code}: ${w.message}`);
  }
  out.push(...runProblems(report.run));
  out.push('', `Summary: ${summaryLine(report)}`);
  // The table is safe already; every other line gets the same treatment (idempotent).
  return out.map((line) => displayText(line)).join('\n');
}

export function accountDetails(accounts: AccountReport[]): string[] {
  const out: string[] = [];
  for (const a of accounts) {
    out.push('', displayText(`${a.status}  ${a.accountId}${a.accountName ? ` (${a.accountName})` : ''}`));
    for (const r of a.reasons) out.push(displayText(`  - ${r.code}: ${r.message}`));
    for (const w of a.warnings) out.push(displayText(`  ! ${w.code}: ${w.message}`));
    if (a.remediation.length) {
      out.push('  Fix:');
      for (const step of a.remediation) out.push(...stepLines(step, '    '));
    }
  }
  return out;
}

/**
 * A remediation step as lines under `indent`: a step trailcheck wrote in several lines stays in
 * several lines, each indented; nothing else in it can break a line.
 */
export function stepLines(step: string, indent: string): string[] {
  return displayLines(step).map((line) => `${indent}${line}`);
}

/** Run errors and notes; `max` caps each list (the alert must stay within SNS's size limit). */
export function runProblems(run: Pick<RunInfo, 'errors' | 'notes'>, max = Infinity): string[] {
  const out: string[] = [];
  const section = (title: string, items: string[]) => {
    if (!items.length) return;
    out.push('', title);
    for (const item of items.slice(0, max)) out.push(displayText(`  - ${item}`));
    if (items.length > max) out.push(`  ... and ${items.length - max} more (see the full report)`);
  };
  section('Run errors:', run.errors.map((e) => `${e.code}: ${e.message}`));
  section('Notes:', run.notes);
  return out;
}

/** Pads to `n` characters as a terminal counts them (code points, not UTF-16 units). */
function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - codePointLength(s)));
}
