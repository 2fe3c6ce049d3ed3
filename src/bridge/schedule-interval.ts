import { createTask } from 'node-cron';

/** The shortest gap between two runs of a cron schedule, looked at over its next few runs. */
export function scheduleIntervalMs(schedule: string): number {
  const task = createTask(schedule, () => {});
  try {
    const runs = task.getNextRuns(4).map((d) => d.getTime());
    let shortest = Number.POSITIVE_INFINITY;
    for (let i = 1; i < runs.length; i += 1) shortest = Math.min(shortest, (runs[i] as number) - (runs[i - 1] as number));
    return Number.isFinite(shortest) ? shortest : 60_000;
  } finally {
    void task.destroy();
  }
}
