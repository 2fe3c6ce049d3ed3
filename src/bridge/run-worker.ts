import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from '../logging/create-logger.js';
import type { Bridge } from './create-bridge.js';
import { createLimiter } from './create-limiter.js';
import { scheduleIntervalMs } from './schedule-interval.js';
import type { TickResult } from './run-tick.js';

export interface WorkerOptions {
  readonly bridges: readonly Bridge[];
  readonly concurrency: number;
  readonly log: Logger;
  /** Stop after this many scheduled moments (ticks run or skipped) per schedule. */
  readonly maxTicks?: number;
  /** Abort to stop: running ticks finish, no new one starts. */
  readonly signal: AbortSignal;
  /** A bridge that stopped for good (its lease was lost): it is not ticked again. */
  readonly isRetired?: (bridge: Bridge) => boolean;
  readonly onTick?: (event: { bridge: Bridge; scheduledAt: Date; startedAt: number; result: TickResult }) => void;
}

/**
 * The loop, apart from the trading logic: one cron task per distinct schedule wakes the bridges
 * due then, runs them concurrently within a bound, and never lets a bridge's tick overlap its
 * previous one. Resolves once stopped and every running tick has finished.
 */
export function runWorker(options: WorkerOptions): Promise<void> {
  const { log, signal } = options;
  const limit = createLimiter(options.concurrency);
  const busy = new Set<string>();
  const inFlight = new Set<Promise<unknown>>();
  const bySchedule = new Map<string, Bridge[]>();
  for (const bridge of options.bridges) bySchedule.set(bridge.config.schedule, [...(bySchedule.get(bridge.config.schedule) ?? []), bridge]);

  return new Promise<void>((resolve) => {
    const tasks: ScheduledTask[] = [];
    const prefetchTimers = new Set<NodeJS.Timeout>();
    const armers: (() => void)[] = [];
    let stopped = 0;
    const stopAll = async () => {
      for (const timer of prefetchTimers) clearTimeout(timer);
      for (const task of tasks) await task.destroy();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      resolve();
    };
    signal.addEventListener('abort', () => void stopAll(), { once: true });

    for (const [schedule, bridges] of bySchedule) {
      let slots = 0;
      // The query of each tracked trade runs this long before the scheduled moment, so that it
      // (and a token renewal) is off the critical path from the strategy's answer to the order.
      const leadMs = Math.min(PREFETCH_LEAD_MS, scheduleIntervalMs(schedule) / 4);
      const armPrefetch = () => {
        const next = task.getNextRun();
        if (!next || signal.aborted) return;
        const timer = setTimeout(() => {
          prefetchTimers.delete(timer);
          for (const bridge of bridges) if (!busy.has(bridge.id) && !options.isRetired?.(bridge)) bridge.prefetch(next);
        }, Math.max(0, next.getTime() - leadMs - Date.now()));
        timer.unref();
        prefetchTimers.add(timer);
      };
      const onSlot = (scheduledAt: Date) => {
        slots += 1;
        for (const bridge of bridges) {
          if (options.isRetired?.(bridge)) continue;
          if (busy.has(bridge.id)) {
            log.warn({ bridge: bridge.id, scheduledAt: scheduledAt.toISOString() }, 'tick skipped: the previous tick is still running');
            continue;
          }
          busy.add(bridge.id);
          const run = limit(async () => {
            const startedAt = Date.now();
            const result = await bridge.tick(scheduledAt);
            options.onTick?.({ bridge, scheduledAt, startedAt, result });
          })
            .catch((error: Error) => log.error({ bridge: bridge.id, error: error.message }, 'tick crashed'))
            .finally(() => {
              busy.delete(bridge.id);
              inFlight.delete(run);
            });
          inFlight.add(run);
        }
        if (options.maxTicks !== undefined && slots >= options.maxTicks) {
          void task.stop();
          stopped += 1;
          if (stopped === bySchedule.size) void stopAll();
        } else {
          armPrefetch();
        }
      };
      const task = createTask(schedule, (ctx) => onSlot(ctx.date), { name: `signal-bridge ${schedule}`, logger: cronLogger(log) });
      tasks.push(task);
      armers.push(armPrefetch);
    }
    if (signal.aborted) void stopAll();
    else for (const task of tasks) void task.start();
    for (const arm of armers) arm();
  });
}

const PREFETCH_LEAD_MS = 1_000;

function cronLogger(log: Logger) {
  const child = log.child({ module: 'cron' });
  return {
    info: (message: string) => child.debug(message),
    warn: (message: string) => child.warn(message),
    error: (message: string | Error) => child.error(typeof message === 'string' ? message : message.message),
    debug: (message: string | Error) => child.debug(typeof message === 'string' ? message : message.message),
  };
}
