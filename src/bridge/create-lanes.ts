export interface Lanes {
  /** Runs `task` once fewer than `ticks` tasks of this lane run; waiting ticks go first, in order. */
  tick<T>(task: () => Promise<T>): Promise<T>;
  /**
   * Runs `task` once fewer than `prefetches` prefetches run and no tick waits; if `wanted()` is
   * false when its turn comes (its moment came while it waited), it is dropped: a queued prefetch
   * never stands between a tick and its order. Resolves true when the task ran, false when dropped.
   */
  prefetch(task: () => Promise<unknown>, wanted: () => boolean): Promise<boolean>;
  /** Prefetches waiting for their turn. */
  queuedPrefetches(): number;
}

/**
 * Two bounded lanes over one connection pool: ticks, and the prefetches that prepare them at a
 * lower priority. Each lane has its own bound, so that thousands of prefetches neither block the
 * event loop nor take the sockets that a tick needs.
 */
export function createLanes(limits: { ticks: number; prefetches: number }): Lanes {
  let ticksActive = 0;
  let prefetchesActive = 0;
  const ticksWaiting: (() => void)[] = [];
  const prefetchesWaiting: { start: () => void; drop: () => void; wanted: () => boolean }[] = [];

  const pump = () => {
    while (ticksActive < limits.ticks && ticksWaiting.length > 0) {
      ticksActive += 1;
      ticksWaiting.shift()?.();
    }
    while (ticksWaiting.length === 0 && prefetchesActive < limits.prefetches && prefetchesWaiting.length > 0) {
      const next = prefetchesWaiting.shift();
      if (!next) break;
      if (!next.wanted()) {
        next.drop();
        continue;
      }
      prefetchesActive += 1;
      next.start();
    }
  };

  return {
    async tick(task) {
      await new Promise<void>((resolve) => {
        ticksWaiting.push(resolve);
        pump();
      });
      try {
        return await task();
      } finally {
        ticksActive -= 1;
        pump();
      }
    },
    async prefetch(task, wanted) {
      const ran = await new Promise<boolean>((resolve) => {
        prefetchesWaiting.push({ start: () => resolve(true), drop: () => resolve(false), wanted });
        pump();
      });
      if (!ran) return false;
      try {
        await task();
      } finally {
        prefetchesActive -= 1;
        pump();
      }
      return true;
    },
    queuedPrefetches: () => prefetchesWaiting.length,
  };
}
