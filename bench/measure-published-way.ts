import http from 'node:http';
import { startSimProcess } from './start-sim-process.js';
import { percentile, round } from './stats.js';

export interface PublishedWayResult {
  ticks: number;
  medianMs: number;
  p95Ms: number;
  newConnectionsPerTick: number;
}

/**
 * The published Python example's tick, reproduced call for call: query the previous trade,
 * close it, then open, one after the other, each on a new TCP connection (requests.get/post
 * without a Session). Measured against the same simulator and delay as the bridge.
 */
export async function measurePublishedWay(delayMs: number, ticks: number): Promise<PublishedWayResult> {
  const sim = await startSimProcess(delayMs);
  let connections = 0;
  const call = (method: 'GET' | 'POST', path: string, params: Record<string, string | number>) =>
    request(sim.url, method, path, params, () => (connections += 1));
  const auth = { user: 'demo', api_key: 'demo-key' };
  try {
    const session = (await call('GET', '/session', auth)) as { res: { token: string } };
    const base = { ...auth, token: session.res.token, runmode: 'livetest', accountid: 'published-way' };
    let tradeId = String(((await call('POST', '/open_order', { ...base, instrument: 'BTCUSD', buysell: 'BUY', volume: 1, ordertype: 'MKT' })) as { tradeID: number }).tradeID);
    const times: number[] = [];
    const perTick: number[] = [];
    for (let i = 0; i < ticks; i += 1) {
      const opened = connections;
      const started = performance.now();
      await call('GET', '/opened_trades', { ...base, tradeID: tradeId });
      await call('POST', '/close_orders', { ...base, tradeIDs: tradeId });
      const reply = (await call('POST', '/open_order', { ...base, instrument: 'BTCUSD', buysell: i % 2 ? 'BUY' : 'SELL', volume: 1, ordertype: 'MKT' })) as { tradeID: number };
      times.push(performance.now() - started);
      perTick.push(connections - opened);
      tradeId = String(reply.tradeID);
    }
    return {
      ticks,
      medianMs: round(percentile(times, 50)),
      p95Ms: round(percentile(times, 95)),
      newConnectionsPerTick: round(perTick.reduce((a, b) => a + b, 0) / ticks, 2),
    };
  } finally {
    await sim.close();
  }
}

/** One request on a connection of its own, as requests does without a Session. */
function request(baseUrl: string, method: 'GET' | 'POST', path: string, params: Record<string, string | number>, onConnection: () => void): Promise<unknown> {
  const url = new URL(baseUrl + path);
  if (method === 'GET') for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  const body = method === 'POST' ? JSON.stringify(params) : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers: { connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text));
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('socket', (socket) => socket.once('connect', onConnection));
    req.on('error', reject);
    req.end(body);
  });
}
