/**
 * One measured run for `npm run bench`, in a process of its own (forked by scripts/bench.ts), so
 * CPU time and peak RSS are this run's alone: the simulator runs in another process.
 *
 * Message in: `{ mode: 'engine' | 'baseline', config, baseline, deadlineMs }`.
 * Message out: `{ wallMs, cpuMs, peakRssMb, maxOpenFds, socketWarnings, statuses, errorReasons }`.
 * Credentials and the endpoint come from the environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID…),
 * and the run has a deadline, as in the Lambda.
 */
import { readdirSync } from 'node:fs';
import { AwsClients } from '../lambda/aws/clients';
import { runAudit } from '../lambda/audit/run-audit';
import type { AuditConfig } from '../lambda/config';
import { runBaseline, type BaselineOptions } from './bench-baseline';

export interface RunRequest {
  mode: 'engine' | 'baseline';
  config: AuditConfig;
  baseline: BaselineOptions;
  /** The engine's run ends this long after it starts (the Lambda's remaining time less its reserve). */
  deadlineMs: number;
}

export interface RunResult {
  wallMs: number;
  cpuMs: number;
  cpuSystemMs: number;
  peakRssMb: number;
  maxOpenFds: number;
  socketWarnings: number;
  statuses: Record<string, number>;
  /** ERROR accounts (engine runs) by reason code and AWS error code, e.g. `ASSUME_ROLE_FAILED Throttling`. */
  errorReasons: Record<string, number>;
}

function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

async function measure(req: RunRequest): Promise<RunResult> {
  let socketWarnings = 0;
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (args.some((a) => String(a).includes('socket usage at capacity'))) socketWarnings += 1;
    warn(...args);
  };
  let maxOpenFds = openFds();
  const sampler = setInterval(() => {
    maxOpenFds = Math.max(maxOpenFds, openFds());
  }, 100);

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let statuses: Record<string, number>;
  const errorReasons: Record<string, number> = {};
  if (req.mode === 'engine') {
    // As the Lambda does: runAudit builds its own clients from the environment.
    const report = await runAudit(req.config, { deadline: Date.now() + req.deadlineMs });
    statuses = { PASS: report.summary.PASS, FAIL: report.summary.FAIL, ERROR: report.summary.ERROR, SKIPPED: report.summary.SKIPPED };
    for (const a of report.accounts.filter((x) => x.status === 'ERROR')) {
      const r = a.reasons[0];
      // The AWS code follows the call (`… failed: ThrottlingException: …`, `… role/X: Throttling: …`).
      const key = `${r?.code ?? '?'} ${r?.message.match(/: ([A-Z][A-Za-z]+): /)?.[1] ?? ''}`.trim();
      errorReasons[key] = (errorReasons[key] ?? 0) + 1;
    }
    if (report.run.errors.length > 0) throw new Error(`run errors: ${JSON.stringify(report.run.errors)}`);
  } else {
    const clients = new AwsClients({
      maxAttempts: req.config.maxAttempts,
      callTimeoutMs: req.config.callTimeoutMs,
      // 17 regions in flight per account: enough sockets that the pool is not what slows it down.
      maxSockets: Math.max(50, req.config.concurrency * req.baseline.regions.length * 2),
    });
    try {
      statuses = await runBaseline(req.config, clients, req.baseline);
    } finally {
      clients.close();
    }
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  console.warn = warn;
  return {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    cpuSystemMs: cpu.system / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    maxOpenFds,
    socketWarnings,
    statuses,
    errorReasons,
  };
}

process.once('message', (req: RunRequest) => {
  measure(req).then(
    (result) => process.send?.({ ok: true, result }, () => process.exit(0)),
    (err: unknown) => process.send?.({ ok: false, error: String((err as Error)?.stack ?? err) }, () => process.exit(1)),
  );
});
