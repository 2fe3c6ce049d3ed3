import { describe, expect, it } from 'vitest';
import type { AlgogeneClient } from '../../src/algogene/create-client.js';
import { createBridge } from '../../src/bridge/create-bridge.js';
import { loadConfig } from '../../src/config.js';
import { createBridgeState, type BridgeState } from '../../src/store/bridge-state.js';
import { createStore } from '../../src/store/create-store.js';
import { captureLog } from '../helpers/capture-log.js';
import { lookUpClient } from '../helpers/look-up-client.js';
import { fixedStrategy, testEnv } from '../helpers/make-bridge.js';

const OPEN = { tradeId: '746805590705', side: 'BUY' as const, instrument: 'BTCUSD', price: 30_000, volume: 1, orderRef: 'sb.b1.x' };

/** A bridge on the memory store whose state counts its reads, on an account that shows no trade. */
async function countingBridge(...answers: Parameters<typeof fixedStrategy>) {
  const config = loadConfig(testEnv()).bridges[0]!;
  const store = await createStore('memory://');
  const inner = createBridgeState(store, config.id);
  let loads = 0;
  let closed = false;
  const state: BridgeState = {
    load: () => {
      loads += 1;
      return inner.load();
    },
    save: (doc) => inner.save(doc),
  };
  const client: AlgogeneClient = {
    ...lookUpClient({ openedTrades: async () => (closed ? [] : [OPEN]), pendingTrades: async () => [], strategyTrades: async () => [], queryOrder: async () => ({ state: 'unknown' }) as never }),
    openOrder: async () => ({ tradeId: '746805590705', status: 'SUCCESS' }),
    closeOrders: async () => {
      closed = true;
    },
  };
  const strategy = fixedStrategy(...answers);
  const bridge = createBridge({ config, client, state, strategy, log: captureLog().log, settleMs: 20 });
  return { bridge, strategy, loads: () => loads, state: inner };
}

describe('a scheduled tick after its prefetch', () => {
  it('starts from the state the prefetch read: the store is not read again on the way to the order', async () => {
    const b = await countingBridge(null);
    const at = new Date('2030-01-01T12:00:00.000Z');
    await b.bridge.prefetch(at);
    expect(b.loads()).toBe(1);

    const result = await b.bridge.tick(at);

    expect(result.ok).toBe(true);
    expect(b.loads()).toBe(1);
  });

  it('reads the state again when something wrote it in between: a trade closed meanwhile is not acted on again', async () => {
    const b = await countingBridge(null);
    const at = new Date('2030-01-01T12:00:00.000Z');
    await b.state.save({ ...(await b.state.load()), trades: [{ tradeId: '746805590705', orderRef: 'sb.b1.x', side: 'BUY', volume: 1, instrument: 'BTCUSD', openedAt: at.toISOString() }] });
    await b.bridge.prefetch(at);
    // The operator closes everything after the prefetch and before the moment.
    const report = await b.bridge.closeAll();
    expect(report).toMatchObject([{ tradeId: '746805590705', outcome: 'closing' }]);

    await b.bridge.tick(at);

    // The strategy is shown no trade: the close was seen, not the trade the prefetch read.
    expect(b.strategy.calls[0]?.tracked).toBeNull();
    expect(b.loads()).toBeGreaterThan(2);
  });
});
