/**
 * The lease TTL of a bridge in fleet mode, whatever its schedule. A bridge whose instance dies
 * (kill -9) is free again this long after its last renewal, so it bounds the gap in its ticks.
 * Not shorter: an order, close or cancel goes out only with at least 10 s of lease left (the lease
 * guard's LEASE_MARGIN_MS), and the rebalancer renews a lease once a third of the TTL has passed,
 * so 15 s = that 10 s margin plus one
 * renewal period (5 s) that a slow store round trip or a GC pause may eat. Not longer: a schedule
 * of 16 s or more then loses no moment to a dead instance, and a seconds schedule loses ~16.
 */
export const FLEET_LEASE_TTL_MS = 15_000;
