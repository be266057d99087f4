/** Fault injection: matching incoming calls against `scenario.faults` with `after`/`times` counters. */
import { AwsError } from './errors';
import { mulberry32 } from './prng';
import type { ScenarioFault, ScenarioService } from './scenario-types';

export interface CallKey {
  service: ScenarioService;
  action: string;
  /** Calling account; undefined when the access key is unknown. */
  account?: string;
  /** AssumeRole only: the account whose role is assumed. */
  targetAccount?: string;
  region: string;
}

/** Apart from the latency draws, so adding a fault does not change the latencies. */
const FAULT_STREAM = 0x9e3779b9;

export class FaultInjector {
  private faults: ScenarioFault[] = [];
  /** Per fault: matching calls seen so far, and how many it has been applied to. */
  private counters: Array<{ seen: number; applied: number }> = [];
  private rand: () => number = Math.random;

  constructor(
    faults: ScenarioFault[] | undefined,
    private seed = 1,
  ) {
    this.setFaults(faults, seed);
  }

  setFaults(faults: ScenarioFault[] | undefined, seed = this.seed): void {
    this.faults = faults ?? [];
    this.seed = seed;
    this.reset();
  }

  reset(): void {
    this.counters = this.faults.map(() => ({ seen: 0, applied: 0 }));
    this.rand = mulberry32((this.seed ^ FAULT_STREAM) >>> 0);
  }

  /**
   * The first fault that matches the call and is inside its window (after the first `after`
   * matches, for `times` calls) applies, or with a `probability`, applies to that fraction of
   * them. Every fault whose filters match counts the call, up to the one that applies.
   */
  match(call: CallKey): ScenarioFault | undefined {
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i];
      if (f.service !== call.service) continue;
      if (f.action !== undefined && f.action !== call.action) continue;
      if (f.account !== undefined && f.account !== call.account) continue;
      if (f.targetAccount !== undefined && f.targetAccount !== call.targetAccount) continue;
      if (f.region !== undefined && f.region !== call.region) continue;
      const c = this.counters[i];
      c.seen++;
      if (c.seen <= (f.after ?? 0)) continue;
      if (f.times !== undefined && c.applied >= f.times) continue;
      if (f.probability !== undefined && this.rand() >= f.probability) continue;
      c.applied++;
      return f;
    }
    return undefined;
  }
}

const THROTTLING = new Set(['Throttling', 'ThrottlingException']);

/**
 * The error a `kind: "error"` fault answers with. Throttling is spelled the way each protocol's
 * services do (`Throttling` for query services such as STS and SNS, `ThrottlingException` for JSON
 * ones); both are in the SDK's throttling list, so the default retry strategy retries them.
 */
export function faultError(f: ScenarioFault, protocol: 'query' | 'json'): AwsError {
  let code = f.code ?? 'InternalFailure';
  if (THROTTLING.has(code)) code = protocol === 'query' ? 'Throttling' : 'ThrottlingException';
  const message = f.message ?? (THROTTLING.has(code) ? 'Rate exceeded' : `Injected fault: ${code}`);
  return new AwsError(code, message, f.status ?? 400);
}
