/** Runs tasks with at most `concurrency` in flight; the rest wait in order. */
export type Pool = <T>(task: () => Promise<T>) => Promise<T>;

export function createPool(concurrency: number): Pool {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    active -= 1;
    waiting.shift()?.();
  };
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const start = () => {
        active += 1;
        let running: Promise<T>;
        try {
          running = task();
        } catch (err) {
          running = Promise.reject(err); // a task that throws synchronously still frees its slot
        }
        running.then(resolve, reject).finally(release);
      };
      if (active < concurrency) start();
      else waiting.push(start);
    });
}
