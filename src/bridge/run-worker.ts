import type { SkipReason } from '../journal/events.js';
import type { Logger } from '../logging/create-logger.js';
import type { Bridge, TickTrigger } from './create-bridge.js';
import { createLanes } from './create-lanes.js';
import { scheduleIntervalMs } from './schedule-interval.js';
import { startScheduleClock, type ScheduleClock } from './start-schedule-clock.js';
import type { TickResult } from './run-tick.js';

export interface TickEvent {
  readonly bridge: Bridge;
  /** The scheduled moment, or for a tick started by a signal, the moment that signal arrived. */
  readonly scheduledAt: Date;
  readonly startedAt: number;
  readonly result: TickResult;
  readonly trigger: TickTrigger;
}

export interface MomentEvent {
  readonly schedule: string;
  readonly scheduledAt: Date;
  readonly lateMs: number;
  /** Moments that passed while the event loop was blocked and did not run: each is an error. */
  readonly skipped: readonly Date[];
}

/** Scheduled moments that did not tick some bridges: each is an error, for the caller to count and notify. */
export interface SkippedEvent {
  readonly schedule: string;
  readonly reason: SkipReason;
  /** Oldest first: several when the event loop was blocked past several moments. */
  readonly moments: readonly Date[];
  /** The bridges they did not tick; a retired one (lost, or run by another member of the fleet) is not among them. */
  readonly bridges: readonly Bridge[];
}

export interface WorkerOptions {
  readonly bridges: readonly Bridge[];
  readonly concurrency: number;
  readonly log: Logger;
  /** Stop after this many scheduled moments (run or skipped) per schedule; ticks started by signals do not count. */
  readonly maxTicks?: number;
  /** Abort to stop: running ticks finish, no new one starts. */
  readonly signal: AbortSignal;
  /** A bridge that stopped for good (its lease was lost): it is not ticked again. */
  readonly isRetired?: (bridge: Bridge) => boolean;
  readonly onTick?: (event: TickEvent) => void;
  readonly onMoment?: (event: MomentEvent) => void;
  readonly onSkipped?: (event: SkippedEvent) => void;
}

/**
 * A guess of one prefetch's duration before any was timed, and the least ever assumed: a bridge
 * with nothing tracked prefetches in no time, and a first moment full of those must not shrink
 * the lead that the next moment's look-ups (a round trip each) need.
 */
const MIN_PREFETCH_MS = 100;
/** The least lead of the prefetch before its moment; it grows with the number of bridges. */
const PREFETCH_LEAD_MS = 1_000;
/** A moment that fires this late is logged as late (it still runs). */
const LATE_WARN_MS = 500;
/** Bridges named in a line about many (the count says how many in all). */
const MAX_NAMED = 20;

/**
 * The loop, apart from the trading logic. One clock per distinct schedule wakes the bridges due
 * then; an event-driven strategy's signal ticks its bridge at once (or right after its running
 * tick: at most one waits, the latest). Ticks run within `concurrency`; the prefetches that
 * prepare them run in a lane of their own at a lower priority, spread ahead of the moment in
 * proportion to the number of bridges. A bridge's ticks never overlap. A moment that does not tick
 * a bridge (its previous tick still runs, or the loop was blocked past the moment) is logged and
 * handed to `onSkipped`. Resolves once stopped and every running tick has finished.
 */
