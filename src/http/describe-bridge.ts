import type { Bridge } from '../bridge/create-bridge.js';
import type { BridgeControl } from './bridge-control.js';
import type { TickHistory, TickRecord } from './tick-history.js';
import type { BridgeTrades } from './trade-watch.js';
import type { BridgeLease } from '../store/bridge-lease.js';
import type { BridgeRunner } from '../fleet/read-fleet.js';

/** The journal's last entries of a bridge, once src/journal provides them. */
export type JournalProvider = (bridgeId: string, limit: number) => Promise<readonly unknown[]>;

export interface BridgeSummary {
  readonly id: string;
  readonly mode: string;
  readonly instrument: string;
  readonly strategy: string;
  readonly policy: string;
  readonly schedule: string;
  readonly halted: boolean;
  readonly lease: { readonly held: boolean; readonly standby?: boolean; readonly validForMs: number | null; readonly holder?: { readonly pid: number; readonly host: string } };
  readonly lastTick: TickRecord | null;
  readonly failingStreak: number;
  readonly trades: BridgeTrades;
  /** In a fleet: the instance whose lease is live now (this one or another), null when none runs it. */
  readonly runBy?: BridgeRunner | null;
}

export interface SummarySources {
  readonly history: TickHistory;
  readonly control: BridgeControl;
  readonly leases: ReadonlyMap<string, BridgeLease>;
  readonly me: { readonly pid: number; readonly host: string };
  readonly runsHere?: (bridgeId: string) => boolean;
}

/** What /api/bridges says of one bridge: its settings, the last tick, the trades as last seen, the lease, and in a fleet who runs it. */
export function summarise(bridge: Bridge, trades: BridgeTrades, sources: SummarySources, runners?: ReadonlyMap<string, BridgeRunner | null>): BridgeSummary {
  const { config } = bridge;
  const lease = sources.leases.get(bridge.id);
  const validForMs = lease ? lease.validForMs() : 0;
  return {
    id: bridge.id,
    mode: config.mode,
    instrument: config.instrument,
    strategy: config.strategy,
    policy: config.policy,
    schedule: config.schedule,
    halted: sources.control.isHalted(bridge.id),
    // Without a lease (a dry run) nothing is fenced: this process is the only writer it knows of.
    lease: lease
      ? { held: validForMs > 0, standby: sources.runsHere && !sources.runsHere(bridge.id) ? true : undefined, validForMs, holder: validForMs > 0 ? sources.me : undefined }
      : { held: true, validForMs: null },
    lastTick: sources.history.last(bridge.id) ?? null,
    failingStreak: sources.history.failingStreak(bridge.id),
    trades,
    ...(runners ? { runBy: runners.get(bridge.id) ?? null } : {}),
  };
}
