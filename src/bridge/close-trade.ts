import { AlgogeneError } from '../algogene/algogene-error.js';
import type { AlgogeneClient } from '../algogene/create-client.js';
import type { Logger } from '../logging/create-logger.js';
import type { TrackedTrade } from '../store/bridge-state.js';
import { locateTrade, type Location } from './locate-trade.js';

export type CloseOutcome = 'closed' | 'cancelled' | 'gone';

/**
 * Takes a tracked trade off the account: closes it if open, cancels it if still pending, and
 * forgets one the server no longer has. Acts on `known` (a query made while the strategy ran)
 * and, when the close is refused or its reply is lost, on a fresh look-up: never a blind resend.
 * Throws when the trade may still be open, so that the caller keeps it.
 */
export async function closeTrade(
  client: AlgogeneClient,
  log: Logger,
  trade: TrackedTrade,
  known: Location | undefined,
): Promise<CloseOutcome> {
  // Without a query answer, assume what the store says: the trade is open.
  const believed = known?.where ?? 'open';
  const first = await attempt(client, trade.tradeId, believed);
  if (first.done) return first.done;
  const fresh = await locateTrade(client, trade.tradeId);
  log.info({ tradeId: trade.tradeId, where: fresh.where, after: first.error.message }, 'looked up the trade again');
  if (fresh.where === 'gone') return first.error.outcome === 'unknown' ? 'closed' : 'gone';
  if (first.error.outcome === 'unknown' || fresh.where === believed) throw first.error;
  // The trade moved (filled, say, between our query and the cancel): act once on what is true now.
  const second = await attempt(client, trade.tradeId, fresh.where);
  if (second.done) return second.done;
  throw second.error;
}

async function attempt(
  client: AlgogeneClient,
  tradeId: string,
  where: Location['where'],
): Promise<{ done: CloseOutcome; error?: never } | { done?: never; error: AlgogeneError }> {
  if (where === 'gone') return { done: 'gone' };
  try {
    if (where === 'pending') {
      await client.cancelOrders([tradeId]);
      return { done: 'cancelled' };
    }
    await client.closeOrders([tradeId]);
    return { done: 'closed' };
  } catch (error) {
    if (error instanceof AlgogeneError) return { error };
    throw error;
  }
}
