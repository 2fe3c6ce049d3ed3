import { hostname } from 'node:os';
import type { CloseReport } from '../bridge/create-bridge.js';
import type { Config } from '../config.js';
import type { LeaseHolder } from '../store/bridge-lease.js';
import { createStore, type Store } from '../store/create-store.js';
import type { BridgeSummary } from './describe-bridge.js';
import { findDaemon, type DaemonAdvert } from './daemon-advert.js';

export type DaemonAnswer = { ok: true; bridge: string; results: CloseReport } | { ok: false; bridge: string; error: string };

/**
 * The daemon on this host that holds a bridge, from its lease holder: undefined when the holder
 * runs elsewhere or serves no HTTP (its port is 0, or it is an older version).
 */
export async function findHolderDaemon(config: Config, holder: LeaseHolder): Promise<DaemonAdvert | undefined> {
  if (holder.host !== hostname()) return undefined;
  const store = await createStore(config.store);
  try {
    return await findDaemon(store, holder.instance);
  } finally {
    await store.close();
  }
}

/** POST /api/bridges/:id/close to the daemon, with this config's token or the one the daemon made for this host. */
export async function askDaemonToClose(config: Config, daemon: DaemonAdvert, bridgeId: string, options: { adoptOrphans?: boolean } = {}): Promise<DaemonAnswer> {
  const token = config.http.token ?? daemon.token;
  const url = `${daemon.url}/api/bridges/${encodeURIComponent(bridgeId)}/close${options.adoptOrphans ? '?adoptOrphans=1' : ''}`;
  let response: Response;
  try {
    // A close may wait for the running tick and for an order in flight to settle: minutes at most.
    response = await fetch(url, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(Math.max(60_000, 4 * config.httpTimeoutMs)) });
  } catch (error) {
    return { ok: false, bridge: bridgeId, error: `the daemon at ${daemon.url} did not answer: ${(error as Error).message}` };
  }
  const body = (await response.json().catch(() => ({}))) as { results?: CloseReport; error?: string };
  if (response.status === 401) return { ok: false, bridge: bridgeId, error: 'the daemon refused the token: set BRIDGE_HTTP_TOKEN as the daemon has it' };
  if (!response.ok || !Array.isArray(body.results)) return { ok: false, bridge: bridgeId, error: `the daemon answered HTTP ${response.status}: ${body.error ?? 'no reason given'}` };
  return { ok: true, bridge: bridgeId, results: body.results };
}

/** What a running daemon on this host says of the bridges it holds (GET /api/bridges), or undefined when none answers. */
export async function daemonView(store: Store, bridgeIds: readonly string[]): Promise<{ daemon: DaemonAdvert; bridges: BridgeSummary[] } | undefined> {
  for (const id of bridgeIds) {
    // The lease's record, as src/store/bridge-lease.ts writes it: who holds the bridge.
    const raw = await store.cells.get(`bridge:${id}:lease`).catch(() => undefined);
    let holder: Partial<LeaseHolder> | undefined;
    try {
      holder = raw ? (JSON.parse(raw) as Partial<LeaseHolder>) : undefined;
    } catch {
      holder = undefined;
    }
    if (!holder?.instance || holder.host !== hostname() || (holder.expiresAt ?? 0) < Date.now()) continue;
    const daemon = await findDaemon(store, holder.instance).catch(() => undefined);
    if (!daemon) continue;
    try {
      const response = await fetch(`${daemon.url}/api/bridges`, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) continue;
      const body = (await response.json()) as { bridges: BridgeSummary[] };
      return { daemon: { ...daemon, token: undefined }, bridges: body.bridges };
    } catch {
      continue;
    }
  }
  return undefined;
}
