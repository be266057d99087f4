/** lambda/concurrency.ts: bounded concurrency. */
import { createPool } from '../../lambda/concurrency';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('createPool', () => {
  test.each([1, 3, 8])('concurrency %i: never more than that many tasks in flight, and the slots are used', async (n) => {
    const pool = createPool(n);
    let active = 0;
    let peak = 0;
    const gates = Array.from({ length: 25 }, () => deferred<void>());
    const results = gates.map((g, i) =>
      pool(async () => {
        active += 1;
        peak = Math.max(peak, active);
        await g.promise;
        active -= 1;
        return i;
      }),
    );
    await tick();
    expect(active).toBe(n);
    // Release in a scrambled order.
    const order = gates.map((_, i) => (i * 7) % gates.length);
    for (const i of order) {
      gates[i].resolve();
      await tick();
      expect(active).toBeLessThanOrEqual(n);
    }
    expect(await Promise.all(results)).toEqual(gates.map((_, i) => i));
    expect(peak).toBe(n);
  });

  test('waiting tasks start in the order they were submitted', async () => {
    const pool = createPool(2);
    const started: number[] = [];
    const gates = Array.from({ length: 6 }, () => deferred<void>());
    const all = gates.map((g, i) =>
      pool(async () => {
        started.push(i);
        await g.promise;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    gates[1].resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates.forEach((g) => g.resolve());
    await Promise.all(all);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('a rejected task rejects only its own promise; the others still run and resolve', async () => {
    const pool = createPool(2);
    const ran: number[] = [];
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        pool(async () => {
          ran.push(i);
          await tick();
          if (i === 0 || i === 3) throw new Error(`task ${i} failed`);
          return i;
        }),
      ),
    );
    expect(ran.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[3] as PromiseRejectedResult).reason.message).toBe('task 3 failed');
  });

  test('rejected tasks release their slot: concurrency 1 with every task rejecting still runs them all', async () => {
    const pool = createPool(1);
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => pool(() => Promise.reject(new Error(String(i))))));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    await expect(pool(async () => 'after')).resolves.toBe('after');
  });

  test('a task that throws synchronously rejects its promise and does not leak its slot', async () => {
    const pool = createPool(1);
    const throwing = (() => {
      throw new Error('sync');
    }) as unknown as () => Promise<never>;
    await expect(pool(throwing)).rejects.toThrow('sync');
    // With the slot leaked, this task would never start.
    const next = pool(async () => 'ran');
    const timeout = new Promise((r) => setTimeout(() => r('stuck'), 200));
    expect(await Promise.race([next, timeout])).toBe('ran');
  });
});
