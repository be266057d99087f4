/** The run's deadline as an abort signal every call listens on, and a promise that settles when it is reached. */
import { setMaxListeners } from 'node:events';

/** The longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RunDeadline {
  signal: AbortSignal;
  /** Resolves with 'deadline' when the deadline is reached; never rejects. */
  reached: Promise<'deadline'>;
  /** Clears the timer (the run is over). */
  stop(): void;
}

export function startDeadline(deadline: number | undefined, now: number): RunDeadline {
  const controller = new AbortController();
  // Every in-flight call listens on the run's signal (and removes its listener when done).
  setMaxListeners(0, controller.signal);
  // setTimeout fires at once for delays beyond 2^31-1 ms (about 24.8 days): no timer is needed then.
  const until = deadline === undefined ? undefined : Math.max(0, deadline - now);
  const timer = until !== undefined && until <= MAX_TIMER_MS ? setTimeout(() => controller.abort(), until) : undefined;
  timer?.unref();
  const signal = controller.signal;
  const reached = new Promise<'deadline'>((resolve) => signal.addEventListener('abort', () => resolve('deadline'), { once: true }));
  return { signal, reached, stop: () => timer && clearTimeout(timer) };
}
