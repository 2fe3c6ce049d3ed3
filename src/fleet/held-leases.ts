import type { BridgeLease } from '../store/bridge-lease.js';

/**
 * The leases this fleet instance holds now, as a live view over all of them: what readiness and
 * metrics should look at in fleet mode, where a lease this instance does not hold is another
 * instance's business, not a problem of this one.
 */
export function heldLeases(leases: ReadonlyMap<string, BridgeLease>, isMine: (bridgeId: string) => boolean): ReadonlyMap<string, BridgeLease> {
  const now = () => new Map([...leases].filter(([id]) => isMine(id)));
  return {
    get: (id) => (isMine(id) ? leases.get(id) : undefined),
    has: (id) => isMine(id) && leases.has(id),
    get size() {
      return now().size;
    },
    forEach(callback, thisArg) {
      const map = now();
      map.forEach((lease, id) => callback.call(thisArg, lease, id, map));
    },
    entries: () => now().entries(),
    keys: () => now().keys(),
    values: () => now().values(),
    [Symbol.iterator]: () => now()[Symbol.iterator](),
  };
}
