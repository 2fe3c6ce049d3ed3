import type { Binding } from '../store/bridge-state.js';

/** The stored record belongs to another account (user, account, runmode, instrument or server). */
export class BindingError extends Error {
  override name = 'BindingError';
  constructor(
    readonly bridgeId: string,
    readonly stored: Binding,
    readonly configured: Binding,
  ) {
    const diff = (Object.keys(configured) as (keyof Binding)[])
      .filter((k) => stored[k] !== configured[k])
      .map((k) => `${k} ${stored[k]} → ${configured[k]}`)
      .join(', ');
    super(
      `bridge ${bridgeId}: its stored record belongs to user ${stored.user}, account ${stored.accountId} (${stored.runmode}, ${stored.instrument} on ${stored.host}), not the configured one (${diff}); nothing was changed: run \`close\` first with the old settings, or use a new BRIDGE_ID`,
    );
  }
}
