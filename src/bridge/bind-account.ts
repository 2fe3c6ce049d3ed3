import type { Binding, BridgeState } from '../store/bridge-state.js';
import { BindingError } from './binding-error.js';

/** What a bridge's record is bound to: its trades live on this account, in this runmode, on this server. */
export function bindingOf(config: { user: string; accountId: string; runmode: string; instrument: string }, baseUrl: string): Binding {
  return { user: config.user, accountId: config.accountId, runmode: config.runmode, instrument: config.instrument, host: new URL(baseUrl).host };
}

/**
 * Refuses a record written for another account before anything acts on it: run with a changed
 * ALGOGENE_ACCOUNT_ID (or runmode, server, user, instrument) the bridge would otherwise look for
 * its tracked trade on the wrong account, not find it, and trade on as if it had none. A record
 * with no binding yet (new, or written before bindings existed) is bound by its first order.
 */
export async function assertBinding(state: BridgeState, bridgeId: string, configured: Binding): Promise<void> {
  const doc = await state.load();
  const stored = doc.binding;
  if (!stored) return;
  if ((Object.keys(configured) as (keyof Binding)[]).some((k) => stored[k] !== configured[k])) throw new BindingError(bridgeId, stored, configured);
}
