/**
 * The simulator for `npm run bench`, in a process of its own (forked by scripts/bench.ts) so its
 * CPU and memory are not counted as the engine's. Keeps call counts only.
 *
 * Messages in: `{ type: 'start', accounts, profile, latencyScale, seed }` → `{ url }`;
 * `{ type: 'reset', throttle? }` → `{ reset: true }` (calls cleared; with `throttle`, that fraction
 * of every call throttled from then on, without: none); `{ type: 'counts' }` → `{ counts }`;
 * `{ type: 'stop' }`.
 */
import type { Scenario } from '../simulator/scenario-types';
import { DEFAULT_LATENCY, generateOrganization, scaleLatency, throttleEverything, type OrgProfile } from '../simulator/generate';
import { startSimulator, type Simulator } from '../simulator/server';

export type SimulatorMessage =
  | { type: 'start'; accounts: number; profile: OrgProfile; latencyScale: number; seed: number }
  | { type: 'reset'; throttle?: number }
  | { type: 'counts' }
  | { type: 'stop' };

let sim: Simulator | undefined;
let scenario: Scenario | undefined;

// Never outlive the benchmark (it may have failed or been interrupted).
process.on('disconnect', () => process.exit(0));

process.on('message', (m: SimulatorMessage) => {
  void (async () => {
    switch (m.type) {
      case 'start': {
        scenario = generateOrganization({ accounts: m.accounts, profile: m.profile, latency: { ...scaleLatency(DEFAULT_LATENCY, m.latencyScale), seed: m.seed } });
        sim = await startSimulator(scenario, { callLog: 'counts' });
        process.send?.({ url: sim.url });
        break;
      }
      case 'reset':
        sim?.reset();
        // The same latency draws again (setScenario re-seeds them), with or without throttling.
        if (scenario) sim?.setScenario({ ...scenario, faults: m.throttle ? throttleEverything(m.throttle) : [] });
        process.send?.({ reset: true });
        break;
      case 'counts':
        process.send?.({ counts: sim?.callCounts() ?? {} });
        break;
      case 'stop':
        await sim?.stop();
        process.exit(0);
    }
  })();
});
