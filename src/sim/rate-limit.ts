/** ALGOGENE's per-user access quota: N served calls per rolling minute; refused calls do not count. */
export const EXCEED_ACCESS = 'Exceed maximum access count. Please try again later.';

const WINDOW_MS = 60_000;

export class RateLimit {
  private readonly calls = new Map<string, number[]>();

  constructor(private perMinute: number | undefined) {}

  set(perMinute: number | undefined): void {
    this.perMinute = perMinute;
  }

  /** Counts the call and returns true when the user is within the quota; false (not counted) beyond it. */
  take(user: string, nowMs: number): boolean {
    if (this.perMinute === undefined) return true;
    const times = (this.calls.get(user) ?? []).filter((t) => t > nowMs - WINDOW_MS);
    this.calls.set(user, times);
    if (times.length >= this.perMinute) return false;
    times.push(nowMs);
    return true;
  }
}
