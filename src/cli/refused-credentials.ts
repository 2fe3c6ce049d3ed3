import { AuthError } from '../algogene/auth-error.js';
import type { Bridge } from '../bridge/create-bridge.js';

/**
 * One read per ALGOGENE user before `run` ticks: a key the server refuses is a configuration
 * error (exit 2 with the reason), not a warning at every tick forever. Any other failure (the
 * server down, a timeout) is left to the ticks, which retry and say so.
 */
export async function refusedCredentials(bridges: readonly Bridge[], signal?: AbortSignal): Promise<string[]> {
  const byUser = new Map<string, Bridge>();
  for (const bridge of bridges) {
    const key = `${bridge.config.user}\u0000${bridge.config.apiKey}`;
    if (!byUser.has(key)) byUser.set(key, bridge);
  }
  const refused: string[] = [];
  // SIGTERM during the check: stop waiting for it (the run then stops before any tick).
  const aborted = new Promise<void>((resolve) => (signal?.aborted ? resolve() : signal?.addEventListener('abort', () => resolve(), { once: true })));
  const checked = Promise.all(
    [...byUser.values()].map(async (bridge) => {
      try {
        await bridge.openedTrades();
      } catch (error) {
        if (error instanceof AuthError) {
          refused.push(`ALGOGENE_API_KEY: the server refused user ${bridge.config.user}'s credentials (${error.message}) (bridge ${bridge.id}): check ALGOGENE_USER and ALGOGENE_API_KEY (ALGOGENE > Settings > API Key)`);
        }
      }
    }),
  );
  await Promise.race([checked, aborted]);
  return [...refused];
}
