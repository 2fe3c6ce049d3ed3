import type { Bridge, CloseReport } from '../bridge/create-bridge.js';
import type { Policy } from '../config.js';
import type { Logger } from '../logging/create-logger.js';
import type { BridgeLease } from '../store/bridge-lease.js';
import { InvalidSignalError, parseSignal } from '../strategy/signal.js';
import type { Strategy } from '../strategy/types.js';
import { ActionRefusedError } from './action-refused-error.js';

export interface BridgeControl {
  /** The bridges (and their leases) the actions act on, once the runtime has opened them. */
  attach(bridges: readonly Bridge[], leases: ReadonlyMap<string, BridgeLease>, log: Logger): void;
  /** The bridge as the worker should see it: its ticks take turns with the actions below. */
  serialise(bridge: Bridge): Bridge;
  /** Flattens now: closeAll, after any running tick, with the lease still ours. */
  close(bridgeId: string, options?: { adoptOrphans?: boolean }): Promise<CloseReport>;
  /** No opens until resume(); closes the strategy asks for go on. Does not flatten (close does). */
  halt(bridgeId: string): void;
  resume(bridgeId: string): void;
  isHalted(bridgeId: string): boolean;
  /** Wraps a bridge's strategy so that, while halted, a signal that would open becomes NONE. */
  gate(bridgeId: string, policy: Policy, strategy: Strategy): Strategy;
}

/**
 * The actions of `run`'s API on its bridges. Each bridge has one queue: a tick and a close never
 * run at once, so the close acts on the state the last tick left and the next tick on what the
 * close left. Halts live in this process: a restart resumes (BRIDGE_HALT_FILE is the halt that
 * survives one).
 */
export function createBridgeControl(): BridgeControl {
  const queues = new Map<string, Promise<unknown>>();
  const halted = new Set<string>();
  let byId = new Map<string, Bridge>();
  let leases: ReadonlyMap<string, BridgeLease> = new Map();
  let log: Logger | undefined;

  function inTurn<T>(bridgeId: string, task: () => Promise<T>): Promise<T> {
    const previous = queues.get(bridgeId) ?? Promise.resolve();
    const next = previous.then(task, task);
    queues.set(bridgeId, next.catch(() => undefined));
    return next;
  }

  const known = (bridgeId: string): Bridge => {
    const bridge = byId.get(bridgeId);
    if (!bridge) throw new ActionRefusedError(404, `no bridge ${bridgeId}`);
    return bridge;
  };

  return {
    attach(bridges, held, logger) {
      byId = new Map(bridges.map((b) => [b.id, b]));
      leases = held;
      log = logger;
    },
    serialise(bridge) {
      return { ...bridge, tick: (scheduledAt, options) => inTurn(bridge.id, () => bridge.tick(scheduledAt, options)) };
    },
    close(bridgeId, options = {}) {
      const bridge = known(bridgeId);
      return inTurn(bridgeId, async () => {
        const lease = leases.get(bridgeId);
        if (lease && !(await lease.renew().catch(() => false))) {
          throw new ActionRefusedError(409, `bridge ${bridgeId}: this process no longer holds its lease; nothing closed`);
        }
        log?.warn({ bridge: bridgeId }, 'close requested through the API: closing every tracked trade');
        return bridge.closeAll(options);
      });
    },
    halt(bridgeId) {
      known(bridgeId);
      if (!halted.has(bridgeId)) log?.warn({ bridge: bridgeId }, 'halted through the API: no order opens until resumed');
      halted.add(bridgeId);
    },
    resume(bridgeId) {
      known(bridgeId);
      if (halted.delete(bridgeId)) log?.warn({ bridge: bridgeId }, 'resumed through the API');
    },
    isHalted: (bridgeId) => halted.has(bridgeId),
    gate(bridgeId, policy, strategy) {
      return {
        ...strategy,
        name: strategy.name,
        async decide(ctx) {
          const answer = await strategy.decide(ctx);
          if (!halted.has(bridgeId)) return answer;
          let side;
          try {
            side = parseSignal(answer).side;
          } catch (error) {
            if (error instanceof InvalidSignalError) return answer;
            throw error;
          }
          // What the plan would keep (hold on the same side) or only close stays as it is; an
          // event-driven strategy always holds (see createBridge).
          const holds = policy === 'hold' || strategy.onSignal !== undefined;
          if (side === null || (holds && ctx.tracked?.side === side)) return answer;
          ctx.log.warn({ signal: side }, 'halted: the strategy asked to open; nothing is opened (closes go on) until resumed');
          return { signal: 'NONE', comment: 'halted' };
        },
      };
    },
  };
}
