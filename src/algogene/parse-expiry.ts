const EXPIRY = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/**
 * `expired_utc` is "YYYY-MM-DD HH:MM:SS.ffffff" in UTC. Parsed strictly: a value that is not
 * a real moment throws, so a bad reply can never read as "never expires".
 */
export function parseExpiry(text: string): number {
  const m = EXPIRY.exec(text);
  if (!m) throw new Error(`expired_utc ${JSON.stringify(text)} is not "YYYY-MM-DD HH:MM:SS.ffffff"`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000);
  const at = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const d = new Date(at);
  const roundTrips =
    d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day &&
    d.getUTCHours() === hour && d.getUTCMinutes() === minute && d.getUTCSeconds() === second;
  if (!roundTrips) throw new Error(`expired_utc ${JSON.stringify(text)} is not a valid date`);
  return at;
}
