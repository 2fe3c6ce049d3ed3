/** Shared helpers for the simulator tests: plain fetch against a real socket. */
import { type Simulator, startSimulator, type StartOptions } from '../../src/sim/index.js';

export const DEMO = { user: 'demo', api_key: 'demo-key' } as const;

export interface JsonReply {
  status: number;
  headers: Headers;
  text: string;
  // The simulator's replies are loosely shaped JSON; tests assert on them field by field.
  body: any;
}

async function toReply(res: Response): Promise<JsonReply> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

export async function get(sim: Simulator, path: string, params: Record<string, unknown> = {}): Promise<JsonReply> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) qs.set(k, String(v));
  return toReply(await fetch(`${sim.url}${path}?${qs}`));
}

export async function post(sim: Simulator, path: string, body: unknown): Promise<JsonReply> {
  return toReply(await fetch(`${sim.url}${path}`, { method: 'POST', body: JSON.stringify(body) }));
}

export async function login(sim: Simulator, creds: { user: string; api_key: string } = DEMO): Promise<string> {
  const r = await get(sim, '/session', creds);
  if (r.status !== 200) throw new Error(`session failed: ${r.status} ${r.text}`);
  return r.body.res.token as string;
}

/** The common trading parameters: credentials, token and book. */
export function acct(token: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...DEMO, token, runmode: 'livetest', accountid: 'acc-1', ...extra };
}

export function order(token: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return acct(token, { instrument: 'BTCUSD', buysell: 'BUY', volume: 1, ordertype: 'MKT', orderRef: '', ...extra });
}

export async function openOrder(sim: Simulator, token: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await post(sim, '/open_order', order(token, extra));
  if (r.status !== 200) throw new Error(`open_order failed: ${r.status} ${r.text}`);
  return String(r.body.tradeID);
}

/** Retries `probe` until it returns a value other than undefined; fails after `timeoutMs`. */
export async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('poll: condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Starts a simulator for each test and closes it afterwards. */
export function useSim(hooks: { beforeEach: (fn: () => Promise<void>) => void; afterEach: (fn: () => Promise<void>) => void }, opts: StartOptions = {}) {
  const ref: { sim: Simulator } = { sim: undefined as unknown as Simulator };
  hooks.beforeEach(async () => {
    ref.sim = await startSimulator(opts);
  });
  hooks.afterEach(async () => {
    await ref.sim.close();
  });
  return ref;
}

export const UTC_US = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;

/** Parses the API's `YYYY-MM-DD HH:MM:SS.ffffff` (UTC) to epoch ms. */
export function parseUtcUs(s: string): number {
  return Date.parse(s.replace(' ', 'T').slice(0, 23) + 'Z');
}
