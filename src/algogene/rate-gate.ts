import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logging/create-logger.js';
import { PausedError } from './paused-error.js';

/** `prefetch` calls are shed first: they fail at once while the user is paused or over budget. */
export type CallPriority = 'normal' | 'prefetch';

export interface RateGate {
  /** Waits for a slot (within `maxWaitMs`), or throws PausedError without sending anything. */
  enter(endpoint: string, priority: CallPriority): Promise<void>;
  /** A rate-limit reply: every call of this user waits `waitMs` from now. */
  limited(waitMs: number): void;
  /** Epoch ms until which calls are paused (0 when not paused). */
  pausedUntil(): number;
}

export interface RateGateOptions {
  log: Logger;
  /** An operator's quota, per user and minute; undefined = no budget. */
  callsPerMinute?: number;
  /** A normal call waits at most this long for the pause (or the budget) to clear, then fails unsent. */
  maxWaitMs?: number;
  now?: () => number;
}

const WINDOW_MS = 60_000;

/**
 * One per ALGOGENE user, created beside its session tokens and shared by all its bridges: the
 * server counts calls per user, so one bridge's 429 must quiet its siblings too. Logs once per
 * pause, not once per call.
 */
export function createRateGate(options: RateGateOptions): RateGate {
  const now = options.now ?? Date.now;
  const maxWaitMs = options.maxWaitMs ?? 5_000;
  let until = 0;
  let announced = 0;
  const sent: number[] = [];

  const budgetWait = (at: number): number => {
    if (options.callsPerMinute === undefined) return 0;
    while (sent.length > 0 && (sent[0] as number) <= at - WINDOW_MS) sent.shift();
    return sent.length < options.callsPerMinute ? 0 : (sent[0] as number) + WINDOW_MS - at;
  };

  return {
    async enter(endpoint, priority) {
      for (;;) {
        const at = now();
        const waitMs = Math.max(until - at, budgetWait(at));
        if (waitMs <= 0) break;
        if (priority === 'prefetch' || waitMs > maxWaitMs) throw new PausedError(endpoint, waitMs);
        await sleep(waitMs);
      }
      if (until !== 0 && announced === until) {
        options.log.info({}, 'rate-limit pause over: calls resume');
        announced = 0;
        until = 0;
      }
      if (options.callsPerMinute !== undefined) sent.push(now());
    },
    limited(waitMs) {
      const next = now() + waitMs;
      if (next <= until) return;
      // Extending a pause already announced is not a new pause: no second line.
      if (until <= now()) options.log.warn({ waitMs }, 'rate limited: pausing every call of this user');
      until = next;
      announced = next;
    },
    pausedUntil: () => (until > now() ? until : 0),
  };
}

/** For a client built without one (tests, tools): never waits. */
export const openGate: RateGate = { enter: async () => {}, limited: () => {}, pausedUntil: () => 0 };
