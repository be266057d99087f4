/** `faults[].probability`: a fault applied to a seeded random fraction of the matching calls. */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { parseScenario } from '../../simulator/scenario';
import type { Scenario } from '../../simulator/scenario-types';
import type { Simulator } from '../../simulator/server';
import { baseScenario, sharedSimulator } from './helpers';

let sim: Simulator;
const clients = sharedSimulator((s) => (sim = s));

const throttled = (seed: number, probability: number): Scenario => ({
  ...baseScenario(),
  latency: { seed },
  faults: [{ service: 'sts', kind: 'error', code: 'ThrottlingException', probability }],
});

async function outcomes(n: number): Promise<string> {
  const sts = clients.sts();
  let out = '';
  for (let i = 0; i < n; i++) out += await sts.send(new GetCallerIdentityCommand({})).then(() => '.', () => 'T');
  return out;
}

test('30%: about that share of the calls is throttled, the same ones again after reset() with the same seed', async () => {
  sim.setScenario(throttled(7, 0.3));
  const first = await outcomes(200);
  const share = first.split('').filter((c) => c === 'T').length / 200;
  expect(share).toBeGreaterThan(0.2);
  expect(share).toBeLessThan(0.4);
  sim.reset();
  expect(await outcomes(200)).toBe(first);
  sim.setScenario(throttled(8, 0.3));
  expect(await outcomes(200)).not.toBe(first);
});

test('probability 1 is every call; the field is validated', async () => {
  sim.setScenario(throttled(1, 1));
  expect(await outcomes(5)).toBe('TTTTT');
  for (const bad of [0, -0.1, 1.5, '0.3']) {
    expect(() => parseScenario({ ...throttled(1, 0.3), faults: [{ service: 'sts', kind: 'error', code: 'Throttling', probability: bad }] }, 's.json')).toThrow(
      /faults\[0\]\.probability: expected a number greater than 0 and at most 1/,
    );
  }
});
