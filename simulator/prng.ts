import type { LatencySpec } from './scenario-types';

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws a latency (ms) from a spec: a fixed number, or uniform in [min, max]. */
export function drawLatency(spec: LatencySpec | undefined, rand: () => number): number {
  if (spec === undefined) return 0;
  if (typeof spec === 'number') return spec;
  return spec.min + (spec.max - spec.min) * rand();
}
