import { AlgogeneError } from '../algogene/algogene-error.js';
import type { AlgogeneClient } from '../algogene/create-client.js';
import type { Logger } from '../logging/create-logger.js';
import type { TrackedTrade } from '../store/bridge-state.js';
import { locateTrade, type Location } from './locate-trade.js';

/**
 * `closing`: close_orders was submitted (or its reply was lost): the trade stays tracked until a
 * look-up shows it closed. `cancelled`: a pending order was cancelled. `gone`: the server had
 * closed it already (take-profit, stop-loss, holdtime), with `closedAt` what it said.
 */
export type CloseOutcome = 'closing' | 'cancelled' | 'gone';

export interface CloseResult {
  readonly outcome: CloseOutcome;
  /** For `gone`: the close the server recorded. */
  readonly closed?: { price?: number; reason?: string };
}

/**
 * Takes a tracked trade off the account: submits its close if open, cancels it if still pending.
 * Acts on `known` (a query made while the strategy ran) and, when the close is refused, on a
 * fresh look-up: never a blind resend. Throws when the trade is still open and its close was
 * refused, so that the caller keeps it open and sends the close again at the next tick.
 */
export async function closeTrade(client: AlgogeneClient, log: Logger, trade: TrackedTrade, known: Location | undefined): Promise<CloseResult> {
  if (known?.where === 'closed') return { outcome: 'gone', closed: known };
  // Without a query answer (or with an unclear one), assume what the store says: the trade is open.
  const believed = known?.where === 'pending' ? 'pending' : 'open';
  const first = await attempt(client, trade.tradeId, believed);
  if (first.done) return first.done;
  // A close whose reply was lost may have been submitted: the next look-up confirms or not.
  if (first.error.outcome === 'unknown') return { outcome: 'closing' };
  const fresh = await locateTrade(client, trade);
  log.info({ tradeId: trade.tradeId, where: fresh.where, after: first.error.message }, 'looked up the trade again');
  if (fresh.where === 'closed') return { outcome: 'gone', closed: fresh };
  const now = fresh.where === 'pending' ? 'pending' : 'open';
  // Refused again for the same reason: unless the first attempt acted on an assumption (no look-up
  // showed where the trade was) that the server has since shown true. An order placed moments ago
  // is refused a close as "not found" while it is unfilled, and listed open once it fills.
  const assumed = known?.where !== 'open' && known?.where !== 'pending';
  const shown = fresh.where === 'open' || fresh.where === 'pending';
  if (now === believed && !(assumed && shown)) throw first.error;
  // The trade moved (filled, say, between our query and the cancel), or was only now seen: act once on what is true now.
  const second = await attempt(client, trade.tradeId, now);
  if (second.done) return second.done;
  if (second.error.outcome === 'unknown') return { outcome: 'closing' };
  throw second.error;
}

async function attempt(
  client: AlgogeneClient,
  tradeId: string,
  where: 'open' | 'pending',
): Promise<{ done: CloseResult; error?: never } | { done?: never; error: AlgogeneError }> {
  try {
    if (where === 'pending') {
      await client.cancelOrders([tradeId]);
      return { done: { outcome: 'cancelled' } };
    }
    await client.closeOrders([tradeId]);
    return { done: { outcome: 'closing' } };
  } catch (error) {
    if (error instanceof AlgogeneError) return { error };
    throw error;
  }
}
