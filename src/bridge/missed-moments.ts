import { createTask, type ScheduledTask } from 'node-cron';

/**
 * How far back moments are enumerated, second by second (cron's resolution), as the schedule
 * clock does: a longer outage is reported as at least what this window holds.
 */
export const MISSED_SCAN_S = 3600;

export interface MissedMoments {
  readonly count: number;
  readonly first?: Date;
  readonly last?: Date;
  /** The span was longer than MISSED_SCAN_S: only its last hour was looked at, so `count` is a lower bound. */
  readonly capped: boolean;
}

export interface MomentCounter {
  /** The moments of `schedule` after `after` and at or before `upTo` (epoch ms). */
  between(schedule: string, after: number, upTo: number): MissedMoments;
  close(): void;
}

/**
 * Counts a schedule's moments in a span. Each schedule is parsed once, and the answer for a span
 * is kept for the next asker: the bridges of one instance that died share their schedule and
 * their last moment, and a scan costs ~10 µs a second.
 */
export function createMomentCounter(): MomentCounter {
  const patterns = new Map<string, ScheduledTask>();
  const answers = new Map<string, MissedMoments>();
  return {
    between(schedule, after, upTo) {
      const from = Math.max(Math.floor(after / 1000) * 1000 + 1000, Math.floor(upTo / 1000) * 1000 - MISSED_SCAN_S * 1000);
      const key = `${schedule}\u0000${from}\u0000${Math.floor(upTo / 1000)}`;
      const known = answers.get(key);
      if (known) return known;
      let pattern = patterns.get(schedule);
      // Never started: used for its matcher only.
      if (!pattern) patterns.set(schedule, (pattern = createTask(schedule, () => {})));
      let count = 0;
      let first: Date | undefined;
      let last: Date | undefined;
      for (let t = from; t <= upTo; t += 1000) {
        const at = new Date(t);
        if (!pattern.match(at)) continue;
        count += 1;
        first ??= at;
        last = at;
      }
      const answer = { count, first, last, capped: from > Math.floor(after / 1000) * 1000 + 1000 };
      if (answers.size >= 64) answers.clear();
      answers.set(key, answer);
      return answer;
    },
    close() {
      for (const pattern of patterns.values()) void pattern.destroy();
      patterns.clear();
      answers.clear();
    },
  };
}
