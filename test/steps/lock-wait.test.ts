/** run/lock.ts: a run waits for a real-time audit holding the lock (seconds), never for a scheduled run (minutes). */
import type { LockOutcome, RunLock } from '../../lambda/aws/run-lock';
import { silentLogger } from '../../lambda/audit/run-types';
import { takeRunLock } from '../../lambda/run/lock';

const held = { release: async () => ({ released: true as const }) };
function lock(answers: LockOutcome[]): RunLock & { purposes: unknown[] } {
  const purposes: unknown[] = [];
  return { uri: 's3://b/run.lock', purposes, acquire: async (_o: string, _e: Date, purpose?: unknown) => (purposes.push(purpose), answers.shift() ?? answers[answers.length - 1]) } as never;
}
const byEvent = { acquired: false as const, reason: 'held', holder: { owner: 'evt', takenAt: 't', expiresAt: 'x', purpose: 'event' as const } };
const byScheduled = { acquired: false as const, reason: 'held', holder: { owner: 'sched', takenAt: 't', expiresAt: 'x' } };
const later = () => new Date(Date.now() + 600_000);

test('held by a real-time audit: the scheduled run waits and takes it when released', async () => {
  const l = lock([byEvent, byEvent, { acquired: true, lock: held as never }]);
  const sleeps: number[] = [];
  await expect(takeRunLock(l, 'sched', later(), silentLogger, { sleep: async (ms) => void sleeps.push(ms) })).resolves.toBe(held);
  expect(sleeps).toHaveLength(2);
});

test('held by a scheduled run: skipped at once, no wait', async () => {
  const sleeps: number[] = [];
  const out = await takeRunLock(lock([byScheduled]), 'evt', later(), silentLogger, { purpose: 'event', sleep: async (ms) => void sleeps.push(ms) });
  expect(out).toMatchObject({ skipped: true, holder: { owner: 'sched' } });
  expect(sleeps).toEqual([]);
});

test('the wait is bounded: a real-time audit that keeps the lock past it skips the run', async () => {
  const out = await takeRunLock(lock([byEvent]), 'sched', later(), silentLogger, { waitForEventMs: 0, sleep: async () => undefined });
  expect(out).toMatchObject({ skipped: true });
});

test('the purpose is written into the lock', async () => {
  const l = lock([{ acquired: true, lock: held as never }]);
  await takeRunLock(l, 'evt', later(), silentLogger, { purpose: 'event' });
  expect(l.purposes).toEqual(['event']);
});
