import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bridge } from '../bridge/create-bridge.js';
import { createLimiter } from '../bridge/create-limiter.js';
import { LeaseLostError } from '../bridge/lease-lost-error.js';
import type { Logger } from '../logging/create-logger.js';
import type { BridgeLease, LeaseHolder } from '../store/bridge-lease.js';
import { assignBridges } from './assign-bridges.js';
import type { FleetMember, FleetMembership } from './fleet-membership.js';

export interface FleetOptions {
  readonly membership: FleetMembership;
  readonly me: { readonly instance: string; readonly host: string; readonly pid: number };
  /** One lease per bridge of the config, none acquired yet: the fleet acquires and releases them. */
  readonly leases: ReadonlyMap<string, BridgeLease>;
  /** Each bridge's tick interval: a hand-over waits at most this long (plus a margin) for the bridge's tick. */
  readonly intervalMs: (bridgeId: string) => number;
  readonly log: Logger;
  readonly roundMs?: number;
  /** How often a bridge due to come to this instance is asked for while its holder finishes its tick. */
  readonly fastRoundMs?: number;
  /** At start, how long to listen for instances starting at the same time before taking a share. */
  readonly settleMs?: number;
  readonly now?: () => number;
  /** Each change of what this instance holds, for the journal (which must read a moved bridge's chain again). */
  readonly onChange?: (bridgeId: string, change: 'acquired' | 'released' | 'lost', detail?: { readonly died?: LeaseHolder }) => void;
  /**
   * Before a lease is given up (a hand-over, a stop), while it still fences the bridge's writes:
   * what this instance still has to write for the bridge (its journal) is written now.
   */
  readonly beforeRelease?: (bridgeId: string) => Promise<void>;
}

export interface Fleet {
  /** Announces this instance, waits for the others starting with it, then takes its share. */
  start(): Promise<void>;
  /** Whether this instance runs the bridge now (it holds its lease and is not handing it over). */
  isMine(bridgeId: string): boolean;
  /** The bridge, with its ticks visible to the fleet: a hand-over happens only between two ticks. */
  track(bridge: Bridge): Bridge;
  /** The bridge's tick found its lease gone: another instance runs it now. */
  leaseLost(bridgeId: string): void;
  /** SIGTERM: announce that this instance is leaving, so that the others stop counting on it. */
  leave(): Promise<void>;
  /** After the last tick: release every lease at once and remove this instance. */
  stop(): Promise<void>;
  snapshot(): { members: FleetMember[]; mine: string[] };
}

export const FLEET_ROUND_MS = 500;
export const FLEET_FAST_ROUND_MS = 100;
/**
 * A member that misses its heartbeats this long (20 rounds) has stopped: its bridges are shared out.
 * Not shorter: with 10,000 bridges on a loaded machine an instance's event loop stalled for more than
 * 5 s during a tick, dropped out of the fleet though alive, and its bridges churned.
 */
export const FLEET_MEMBER_TTL_MS = 10_000;

/**
 * The rebalancer. Every round it renews this instance's heartbeat, reads the live members,
 * computes the same assignment as every other member (assignBridges), acquires the leases of its
 * bridges that are free, hands over the bridges that are now another's at the end of their next
 * tick (only once that member sees the same members, so it is there to take them), and keeps its
 * leases alive. Exclusivity never rests on the assignment: only on the store's leases.
 */
