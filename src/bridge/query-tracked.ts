import type { AlgogeneClient } from '../algogene/create-client.js';
import type { Logger } from '../logging/create-logger.js';
import type { TrackedTrade } from '../store/bridge-state.js';
import { locateTrade, type Location } from './locate-trade.js';

/** Where the server has each tracked trade, filled in as the answers arrive. */
export interface TrackedQuery {
  readonly known: ReadonlyMap<string, Location>;
  /** Settles (never rejects) once every answer is in or has failed. */
  readonly done: Promise<void>;
}

/**
 * Asks the server about every tracked trade at once and logs what it shows. A failed look-up is
 * not a failed tick: the close path looks again when it needs to.
 */
export function queryTracked(client: AlgogeneClient, trades: readonly TrackedTrade[], log: Logger, known = new Map<string, Location>()): TrackedQuery {
  const done = Promise.all(
    trades.map((t) =>
      locateTrade(client, t.tradeId).then(
        (location) => {
          known.set(t.tradeId, location);
          if (location.where !== 'gone') log.info({ tradeId: t.tradeId, where: location.where, price: location.trade.price, unrealizedPL: location.trade.unrealizedPL }, 'tracked trade');
        },
        () => undefined,
      ),
    ),
  ).then(() => undefined);
  return { known, done };
}
