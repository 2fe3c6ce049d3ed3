import type { FastifyInstance } from 'fastify';
import type { Bridge } from '../bridge/create-bridge.js';
import type { BridgeControl } from './bridge-control.js';
import { summarise, type JournalProvider } from './describe-bridge.js';
import type { TickHistory } from './tick-history.js';
import type { TradeWatch } from './trade-watch.js';
import type { BridgeLease } from '../store/bridge-lease.js';

const JOURNAL_ENTRIES = 20;

export interface BridgeRouteDeps {
  readonly bridges: readonly Bridge[];
  readonly history: TickHistory;
  readonly watch: TradeWatch;
  readonly control: BridgeControl;
  readonly leases?: ReadonlyMap<string, BridgeLease>;
  readonly me?: { readonly pid: number; readonly host: string };
  readonly journal?: JournalProvider;
  readonly runsHere?: (bridgeId: string) => boolean;
}

/**
 * GET /api/bridges: every bridge as last seen (asks no server). GET /api/bridges/:id: one bridge
 * with its trades looked up again (at most every few seconds), its tick history, its equity
 * curve and its last journal entries.
 */
export function registerBridgeRoutes(app: FastifyInstance, deps: BridgeRouteDeps): void {
  const sources = { history: deps.history, control: deps.control, leases: deps.leases ?? new Map(), me: deps.me ?? { pid: process.pid, host: 'localhost' }, runsHere: deps.runsHere };
  const byId = new Map(deps.bridges.map((b) => [b.id, b]));

  app.get('/api/bridges', async () => ({
    bridges: deps.bridges.map((b) => summarise(b, deps.watch.view(b.id), sources)),
  }));

  app.get<{ Params: { id: string } }>('/api/bridges/:id', async (request, reply) => {
    const bridge = byId.get(request.params.id);
    if (!bridge) return reply.code(404).send({ error: `no bridge ${request.params.id}` });
    const trades = await deps.watch.refresh(bridge.id);
    let journal: readonly unknown[] | { error: string } | null = null;
    if (deps.journal) journal = await deps.journal(bridge.id, JOURNAL_ENTRIES).catch((error: Error) => ({ error: error.message }));
    return {
      ...summarise(bridge, trades, sources),
      ticks: deps.history.ticks(bridge.id),
      equity: deps.history.equity(bridge.id),
      journal,
    };
  });
}