export function runWorker(options: WorkerOptions): Promise<void> {
  const { log, signal } = options;
  // As wide as the ticks' lane (the agent holds twice the concurrency in sockets): a prefetch is two
  // round trips in the steady state (the open list, then the closed trade's strategy_trade), and at
  // half the width 1,000 bridges' prefetches outlasted the half interval they may start within.
  const prefetchLimit = Math.max(1, options.concurrency);
  const lanes = createLanes({ ticks: options.concurrency, prefetches: prefetchLimit });
  /** The bridges whose tick runs, and what started it. */
  const busy = new Map<string, TickTrigger>();
  /** A signal that arrived during its bridge's tick: the latest only, run right after. */
  const waiting = new Map<string, { arrivedAt: number; heard: number }>();
  /** Signals heard per bridge, to tell whether one came before or after a tick asked its strategy. */
  const heard = new Map<string, number>();
  /** A scheduled moment that came during a signal's tick: run right after it, not skipped. */
  const deferred = new Map<string, Date>();
  const inFlight = new Set<Promise<unknown>>();
  const retired = (bridge: Bridge) => options.isRetired?.(bridge) ?? false;
  let prefetchMs = MIN_PREFETCH_MS;

  const bySchedule = new Map<string, Bridge[]>();
  for (const bridge of options.bridges) {
    const group = bySchedule.get(bridge.config.schedule);
    if (group) group.push(bridge);
    else bySchedule.set(bridge.config.schedule, [bridge]);
  }

  return new Promise<void>((resolve) => {
    const clocks: ScheduleClock[] = [];
    const prefetchTimers = new Set<NodeJS.Timeout>();
    const unsubscribe: (() => void)[] = [];
    let stopping = false;
    let finished = 0;
    const stopAll = async () => {
      if (stopping) return;
      stopping = true;
      for (const off of unsubscribe) off();
      for (const timer of prefetchTimers) clearTimeout(timer);
      for (const clock of clocks) clock.stop();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      resolve();
    };
    signal.addEventListener('abort', () => void stopAll(), { once: true });

    // What the caller does with a moment (metrics, alerts, the journal) must never stop the clock.
    const tell = <E>(listener: ((event: E) => void) | undefined, event: E) => {
      try {
        listener?.(event);
      } catch (error) {
        log.error({ error: (error as Error).message }, 'worker: a listener of the scheduled moments threw');
      }
    };

    const track = (work: Promise<unknown>) => {
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    };

    const startTick = (bridge: Bridge, scheduledAt: Date, trigger: TickTrigger) => {
      busy.set(bridge.id, trigger);
      // How many signals the strategy had had when this tick asked it (see onAsk).
      let heardWhenAsked: number | undefined;
      const onAsk = () => {
        heardWhenAsked = heard.get(bridge.id) ?? 0;
      };
      track(
        lanes
          .tick(async () => {
            const startedAt = Date.now();
            const result = await bridge.tick(scheduledAt, { trigger, onAsk });
            options.onTick?.({ bridge, scheduledAt, startedAt, result, trigger });
          })
          .catch((error: Error) => log.error({ bridge: bridge.id, error: error.message }, 'tick crashed'))
          .finally(() => {
            busy.delete(bridge.id);
            const next = waiting.get(bridge.id);
            // A signal heard before the strategy was asked is in this tick's answer already: another
            // tick would only ask again (a burst read line by line made an empty second tick of each).
            const arrivedAt = next && !(heardWhenAsked !== undefined && next.heard <= heardWhenAsked) ? next.arrivedAt : undefined;
            const moment = deferred.get(bridge.id);
            waiting.delete(bridge.id);
            deferred.delete(bridge.id);
            if (stopping) {
              if (arrivedAt !== undefined) log.warn({ bridge: bridge.id, arrivedAt: new Date(arrivedAt).toISOString() }, 'stopping: a signal that arrived during the last tick is not acted on');
              if (moment) log.warn({ bridge: bridge.id, scheduledAt: moment.toISOString() }, 'stopping: a scheduled moment deferred behind a signal\'s tick is not run');
              return;
            }
            // A waiting signal's tick also does the heartbeat's work (the session, the confirmations).
            if (arrivedAt !== undefined) onSignal(bridge, arrivedAt, true);
            else if (moment && !retired(bridge)) startTick(bridge, moment, 'schedule');
          }),
      );
    };

    const onSignal = (bridge: Bridge, arrivedAt: number, again = false) => {
      if (stopping || retired(bridge)) return;
      const count = again ? (heard.get(bridge.id) ?? 0) : (heard.get(bridge.id) ?? 0) + 1;
      heard.set(bridge.id, count);
      if (busy.has(bridge.id)) {
        // Several signals during one tick: only the latest counts.
        waiting.set(bridge.id, { arrivedAt, heard: count });
        return;
      }
      startTick(bridge, new Date(arrivedAt), 'event');
    };
    for (const bridge of options.bridges) {
      if (bridge.onSignal) unsubscribe.push(bridge.onSignal((arrivedAt) => onSignal(bridge, arrivedAt)));
    }
    log.info({ schedules: bySchedule.size, listening: unsubscribe.length }, 'worker started: ticking on schedule, and at once on the signals of event-driven strategies');

    for (const [schedule, bridges] of bySchedule) {
      let slots = 0;
      const halfInterval = scheduleIntervalMs(schedule) / 2;
      const armPrefetch = (clock: ScheduleClock) => {
        const next = clock.next();
        if (!next || stopping) return;
        const at = next.getTime();
        // Enough lead for every bridge's prefetch to run within the lane's bound, at least a second,
        // at most half the interval (the previous moment's ticks come first).
        const spreadMs = Math.ceil(bridges.length / prefetchLimit) * Math.max(prefetchMs, MIN_PREFETCH_MS) * 1.5;
        const leadMs = Math.min(Math.max(PREFETCH_LEAD_MS, spreadMs), halfInterval);
        const timer = setTimeout(() => {
          prefetchTimers.delete(timer);
          for (const bridge of bridges) {
            const wanted = () => !stopping && Date.now() < at && !busy.has(bridge.id) && !retired(bridge);
            void lanes.prefetch(() => {
              const started = performance.now();
              const work = bridge.prefetch(next).then(
                () => {
                  prefetchMs = 0.8 * prefetchMs + 0.2 * (performance.now() - started);
                },
                () => undefined,
              );
              track(work);
              return work;
            }, wanted);
          }
        }, Math.max(0, at - leadMs - Date.now()));
        timer.unref();
        prefetchTimers.add(timer);
      };
      const clock = startScheduleClock(schedule, ({ scheduledAt, lateMs, skipped }) => {
        if (stopping) return;
        slots += 1 + skipped.length;
        for (const moment of skipped) {
          log.error({ schedule, scheduledAt: moment.toISOString(), ranInstead: scheduledAt.toISOString() }, 'scheduled moment skipped: the event loop was blocked past it');
        }
        if (lateMs >= LATE_WARN_MS) log.warn({ schedule, scheduledAt: scheduledAt.toISOString(), lateMs }, 'scheduled moment ran late');
        tell(options.onMoment, { schedule, scheduledAt, lateMs, skipped });
        if (skipped.length > 0 && options.onSkipped) {
          const missed = bridges.filter((bridge) => !retired(bridge));
          if (missed.length > 0) tell(options.onSkipped, { schedule, reason: 'event-loop-blocked', moments: skipped, bridges: missed });
        }
        const overrun: Bridge[] = [];
        for (const bridge of bridges) {
          if (retired(bridge)) continue;
          if (busy.get(bridge.id) === 'event' && !deferred.has(bridge.id)) {
            // The strategy decided just before the heartbeat: the moment runs once its signal's tick
            // ends. One moment waits at most; a second one while the signal's tick still runs is an overrun.
            log.info({ bridge: bridge.id, scheduledAt: scheduledAt.toISOString() }, 'scheduled moment deferred: a signal\'s tick is running; it runs right after');
            deferred.set(bridge.id, scheduledAt);
            continue;
          }
          if (busy.has(bridge.id)) {
            overrun.push(bridge);
            continue;
          }
          startTick(bridge, scheduledAt, 'schedule');
        }
        if (overrun.length > 0) {
          // One line a moment, not one a bridge: a slow moment at 10,000 bridges wrote thousands.
          const ids = overrun.map((bridge) => bridge.id);
          const which = ids.length === 1 ? { bridge: ids[0] } : { bridges: ids.slice(0, MAX_NAMED), count: ids.length };
          log.warn({ ...which, scheduledAt: scheduledAt.toISOString() }, 'tick skipped: the previous tick is still running');
          tell(options.onSkipped, { schedule, reason: 'previous-tick-running', moments: [scheduledAt], bridges: overrun });
        }
        if (options.maxTicks !== undefined && slots >= options.maxTicks) {
          clock.stop();
          finished += 1;
          if (finished === bySchedule.size) void stopAll();
        } else {
          armPrefetch(clock);
        }
      });
      clocks.push(clock);
      armPrefetch(clock);
    }
    if (signal.aborted) void stopAll();
  });
}
