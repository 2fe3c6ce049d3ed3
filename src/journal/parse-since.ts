const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: an ISO 8601 date or time, or a span back from now such as 30m, 24h or 7d. */
export function parseSince(text: string, now = Date.now()): Date {
  const span = /^(\d+)([mhd])$/.exec(text.trim());
  if (span) return new Date(now - Number(span[1]) * UNITS[span[2]!]!);
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) throw new Error(`--since: expected an ISO 8601 time (2026-11-22 or 2026-11-22T10:00:00Z) or a span such as 24h or 7d, got "${text}"`);
  return new Date(at);
}
