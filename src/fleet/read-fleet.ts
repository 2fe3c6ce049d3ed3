import { leaseKey, parseHolder } from '../store/bridge-lease.js';
import type { Store } from '../store/create-store.js';
import { FLEET_MEMBER_TTL_MS } from './create-fleet.js';
import { createFleetMembership, type FleetMember } from './fleet-membership.js';

/** Who runs a bridge now: the live holder of its lease. */
export interface BridgeRunner {
  readonly host: string;
  readonly pid: number;
  readonly instance: string;
  readonly since: string;
}

export interface FleetView {
  /** The fleet's live members; undefined when no fleet is configured or the store cannot hold one. */
  readonly members?: readonly FleetMember[];
  /** Per bridge, the instance whose lease is live now, or null when none runs it. */
  readonly runners: ReadonlyMap<string, BridgeRunner | null>;
}

/**
 * For `status` (and the control surface): read-only, takes no lease. The lease record is the
 * truth of who runs a bridge; an expired one (or one released) means nobody does now.
 */
export async function readFleet(store: Store, bridgeIds: readonly string[], fleet: string | undefined, now = Date.now()): Promise<FleetView> {
  const runners = new Map<string, BridgeRunner | null>();
  await Promise.all(
    bridgeIds.map(async (id) => {
      const text = await store.cells.get(leaseKey(id));
      const holder = text === undefined ? undefined : parseHolder(text);
      runners.set(id, holder && holder.expiresAt > now ? { host: holder.host, pid: holder.pid, instance: holder.instance, since: holder.since } : null);
    }),
  );
  if (fleet === undefined || store.backend.kind !== 'redis') return { runners };
  const redis = store.backend;
  const membership = createFleetMembership({ client: redis.client, fleet, ttlMs: FLEET_MEMBER_TTL_MS });
  return { members: await membership.list(), runners };
}
