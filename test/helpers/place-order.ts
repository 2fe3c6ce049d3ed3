/**
 * An order placed on the simulator by someone else than the bridge under test (by hand on the website, by another
 * copy of the bridge, by a process whose store was lost): straight against its REST API with fetch.
 */
import type { Simulator } from '../../src/sim/index.js';

export interface PlaceOrder {
  account: string;
  orderRef: string;
  side?: 'BUY' | 'SELL';
  volume?: number;
  instrument?: string;
  runmode?: string;
  user?: string;
  apiKey?: string;
}

/** Returns the new trade ID. */
export async function placeOrder(sim: Simulator, order: PlaceOrder): Promise<string> {
  const user = order.user ?? 'demo';
  const apiKey = order.apiKey ?? 'demo-key';
  const session = (await (await fetch(`${sim.url}/session?user=${encodeURIComponent(user)}&api_key=${encodeURIComponent(apiKey)}`)).json()) as { res: { token: string } };
  const reply = await fetch(`${sim.url}/open_order`, {
    method: 'POST',
    body: JSON.stringify({
      user,
      api_key: apiKey,
      token: session.res.token,
      runmode: order.runmode ?? 'livetest',
      accountid: order.account,
      instrument: order.instrument ?? 'BTCUSD',
      buysell: order.side ?? 'BUY',
      volume: order.volume ?? 1,
      ordertype: 'MKT',
      orderRef: order.orderRef,
    }),
  });
  const body = (await reply.json()) as { tradeID?: number; res?: string };
  if (reply.status !== 200 || body.tradeID === undefined) throw new Error(`open_order refused: ${reply.status} ${body.res}`);
  return String(body.tradeID);
}
