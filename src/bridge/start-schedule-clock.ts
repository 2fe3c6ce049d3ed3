import { createTask } from 'node-cron';

export interface Moment {
  /** The moment that runs now: the one expected, or the latest one passed when the loop was blocked past several. */
  readonly scheduledAt: Date;
  /** How long after `scheduledAt` it fired. */
  readonly lateMs: number;
  /** Moments that passed while the event loop was blocked and will never run (oldest first). */
  readonly skipped: readonly Date[];
}

export interface ScheduleClock {
  /** The next moment the clock waits for (null once stopped). */
  next(): Date | null;
  stop(): void;
}

/** Longer waits are split: setTimeout overflows past 2^31 ms, and a clock change is caught within this. */
const MAX_WAIT_MS = 60 * 60 * 1000;
/** How long before a moment its timer fires (see arm). */
const EARLY_MS = 2;
/** How far back skipped moments are enumerated, second by second (cron's resolution). */
const MAX_SCAN_S = 3600;

/**
 * Calls `onMoment` at each moment of a cron schedule, with a timer of its own. node-cron's loop
 * drops a moment that passed while the event loop was blocked, with a warning only; here the
 * expected moment is compared with the clock when the timer fires: a late moment still runs and
 * says how late, and when the loop was blocked past later moments too, the latest of them runs
 * and every one before it is reported as skipped, so that nothing is dropped silently.
 * node-cron is kept as the parser of the schedule (the same syntax as before).
 */
export function startScheduleClock(schedule: string, onMoment: (moment: Moment) => void): ScheduleClock {
  // Never started: used for its parser and matcher only.
  const pattern = createTask(schedule, () => {});
  const nextAfterNow = (): Date | null => pattern.getNextRuns(1)[0] ?? null;
  let expected = nextAfterNow();
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let stopped = false;

  const arm = () => {
    if (stopped || !expected) return;
    const wait = expected.getTime() - Date.now();
    // A timer fires a millisecond or so after its time: it is set a little early, and the last
    // milliseconds are waited out one turn of the event loop at a time, so that a moment starts
    // within a fraction of a millisecond of its second, on the signal-to-order path.
    if (wait <= EARLY_MS) immediate = setImmediate(fire);
    else timer = setTimeout(fire, Math.min(MAX_WAIT_MS, wait - EARLY_MS));
  };
  const fire = () => {
    if (stopped || !expected) return;
    const now = Date.now();
    // Timers run on a monotonic clock and may fire a little before the wall clock's moment.
    if (now < expected.getTime()) return arm();
    const passed = [expected, ...passedSince(expected.getTime(), now)];
    const scheduledAt = passed.pop() as Date;
    expected = nextAfterNow();
    if (expected && expected.getTime() <= scheduledAt.getTime()) expected = new Date(scheduledAt.getTime() + 1000);
    arm();
    onMoment({ scheduledAt, lateMs: now - scheduledAt.getTime(), skipped: passed });
  };
  /** The moments of the schedule after `from` and at or before `now`, on whole seconds. */
  const passedSince = (from: number, now: number): Date[] => {
    const found: Date[] = [];
    const first = Math.max(from + 1000, Math.floor(now / 1000) * 1000 - MAX_SCAN_S * 1000);
    for (let t = Math.floor(first / 1000) * 1000; t <= now; t += 1000) {
      if (t > from && pattern.match(new Date(t))) found.push(new Date(t));
    }
    return found;
  };
  arm();

  return {
    next: () => (stopped ? null : expected),
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearImmediate(immediate);
      void pattern.destroy();
    },
  };
}
