/**
 * How long `once` holds a bridge's lease without renewing it. It ends after one tick, which renews
 * the lease before it acts when less than its margin is left, so no schedule interval is needed
 * (reading one costs node-cron's first time-zone formatter, ~20 ms of a 400 ms start), and if it
 * crashes another host waits half a minute for the bridge, not three intervals.
 */
export const ONE_SHOT_LEASE_TTL_MS = 30_000;
