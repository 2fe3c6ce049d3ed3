import type { AlgogeneClient } from '../algogene/create-client.js';
import type { Logger } from '../logging/create-logger.js';
import type { TrackedTrade } from '../store/bridge-state.js';
import { accountLists, locateClosing, locateTrade, type Location } from './locate-trade.js';

/** Where the server has each tracked trade, filled in as the answers arrive. */
export interface TrackedQuery {
  readonly known: ReadonlyMap<string, Location>;
  /** Settles (never rejects) once every answer is in or has failed. */
  readonly done: Promise<void>;
}

/**
 * Asks the server about every tracked trade (closing ones too: their close is confirmed here) at
 * once and logs what it shows. The account's lists are asked once for all of them, and a closing
 * trade gone from the open list is confirmed by its strategy_trade rows alone: in the steady state
 * (one trade open, the one closed last tick awaiting confirmation) that is two calls where one
 * question per list per trade took five. A failed look-up is not a failed tick: the trade is
 * simply not known, and nothing is concluded from it.
 */
export function queryTracked(client: AlgogeneClient, trades: readonly TrackedTrade[], log: Logger, known = new Map<string, Location>()): TrackedQuery {
  const lists = accountLists(client);
  const done = Promise.all(
    trades.map((t) =>
      (t.status === 'closing' ? locateClosing(client, t, lists) : locateTrade(client, t, lists)).then(
        (location) => {
          known.set(t.tradeId, location);
          if (location.where === 'open') log.info({ tradeId: t.tradeId, where: location.where, price: location.trade.price, unrealizedPL: location.trade.unrealizedPL }, 'tracked trade');
          else log.info({ tradeId: t.tradeId, where: location.where, detail: location.where === 'unknown' ? location.detail : undefined }, 'tracked trade');
        },
        (error: Error) => log.warn({ tradeId: t.tradeId, error: error.message }, 'tracked trade not looked up: nothing concluded'),
      ),
    ),
  ).then(() => undefined);
  return { known, done };
}
