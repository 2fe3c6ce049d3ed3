import type { AlgogeneClient } from '../../src/algogene/create-client.js';

/** The look-ups a test scripts; every other call of the client fails the test that makes it. */
export type LookUps = Pick<AlgogeneClient, 'openedTrades' | 'pendingTrades' | 'strategyTrades' | 'queryOrder'>;

/** A client that answers only the scripted look-ups (and is its own sheddable client). */
export function lookUpClient<T extends LookUps>(lookUps: T): AlgogeneClient & T {
  const unused = () => Promise.reject(new Error('not expected in this test'));
  const client: AlgogeneClient & T = {
    openOrder: unused,
    closeOrders: unused,
    closeByOrderRef: unused,
    cancelOrders: unused,
    accounts: unused,
    listInstruments: unused,
    metaInstrument: unused,
    history: unused,
    realtime: unused,
    sheddable: () => client,
    ...lookUps,
  };
  return client;
}
