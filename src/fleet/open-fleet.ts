import type { Bridge } from '../bridge/create-bridge.js';
import { scheduleIntervalMs } from '../bridge/schedule-interval.js';
import { ConfigError } from '../config-error.js';
import type { Logger } from '../logging/create-logger.js';
import type { BridgeLease } from '../store/bridge-lease.js';
import type { Store } from '../store/create-store.js';
import { createFleet, FLEET_MEMBER_TTL_MS, type Fleet, type FleetOptions } from './create-fleet.js';
import { createFleetMembership } from './fleet-membership.js';

export interface OpenFleetOptions {
  readonly name: string;
  readonly store: Store;
  readonly bridges: readonly Bridge[];
  readonly leases: ReadonlyMap<string, BridgeLease>;
  readonly me: { readonly instance: string; readonly host: string; readonly pid: number };
  readonly log: Logger;
  readonly onChange?: FleetOptions['onChange'];
  readonly beforeRelease?: FleetOptions['beforeRelease'];
}

/** The fleet of `run --fleet` on the store's Redis: membership needs keys that expire on the server's clock. */
export function openFleet(options: OpenFleetOptions): Fleet {
  const { store } = options;
  if (store.backend.kind !== 'redis') {
    throw new ConfigError([`BRIDGE_FLEET: fleet mode needs a Redis store shared by every instance (BRIDGE_STORE=redis://…), not ${store.kind}`]);
  }
  const redis = store.backend;
  const membership = createFleetMembership({ client: redis.client, fleet: options.name, ttlMs: FLEET_MEMBER_TTL_MS });
  const bySchedule = new Map<string, number>();
  const intervals = new Map<string, number>();
  for (const b of options.bridges) {
    if (!bySchedule.has(b.config.schedule)) bySchedule.set(b.config.schedule, scheduleIntervalMs(b.config.schedule));
    intervals.set(b.id, bySchedule.get(b.config.schedule) as number);
  }
  return createFleet({
    membership,
    me: options.me,
    leases: options.leases,
    intervalMs: (id) => intervals.get(id) ?? 60_000,
    log: options.log.child({ module: 'fleet', fleet: options.name }),
    onChange: options.onChange,
    beforeRelease: options.beforeRelease,
  });
}
