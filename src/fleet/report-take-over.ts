import { createMomentCounter } from '../bridge/missed-moments.js';
import type { Logger } from '../logging/create-logger.js';
import type { LeaseHolder } from '../store/bridge-lease.js';

export interface TakeOverReport {
  /** This instance took `bridgeId` over from `died`, whose lease lapsed: say what the bridge missed meanwhile. */
  (bridgeId: string, died: LeaseHolder): void;
  close(): void;
}

/**
 * Nothing silent: the moments a bridge missed between its last tick (as its lease record shows it)
 * and its take-over here are logged, counted and given first and last, and added to `count` (the
 * metrics). The record is written with each renewal, so a tick that ended just before its holder
 * died may not be in it yet: at most one moment counted as missed may in fact have run.
 */
export function createTakeOverReport(deps: { schedules: ReadonlyMap<string, string>; log: Logger; count?: (bridgeId: string, moments: number) => void; now?: () => number }): TakeOverReport {
  const now = deps.now ?? Date.now;
  const counter = createMomentCounter();
  const report = (bridgeId: string, died: LeaseHolder) => {
    const schedule = deps.schedules.get(bridgeId);
    const previous = `${died.pid}@${died.host}`;
    const lastTick = died.lastTick === undefined ? Number.NaN : Date.parse(died.lastTick);
    if (schedule === undefined || Number.isNaN(lastTick)) {
      deps.log.warn({ bridge: bridgeId, previous, previousInstance: died.instance }, 'fleet: took over a bridge whose instance stopped without handing it over; its last tick is not on record, so the moments it missed cannot be counted');
      return;
    }
    const missed = counter.between(schedule, lastTick, now());
    const line = {
      bridge: bridgeId,
      previous,
      previousInstance: died.instance,
      lastTick: died.lastTick,
      missed: missed.count,
      first: missed.first?.toISOString(),
      last: missed.last?.toISOString(),
      atLeast: missed.capped || undefined,
    };
    if (missed.count === 0) deps.log.info(line, 'fleet: took over a bridge whose instance stopped without handing it over; no scheduled moment was missed');
    else deps.log.warn(line, `fleet: took over a bridge whose instance stopped without handing it over: ${missed.capped ? 'at least ' : ''}${missed.count} scheduled moment(s) missed since its last tick`);
    if (missed.count > 0) deps.count?.(bridgeId, missed.count);
  };
  return Object.assign(report, { close: () => counter.close() });
}
