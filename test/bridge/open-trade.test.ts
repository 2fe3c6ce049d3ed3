import { describe, expect, it } from 'vitest';
import type { AlgogeneClient } from '../../src/algogene/create-client.js';
import type { BridgeEvents } from '../../src/journal/bridge-events.js';
import type { JournalEvent } from '../../src/journal/events.js';
import { openTrade } from '../../src/bridge/open-trade.js';
import { emptyState, type BridgeStateDoc } from '../../src/store/bridge-state.js';
import { captureLog } from '../helpers/capture-log.js';
import { lookUpClient } from '../helpers/look-up-client.js';
import { loadConfig } from '../../src/config.js';
import { testEnv } from '../helpers/make-bridge.js';

describe('openTrade', () => {
  it('measures the latency to the acknowledgement: the state write after it is not on the order path', async () => {
    let clock = 1_000_000;
    const tickAt = new Date(clock);
    const unusedLookUp = () => Promise.reject(new Error('not expected in this test'));
    const client: AlgogeneClient = {
      ...lookUpClient({ openedTrades: unusedLookUp, pendingTrades: unusedLookUp, strategyTrades: unusedLookUp, queryOrder: unusedLookUp }),
      openOrder: async () => {
        clock += 50; // the round trip
        return { tradeId: '746805590705', status: 'SUCCESS' };
      },
    };
    const saves: BridgeStateDoc[] = [];
    const state = {
      load: async () => emptyState(),
      save: async (doc: BridgeStateDoc) => {
        saves.push(doc);
        // The write after the acknowledgement is slow: a store far away.
        if (doc.trades.length > 0) clock += 300;
      },
    };
    const recorded: JournalEvent[] = [];
    const events: BridgeEvents = { record: (event) => recorded.push(event), tickOk() {} };

    const result = await openTrade(
      { client, state, log: captureLog().log, bridge: loadConfig(testEnv()).bridges[0]!, settleMs: 15_000, events },
      emptyState(),
      'BUY',
      { side: 'BUY' },
      tickAt,
      () => clock,
    );

    expect(result).toMatchObject({ tradeId: '746805590705', ackedAt: tickAt.getTime() + 50 });
    expect(saves.at(-1)?.trades).toMatchObject([{ tradeId: '746805590705', side: 'BUY' }]);
    expect(recorded.find((e) => e.type === 'open')).toMatchObject({ tradeId: '746805590705', latencyMs: 50 });
  });
});
