import { existsSync } from 'node:fs';
import type { BridgeConfig } from '../config.js';
import type { BridgeStateDoc } from '../store/bridge-state.js';
import type { TickPlan } from './plan-tick.js';

const HOUR_MS = 3_600_000;

export interface GatedPlan {
  readonly plan: TickPlan;
  /** Why an open in the plan was withheld; the tick reports it as its failure. */
  readonly withheld?: string;
}

/**
 * The limits a user sets for real money, applied to the strategy's plan. They only ever take
 * an open away or add closes; they never add an open.
 * - halt file present: no open; with BRIDGE_HALT_FLATTEN=yes every tracked trade is closed.
 * - BRIDGE_MAX_ORDERS_PER_HOUR reached: no open (a circuit breaker); closes go on.
 */
export function applyRiskLimits(bridge: BridgeConfig, doc: BridgeStateDoc, plan: TickPlan, now: number): GatedPlan {
  if (bridge.haltFile !== undefined && existsSync(bridge.haltFile)) {
    const close = bridge.haltFlatten ? doc.trades : plan.close;
    return { plan: { close, open: null }, withheld: plan.open ? `halted by ${bridge.haltFile}: no order opened` : undefined };
  }
  if (plan.open && bridge.maxOrdersPerHour !== undefined) {
    const lastHour = recentOrders(doc, now).length;
    if (lastHour >= bridge.maxOrdersPerHour) {
      return {
        plan: { ...plan, open: null },
        withheld: `circuit breaker: ${lastHour} orders in the last hour reached BRIDGE_MAX_ORDERS_PER_HOUR ${bridge.maxOrdersPerHour}; opening nothing, closing goes on`,
      };
    }
  }
  return { plan };
}

/** Order times within the last hour; older ones are dropped from the record when it is next saved. */
export function recentOrders(doc: BridgeStateDoc, now: number): number[] {
  return doc.recentOrders.filter((t) => now - t < HOUR_MS);
}
