/** The run's deadline (lambda/audit/deadline.ts): an abort signal and a promise, on (fake) timers. */
import { startDeadline } from '../../lambda/audit/deadline';

beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
afterEach(() => jest.useRealTimers());

/** Whether `reached` has settled, after the pending microtasks ran. */
async function settled(p: Promise<unknown>): Promise<unknown> {
  return Promise.race([p, Promise.resolve().then(() => Promise.resolve()).then(() => 'pending')]);
}

test('aborts exactly at the deadline, not before; reached resolves with "deadline"', async () => {
  const d = startDeadline(Date.now() + 5_000, Date.now());
  jest.advanceTimersByTime(4_999);
  expect(d.signal.aborted).toBe(false);
  expect(await settled(d.reached)).toBe('pending');
  jest.advanceTimersByTime(1);
  expect(d.signal.aborted).toBe(true);
  await expect(d.reached).resolves.toBe('deadline');
});

test('the time left is measured from `now` as given, not from the clock', () => {
  const d = startDeadline(10_000, 9_000); // 1 s left, whatever Date.now() says
  jest.advanceTimersByTime(999);
  expect(d.signal.aborted).toBe(false);
  jest.advanceTimersByTime(1);
  expect(d.signal.aborted).toBe(true);
});

test('a deadline already past aborts at the next timer tick', async () => {
  const d = startDeadline(Date.now() - 60_000, Date.now());
  jest.advanceTimersByTime(0);
  expect(d.signal.aborted).toBe(true);
  await expect(d.reached).resolves.toBe('deadline');
});

test('stop() clears the timer: the deadline never fires afterwards', async () => {
  const d = startDeadline(Date.now() + 1_000, Date.now());
  expect(jest.getTimerCount()).toBe(1);
  d.stop();
  expect(jest.getTimerCount()).toBe(0);
  jest.advanceTimersByTime(10_000);
  expect(d.signal.aborted).toBe(false);
  expect(await settled(d.reached)).toBe('pending');
});

test('no deadline: no timer, never aborts, and stop() is harmless', async () => {
  const d = startDeadline(undefined, Date.now());
  expect(jest.getTimerCount()).toBe(0);
  jest.advanceTimersByTime(365 * 24 * 3600 * 1000);
  expect(d.signal.aborted).toBe(false);
  expect(() => d.stop()).not.toThrow();
  expect(await settled(d.reached)).toBe('pending');
});

test('a deadline beyond what setTimeout honours (2^31-1 ms) sets no timer, so it does not fire at once', () => {
  const d = startDeadline(Date.now() + 2 ** 31, Date.now());
  expect(jest.getTimerCount()).toBe(0);
  jest.advanceTimersByTime(60_000);
  expect(d.signal.aborted).toBe(false);
  const limit = startDeadline(Date.now() + 2 ** 31 - 1, Date.now());
  expect(jest.getTimerCount()).toBe(1);
  limit.stop();
});

test('any number of calls may listen on the signal: Node never flags it as a listener leak', () => {
  /** Node's own flag, set when it warns that an EventTarget has more listeners than its limit. */
  const warned = (s: AbortSignal) => Object.getOwnPropertySymbols(s).filter((k) => k.description === 'events.maxEventTargetListenersWarned').map((k) => (s as never)[k]);
  const d = startDeadline(Date.now() + 60_000, Date.now());
  // (A plain AbortSignal has the flag set, and a warning printed, from the 11th listener on.)
  for (let i = 0; i < 50; i++) d.signal.addEventListener('abort', () => undefined);
  expect(warned(d.signal)).toEqual([false]);
  d.stop();
});

test('each run has its own deadline: aborting one leaves the other running', () => {
  const a = startDeadline(Date.now() + 100, Date.now());
  const b = startDeadline(Date.now() + 200, Date.now());
  jest.advanceTimersByTime(100);
  expect([a.signal.aborted, b.signal.aborted]).toEqual([true, false]);
  b.stop();
});

describe('on the real clock', () => {
  beforeEach(() => jest.useRealTimers());

  test('a deadline 50 ms ahead aborts after about 50 ms (within 5x)', async () => {
    const started = Date.now();
    const d = startDeadline(started + 50, started);
    await d.reached;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(45);
    expect(elapsed).toBeLessThan(250 * 4);
    expect(d.signal.aborted).toBe(true);
  });
});
