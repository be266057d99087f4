/**
 * `npm run screenshot`: the HTML report of the demo organization (simulator/scenarios/demo.json),
 * as `npm run demo` audits it (the real CLI with `--format json` against the local simulator), rendered
 * with renderHtml and photographed in headless Chromium: docs/html-report.png (the page, one
 * failing account opened) and docs/html-report-filtered.png (FAIL accounts of one OU). The page
 * itself is written beside them to the demo's output directory.
 *
 * Needs Debian's chromium (`apt-get install -y chromium`) or TRAILCHECK_CHROMIUM.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { renderHtml } from '../lambda/report/html';
import type { AuditReport } from '../lambda/report-format';
import { loadScenario } from '../simulator/scenario';
import { startSimulator } from '../simulator/server';
import { simulatorEnv } from './demo';

const ROOT = path.resolve(__dirname, '..');
const CHROMIUM = process.env.TRAILCHECK_CHROMIUM ?? '/usr/bin/chromium';
const OUT_DIR = process.env.TRAILCHECK_DEMO_OUT || path.join(os.tmpdir(), 'trailcheck-demo');
/** A fixed time, so that the picture changes only when the page does. */
const GENERATED_AT = '2026-01-01T00:00:00.000Z';

async function demoReport(): Promise<AuditReport> {
  const scenario = loadScenario(path.join(ROOT, 'simulator/scenarios/demo.json'));
  const sim = await startSimulator(scenario, { port: 0 });
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      let out = '';
      const child = spawn(process.execPath, [path.join(ROOT, 'bin/trailcheck.js'), 'audit', '--region', 'us-east-1', '--format', 'json'], {
        env: simulatorEnv(sim.url, scenario.caller),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
      child.on('error', reject);
      // Exit 1 is expected: the demo organization has failures.
      child.on('exit', (code) => (code === 0 || code === 1 ? resolve(out) : reject(new Error(`trailcheck exited with code ${code}`))));
    });
    return JSON.parse(stdout) as AuditReport;
  } finally {
    await sim.stop();
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (or set TRAILCHECK_CHROMIUM)`);
  const report = await demoReport();
  const page = renderHtml(report, { generatedAt: GENERATED_AT });
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const htmlFile = path.join(OUT_DIR, 'report.html');
  fs.writeFileSync(htmlFile, page);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    const url = 'http://localhost/report.html';
    await tab.route('**', (route) => (route.request().url().split('#')[0] === url ? route.fulfill({ contentType: 'text/html; charset=utf-8', body: page }) : route.abort()));
    await tab.goto(url);
    await tab.waitForSelector('body[data-ready="true"]');
    await tab.click('#accounts-body tr.row button.toggle');
    const full = path.join(ROOT, 'docs/html-report.png');
    await tab.screenshot({ path: full, fullPage: true });
    const ou = report.accounts.find((a) => a.status === 'FAIL' && a.ouId)?.ouId;
    await tab.goto(`${url}#status=FAIL${ou ? `&ou=${encodeURIComponent(ou)}` : ''}`);
    await tab.waitForSelector('body[data-ready="true"]');
    const filtered = path.join(ROOT, 'docs/html-report-filtered.png');
    await tab.locator('#accounts').screenshot({ path: filtered });
    process.stdout.write(`HTML report of the demo organization: ${htmlFile}\nScreenshots: ${path.relative(ROOT, full)}, ${path.relative(ROOT, filtered)}\n`);
  } finally {
    await browser.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`screenshot failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