export function createFleet(options: FleetOptions): Fleet {
  const { membership, me, leases, log } = options;
  const now = options.now ?? Date.now;
  const roundMs = options.roundMs ?? FLEET_ROUND_MS;
  const fastRoundMs = options.fastRoundMs ?? FLEET_FAST_ROUND_MS;
  const since = new Date(now()).toISOString();
  const ids = [...leases.keys()];
  const config = hashOf([...ids].sort());
  const limit = createLimiter(64);
  const held = new Map<string, { at: number; lastTickEnd?: number }>();
  const handing = new Map<string, { to: string; since: number }>();
  const ticking = new Set<string>();
  const retryAt = new Map<string, number>();
  let members: FleetMember[] = [];
  let view = '';
  let assignment = new Map<string, string>();
  let leaving = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  let lastError = '';

  const announce = (): FleetMember => ({ ...me, since, view, holds: held.size, config, leaving: leaving || undefined });
  // An instance started with other bridges (another bridges file, a rolling update half done) is
  // left out of the shares: it could not take the bridges given to it. The leases still keep each
  // bridge to one process.
  const liveIds = (list: readonly FleetMember[]) => list.filter((m) => !m.leaving && m.config === config).map((m) => m.instance);
  let warnedConfig = false;

  async function handOver(id: string, to: string): Promise<void> {
    if (ticking.has(id) || !held.has(id)) return;
    held.delete(id);
    handing.delete(id);
    await release(id);
    options.onChange?.(id, 'released');
    log.info({ bridge: id, to }, 'fleet: bridge handed over');
  }

  /** No tick runs for it any more (it left `held`): its last writes go out under its lease, then the lease. */
  async function release(id: string): Promise<void> {
    await options.beforeRelease?.(id).catch((error: Error) => log.warn({ bridge: id, error: error.message }, 'fleet: could not finish the bridge\'s writes before handing it over'));
    await leases.get(id)?.release().catch(() => {});
  }

  async function acquire(id: string, taken: string[]): Promise<void> {
    const lease = leases.get(id);
    if (!lease || leaving) return;
    const waited = retryAt.has(id);
    const got = await lease.acquire().catch((error: Error) => error);
    if (got instanceof Error) {
      retryAt.set(id, now() + roundMs);
      if (got.message !== lastError) log.warn({ bridge: id, error: got.message }, 'fleet: could not acquire a lease; trying again');
      lastError = got.message;
      return;
    }
    if (got.ok) {
      held.set(id, { at: now() });
      retryAt.delete(id);
      options.onChange?.(id, 'acquired', got.died ? { died: got.died } : undefined);
      if (waited) log.info({ bridge: id }, 'fleet: took over bridge');
      else taken.push(id);
      return;
    }
    // Its holder finishing a tick before handing over: ask again soon. A holder that is no
    // longer a member stopped renewing: its lease is free at its expiry, not before.
    const holderLive = members.some((m) => m.instance === got.holder.instance);
    retryAt.set(id, now() + (holderLive ? 0 : Math.min(roundMs * 2, Math.max(0, got.holder.expiresAt - now()))));
  }

  async function round(): Promise<void> {
    log.trace({ held: held.size, handing: handing.size }, 'fleet: round');
    const listed = await membership.heartbeat(announce());
    members = listed;
    const live = liveIds(listed);
    const nextView = hashOf(live);
    const strangers = listed.filter((m) => m.config !== undefined && m.config !== config);
    if (strangers.length > 0 && !warnedConfig) log.warn({ instances: strangers.map((m) => `${m.pid}@${m.host}`) }, 'fleet: instances with other bridges in this fleet are left out of the shares (the same bridges file on every instance)');
    warnedConfig = strangers.length > 0;
    if (nextView !== view) {
      view = nextView;
      assignment = assignBridges(ids, live);
      const share = ids.filter((id) => assignment.get(id) === me.instance).length;
      log.info({ members: listed.map((m) => `${m.pid}@${m.host}${m.leaving ? ' (leaving)' : ''}`), share, bridges: ids.length }, 'fleet: members changed');
    }
    for (const [id] of held) {
      const owner = assignment.get(id);
      if (owner === me.instance || owner === undefined) {
        handing.delete(id);
        continue;
      }
      const peer = listed.find((m) => m.instance === owner);
      if (!handing.has(id) && peer?.view === view) handing.set(id, { to: owner, since: now() });
    }
    for (const [id, hand] of handing) {
      const state = held.get(id);
      if (!state) continue;
      // Normally released by its next tick's end; one that has not ticked here yet, or whose tick
      // never comes (a skipped moment), goes now, between two ticks.
      const overdue = now() - hand.since > options.intervalMs(id) + 5_000;
      if (state.lastTickEnd === undefined || overdue) await handOver(id, hand.to);
    }
    if (!leaving) {
      const taken: string[] = [];
      const due = ids.filter((id) => assignment.get(id) === me.instance && !held.has(id) && (retryAt.get(id) ?? 0) <= now());
      await Promise.all(due.map((id) => limit(() => acquire(id, taken))));
      if (taken.length > 0) log.info({ count: taken.length, bridges: taken.length <= 50 ? taken : undefined }, 'fleet: took bridges');
    }
    const renewals = [...held.keys()].map((id) =>
      limit(async () => {
        const ok = await leases.get(id)?.keepAlive().catch(() => true);
        if (ok === false && held.has(id)) lost(id, 'its renewal was refused');
      }),
    );
    await Promise.all(renewals);
  }

  function lost(id: string, why: string): void {
    held.delete(id);
    handing.delete(id);
    options.onChange?.(id, 'lost');
    log.error({ bridge: id }, `fleet: lease lost (${why}); another instance runs this bridge now`);
  }

  function schedule(): void {
    if (stopped) return;
    const pending = ids.some((id) => assignment.get(id) === me.instance && !held.has(id));
    timer = setTimeout(
      () => {
        current = round()
          .catch((error: Error) => {
            if (error.message !== lastError) log.warn({ error: error.message }, 'fleet: round failed (store unreachable?); trying again');
            lastError = error.message;
          })
          .finally(schedule);
      },
      pending || handing.size > 0 ? fastRoundMs : roundMs,
    );
  }

  return {
    async start() {
      members = await membership.heartbeat(announce());
      await sleep(options.settleMs ?? 3 * roundMs);
      await round();
      schedule();
    },
    isMine: (id) => held.has(id),
    track(bridge) {
      return {
        ...bridge,
        async tick(scheduledAt, tickOptions) {
          // The worker queued this tick when the bridge was ours; it may have been handed over since.
          if (!held.has(bridge.id)) return { ok: false, closed: [], error: new LeaseLostError(`bridge ${bridge.id}: handed over before this tick started`), ms: 0 };
          ticking.add(bridge.id);
          try {
            return await bridge.tick(scheduledAt, tickOptions);
          } finally {
            ticking.delete(bridge.id);
            const state = held.get(bridge.id);
            if (state) state.lastTickEnd = now();
            const hand = handing.get(bridge.id);
            if (hand) void handOver(bridge.id, hand.to);
          }
        },
      };
    },
    leaseLost(id) {
      if (held.has(id)) lost(id, 'a write or renewal found another holder');
    },
    async leave() {
      leaving = true;
      await current;
      await membership.heartbeat(announce()).catch(() => []);
    },
    async stop() {
      leaving = true;
      stopped = true;
      clearTimeout(timer);
      await current;
      await membership.leave(me.instance).catch((error: Error) => log.warn({ error: error.message }, 'fleet: could not remove this instance (its heartbeat expires by itself)'));
      const released = [...held.keys()].filter((id) => !ticking.has(id));
      for (const id of released) held.delete(id);
      await Promise.all(released.map((id) => limit(() => release(id))));
      for (const id of released) options.onChange?.(id, 'released');
      log.info({ count: released.length }, 'fleet: released every bridge and left');
    },
    snapshot: () => ({ members, mine: [...held.keys()].sort() }),
  };
}

function hashOf(instances: readonly string[]): string {
  return createHash('sha1').update(instances.join('\n')).digest('hex').slice(0, 12);
}
