import type { AlgogeneClient } from '../algogene/create-client.js';
import type { Logger } from '../logging/create-logger.js';
import type { BridgeLease } from '../store/bridge-lease.js';
import type { BridgeState } from '../store/bridge-state.js';
import { FenceError } from '../store/fence-error.js';
import { StoreError } from '../store/store-error.js';
import { StoreForgotError } from '../store/store-forgot-error.js';
import { LeaseLostError } from './lease-lost-error.js';
import { StoreUnreachableError } from './store-unreachable-error.js';

/** A lease with less time than this left is renewed before anything acts on it (TTLs are at least 30 s). */
export const LEASE_MARGIN_MS = 10_000;

/**
 * What the bridge knows of its lease and its store, and the rules that follow:
 * - lost (a renewal found another holder, or a fenced write was refused): the bridge stops for good;
 * - store unreachable: not a take-over; nothing is sent until the store answers and the lease is ours again;
 * - store forgot (the lease record vanished): nothing is sent until the bridge rebuilt its record from the server.
 */
export interface LeaseGuard {
  /** Throws LeaseLostError/FenceError (stop), StoreUnreachableError (wait) or StoreForgotError (rebuild) unless the lease is ours for a while yet. */
  ensure(): Promise<void>;
  /** The prefetch's renewal: never rejects, records what it learns. */
  renewAhead(): Promise<void>;
  /** Why the bridge stopped for good, if it did. */
  lost(): Error | undefined;
  forgotten(): boolean;
  /** After a rebuild: take the lease again (a new epoch) or learn that another process has it. */
  retake(): Promise<void>;
  /** The state, with each outcome of each read and write recorded. */
  watchState(state: BridgeState): BridgeState;
  /** The client, with every order, close and cancel sent only while the lease is ours. */
  watchClient(client: AlgogeneClient): AlgogeneClient;
}

export function createLeaseGuard(lease: BridgeLease | undefined, log: Logger, now: () => number = Date.now): LeaseGuard {
  let lost: Error | undefined;
  /** The epoch we held when we lost: a fleet may take the same lease again later (a new epoch). */
  let lostEpoch: number | undefined;
  let forgot = false;
  let unreachableSince: number | undefined;

  const loseTo = (error: Error) => {
    if (lost) return lost;
    lost = error;
    lostEpoch = lease?.fence()?.epoch;
    log.error({ error: error.message }, 'lease lost: this process stops acting for this bridge');
    return error;
  };
  const reachable = () => {
    if (unreachableSince === undefined) return;
    log.warn({ downMs: now() - unreachableSince }, `store reachable again (unreachable since ${new Date(unreachableSince).toISOString()}); trading resumes`);
    unreachableSince = undefined;
  };
  const record = (error: unknown): unknown => {
    if (error instanceof FenceError) return loseTo(error);
    if (error instanceof StoreForgotError) {
      if (!forgot) log.error({ error: error.message }, 'the store lost its data: not trading until this bridge is rebuilt from the server');
      forgot = true;
    } else if (error instanceof StoreUnreachableError || (error instanceof StoreError && error.cause !== undefined)) {
      // A store that failed to answer (a damaged record, without a cause, is no outage).
      if (unreachableSince === undefined) {
        unreachableSince = now();
        log.error({ error: (error as Error).message }, `store unreachable since ${new Date(unreachableSince).toISOString()}; not trading until it is back`);
      }
    }
    return error;
  };
  const blocked = (): Error | undefined => {
    const held = lease?.fence();
    if (lost && held && held.epoch !== lostEpoch) {
      // Acquired again since (a fleet moved the bridge back here): a new tenure, not the lost one.
      lost = undefined;
      forgot = false;
    }
    if (lost) return lost;
    if (forgot) return new StoreForgotError('the store lost its data: this bridge is rebuilt from the server before it trades again');
    return undefined;
  };

  async function renew(): Promise<void> {
    if (!lease) return;
    let ok: boolean;
    try {
      ok = await lease.renew();
    } catch (error) {
      if (error instanceof StoreForgotError) throw record(error);
      throw record(new StoreUnreachableError(`store unreachable${unreachableSince === undefined ? '' : ` since ${new Date(unreachableSince).toISOString()}`}: ${(error as Error).message}; not trading until it is back`));
    }
    if (!ok) throw loseTo(new LeaseLostError('another process took over this bridge (lease lost); this process stops acting for it'));
    reachable();
  }

  const guard: LeaseGuard = {
    async ensure() {
      const stop = blocked();
      if (stop) throw stop;
      // Known unreachable: ask again (the renewal is the probe) before anything acts.
      if (lease && (unreachableSince !== undefined || lease.validForMs() < LEASE_MARGIN_MS)) await renew();
    },
    renewAhead() {
      return blocked() ? Promise.resolve() : renew().catch(() => {});
    },
    lost: () => lost,
    forgotten: () => forgot && !lost,
    async retake() {
      if (!lease) {
        forgot = false;
        return;
      }
      const got = await lease.acquire().catch((error: Error) => {
        throw record(new StoreUnreachableError(`store unreachable: ${error.message}`));
      });
      if (!got.ok) throw loseTo(new LeaseLostError(`another process (${got.holder.pid}@${got.holder.host}) took this bridge while the store was rebuilt; this process stops acting for it`));
      reachable();
      forgot = false;
    },
    watchState(state) {
      const watched = async <T>(work: () => Promise<T>): Promise<T> => {
        try {
          const value = await work();
          reachable();
          return value;
        } catch (error) {
          throw record(error);
        }
      };
      return {
        load: () => watched(() => state.load()),
        save: (doc) => {
          const stop = blocked();
          return stop ? Promise.reject(stop) : watched(() => state.save(doc));
        },
      };
    },
    watchClient(client) {
      // Late-bound (a Proxy, not a copy): each call reaches the client's method as it is now.
      const fenced: Partial<AlgogeneClient> = {
        openOrder: async (order) => {
          await guard.ensure();
          return client.openOrder(order);
        },
        closeOrders: async (ids) => {
          await guard.ensure();
          return client.closeOrders(ids);
        },
        cancelOrders: async (ids) => {
          await guard.ensure();
          return client.cancelOrders(ids);
        },
      };
      return new Proxy(client, { get: (target, name, receiver) => (name in fenced ? fenced[name as keyof AlgogeneClient] : Reflect.get(target, name, receiver)) });
    },
  };
  return guard;
}
