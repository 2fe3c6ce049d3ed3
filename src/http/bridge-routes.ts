import type { FastifyInstance } from 'fastify';
import type { Bridge } from '../bridge/create-bridge.js';
import type { BridgeControl } from './bridge-control.js';
import { summarise, type JournalProvider } from './describe-bridge.js';
import type { TickHistory } from './tick-history.js';
import type { TradeWatch } from './trade-watch.js';
import type { BridgeLease } from '../store/bridge-lease.js';
import type { FleetView } from '../fleet/read-fleet.js';

const JOURNAL_ENTRIES = 20;
/** The page polls: the fleet's leases and members are read from the store at most this often. */
const FLEET_VIEW_MS = 1_000;

export interface BridgeRouteDeps {
  readonly bridges: readonly Bridge[];
  readonly history: TickHistory;
  readonly watch: TradeWatch;
  readonly control: BridgeControl;
  readonly leases?: ReadonlyMap<string, BridgeLease>;
  readonly me?: { readonly pid: number; readonly host: string };
  readonly journal?: JournalProvider;
  readonly runsHere?: (bridgeId: string) => boolean;
  /** Fleet mode: the fleet's name, and a read of who runs each bridge and of the live members. */
  readonly fleet?: { readonly name: string; read(): Promise<FleetView> };
}

/**
 * GET /api/bridges: every bridge as last seen (asks no server). GET /api/bridges/:id: one bridge
 * with its trades looked up again (at most every few seconds), its tick history, its equity
 * curve and its last journal entries. In fleet mode each bridge says which instance runs it
 * (`runBy`, from its lease record) and the list says who the fleet's live members are.
 */
export function registerBridgeRoutes(app: FastifyInstance, deps: BridgeRouteDeps): void {
  const sources = { history: deps.history, control: deps.control, leases: deps.leases ?? new Map(), me: deps.me ?? { pid: process.pid, host: 'localhost' }, runsHere: deps.runsHere };
  const byId = new Map(deps.bridges.map((b) => [b.id, b]));
  const fleet = deps.fleet;
  const readFleet = fleet && recent(() => fleet.read(), FLEET_VIEW_MS);
  // A store that does not answer leaves the rest of the answer whole: the fleet part says why.
  const fleetNow = async () => (readFleet ? readFleet().catch((error: Error) => ({ error: error.message })) : undefined);

  app.get('/api/bridges', async () => {
    const view = await fleetNow();
    const runners = view && 'runners' in view ? view.runners : undefined;
    return {
      bridges: deps.bridges.map((b) => summarise(b, deps.watch.view(b.id), sources, runners)),
      ...(fleet && view ? { fleet: 'error' in view ? { name: fleet.name, error: view.error } : { name: fleet.name, members: view.members ?? [] } } : {}),
    };
  });

  app.get<{ Params: { id: string } }>('/api/bridges/:id', async (request, reply) => {
    const bridge = byId.get(request.params.id);
    if (!bridge) return reply.code(404).send({ error: `no bridge ${request.params.id}` });
    const trades = await deps.watch.refresh(bridge.id);
    let journal: readonly unknown[] | { error: string } | null = null;
    if (deps.journal) journal = await deps.journal(bridge.id, JOURNAL_ENTRIES).catch((error: Error) => ({ error: error.message }));
    const view = await fleetNow();
    return {
      ...summarise(bridge, trades, sources, view && 'runners' in view ? view.runners : undefined),
      ticks: deps.history.ticks(bridge.id),
      equity: deps.history.equity(bridge.id),
      journal,
    };
  });
}

/** `read`, asked again only once its last answer is `ms` old; callers meanwhile share it. */
function recent<T>(read: () => Promise<T>, ms: number): () => Promise<T> {
  let last: { at: number; answer: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= ms) {
      const answer = read();
      last = { at: now, answer };
      // A failed read is not kept: the next asker tries again.
      answer.catch(() => {
        if (last?.answer === answer) last = undefined;
      });
    }
    return last.answer;
  };
}
