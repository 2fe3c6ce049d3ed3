/** Wall-clock helpers in the reply formats of the ALGOGENE API. */

/** Microseconds since the epoch; the API prints six fraction digits, so milliseconds alone would look fake. */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` in UTC, the API's `%Y-%m-%d %H:%M:%S.%f`. */
export function formatUtcUs(us: number): string {
  const frac = us - Math.floor(us / 1_000_000) * 1_000_000;
  return `${formatUtcSeconds(Math.floor(us / 1000))}.${pad(frac, 6)}`;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, used for bar times. */
export function formatUtcSeconds(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`
  );
}

/** Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.f]]` (or with `T`) as UTC; undefined when malformed. */
export function parseUtc(s: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?Z?$/.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '0'] = m;
  const ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +sec, Math.floor(+frac.padEnd(6, '0') / 1000));
  const back = new Date(ms);
  // Date.UTC rolls 2023-02-31 over to March; a real server would reject it.
  if (back.getUTCMonth() !== +mo! - 1 || back.getUTCDate() !== +d! || +h > 23 || +mi > 59 || +sec > 59) return undefined;
  return ms;
}
