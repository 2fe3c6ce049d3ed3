/** webhook — mounted on run's HTTP server over a real socket on 127.0.0.1; then the tick in process and the built CLI `run` with curl. */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { StrategyLoadError } from '../../src/strategy/load-strategy.js';
import { safeDecide } from '../../src/strategy/safe-decide.js';
import { StrategyError } from '../../src/strategy/strategy-error.js';
import type { FastifyInstance } from 'fastify';
import { createServer } from '../../src/http/create-server.js';
import { create, type WebhookStrategy } from '../../strategies/webhook.js';
import { freePort } from '../helpers/free-port.js';
import { bookOf, bridgeEnv, jsonLines, killStrays, liveOf, makeWorkspace, orderCalls, removeWorkspaces, spawnCli, tickLines } from '../e2e/helpers.js';
import { makeBridge } from '../helpers/make-bridge.js';
import { strategyOptions, tickContext, TRACKED } from './helpers.js';

const SECRET = 'wh-secret-3f9a1c7e5b2d4a6c8e0f';

interface Reply {
  status: number;
  body: string;
}

/** One request over a fresh connection; resolves with the status and body, whatever they are. */
function send(url: string, options: { method?: string; body?: string | Buffer; headers?: Record<string, string>; path?: string } = {}): Promise<Reply> {
  const target = new URL(options.path ?? '', url);
  return new Promise((resolve, reject) => {
    const req = request(target, { method: options.method ?? 'POST', headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const bearer = (secret = SECRET) => ({ Authorization: `Bearer ${secret}` });
const json = (value: unknown) => JSON.stringify(value);

const started: FastifyInstance[] = [];
/** The strategy with its POST /signal served by run's server (the same log), on a free port. */
async function startWebhook(settings: Record<string, string> = {}) {
  const options = strategyOptions('webhook', { BRIDGE_WEBHOOK_SECRET: SECRET, BRIDGE_POLICY: 'hold', ...settings });
  const strategy = create(options);
  const app = await createServer({ log: options.logs.log, bridges: [], signals: new Map([['b1', strategy.signalEndpoint]]) });
  started.push(app);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return { strategy, logs: options.logs, url: `${base}/signal`, app };
}

async function tick(strategy: WebhookStrategy, logs: Parameters<typeof tickContext>[0], ctx: Parameters<typeof tickContext>[1] = {}) {
  return safeDecide(strategy, tickContext(logs, ctx), { timeoutMs: 2000 }).then(
    (signal) => ({ signal, error: undefined }),
    (error: unknown) => ({ signal: undefined, error: error as StrategyError }),
  );
}

afterEach(async () => {
  for (const app of started.splice(0)) await app.close();
});

describe('webhook: configuration', () => {
  it.each([
    [{}, /BRIDGE_WEBHOOK_SECRET: required/],
    [{ BRIDGE_WEBHOOK_SECRET: '  ' }, /BRIDGE_WEBHOOK_SECRET: required/],
    [{ BRIDGE_WEBHOOK_SECRET: 'short-secret' }, /BRIDGE_WEBHOOK_SECRET: expected at least 16 characters/],
    [{ BRIDGE_WEBHOOK_SECRET: SECRET, BRIDGE_WEBHOOK_PORT: '8787' }, /BRIDGE_WEBHOOK_PORT: no longer read: POST \/signal is served by run's HTTP server; set BRIDGE_HTTP_PORT instead/],
    [{ BRIDGE_WEBHOOK_SECRET: SECRET, BRIDGE_WEBHOOK_HOST: '0.0.0.0' }, /BRIDGE_WEBHOOK_HOST: no longer read.*set BRIDGE_HTTP_HOST instead/],
    [{ BRIDGE_WEBHOOK_SECRET: SECRET, BRIDGE_SIGNAL_MAX_AGE_S: '-5' }, /BRIDGE_SIGNAL_MAX_AGE_S/],
  ])('%o is a load error naming the variable, never echoing a secret', (settings, message) => {
    let error: unknown;
    try {
      create(strategyOptions('webhook', settings));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StrategyLoadError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('short-secret');
  });

  it('POST /signal and POST /signal/<bridge id> reach the strategy; a wrong bridge id is 404', async () => {
    const { strategy, logs, url } = await startWebhook();
    expect((await send(url, { path: '/signal/b1', body: 'SELL', headers: bearer() })).status).toBe(202);
    expect((await tick(strategy, logs)).signal).toEqual({ side: 'SELL' });
    expect((await send(url, { path: '/signal/other', body: 'BUY', headers: bearer() })).status).toBe(404);
    expect((await tick(strategy, logs)).signal).toEqual({ side: 'SELL' });
    expect((await send(url, { body: 'BUY', headers: bearer() })).status).toBe(202);
    expect((await tick(strategy, logs)).signal).toEqual({ side: 'BUY' });
  });

  it('warns that reopen churns the trade while a signal is in force', () => {
    const options = strategyOptions('webhook', { BRIDGE_WEBHOOK_SECRET: SECRET });
    create(options);
    expect(options.logs.text()).toMatch(/BRIDGE_POLICY=hold keeps it/);
  });
});

describe('webhook: POST /signal', () => {
  it('401 for a missing, wrong or malformed secret; the signal is not taken', async () => {
    const { strategy, logs, url } = await startWebhook();
    const cases: Record<string, string>[] = [{}, bearer('wrong-secret-0000000000000'), bearer(`${SECRET}x`), bearer(SECRET.slice(0, -1)), { Authorization: SECRET }, { Authorization: `Basic ${SECRET}` }];
    for (const headers of cases) {
      const r = await send(url, { body: 'BUY', headers });
      expect(r.status, JSON.stringify(headers)).toBe(401);
      expect(r.body).not.toContain(SECRET);
    }
    // A body secret that is wrong; and a right body secret does not rescue a wrong header.
    expect((await send(url, { body: json({ signal: 'BUY', secret: 'not-it-0000000000000000' }) })).status).toBe(401);
    expect((await send(url, { body: json({ signal: 'BUY', secret: SECRET }), headers: bearer('wrong-secret-0000000000000') })).status).toBe(401);
    expect((await tick(strategy, logs)).signal).toEqual({ side: null });
  });

  it('400 with the reason for a body that is not a signal; the previous signal stays', async () => {
    const { strategy, logs, url } = await startWebhook({ BRIDGE_MAX_VOLUME: '10' });
    expect((await send(url, { body: 'SELL', headers: bearer() })).status).toBe(202);
    const cases: [string, RegExp][] = [
      ['maybe', /not a signal: "maybe"/],
      [json({ signal: 'HOLD' }), /not a signal: signal/],
      [json({ signal: 'BUY', volume: 0 }), /not a signal: volume/],
      [json({ signal: 'BUY', volume: 11 }), /above BRIDGE_MAX_VOLUME 10/],
      [json({ signal: 'BUY', ticker: 'BTCUSD' }), /not a signal: .*ticker/],
      ['{"signal": "BUY",', /invalid JSON/],
    ];
    for (const [body, reason] of cases) {
      const r = await send(url, { body, headers: { ...bearer(), 'Content-Type': 'application/json' } });
      expect(r.status, body).toBe(400);
      expect(JSON.parse(r.body).error).toMatch(reason);
    }
    expect(logs.find('webhook: refused a body that is not a signal')).toHaveLength(cases.length);
    expect((await tick(strategy, logs)).signal).toEqual({ side: 'SELL' });
  });

  it('413 for a body over 16 KB (declared or streamed), and the signal is not taken', async () => {
    const { strategy, logs, url } = await startWebhook();
    const big = `BUY${' '.repeat(20 * 1024)}`;
    expect((await send(url, { body: big, headers: bearer() })).status).toBe(413);
    // Chunked: no Content-Length, the limit is found while reading.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { ...bearer(), 'Transfer-Encoding': 'chunked' }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(' '.repeat(10 * 1024));
      req.end(`BUY${' '.repeat(10 * 1024)}`);
    });
    expect(chunked).toBe(413);
    // Exactly 16 KB is accepted.
    expect((await send(url, { body: `BUY${' '.repeat(16 * 1024 - 3)}`, headers: bearer() })).status).toBe(202);
    expect((await tick(strategy, logs)).signal).toEqual({ side: 'BUY' });
  });

  it('202 for the JSON signal (side, volume, takeProfit, stopLoss), plain text, and a TradingView body with its secret', async () => {
    const { strategy, logs, url } = await startWebhook();
    const r = await send(url, { body: json({ signal: 'BUY', volume: 2, takeProfit: 31000, stopLoss: 29500.5, comment: 'cross' }), headers: { ...bearer(), 'Content-Type': 'application/json' } });
    expect(r.status).toBe(202);
    expect(JSON.parse(r.body)).toEqual({ accepted: true, signal: 'BUY' });
    expect((await tick(strategy, logs)).signal).toEqual({ side: 'BUY', volume: 2, takeProfit: 31000, stopLoss: 29500.5, comment: 'cross' });

    expect((await send(url, { body: 'sell\n', headers: { ...bearer(), 'Content-Type': 'text/plain' } })).status).toBe(202);
    expect((await tick(strategy, logs)).signal).toEqual({ side: 'SELL' });

    // TradingView cannot set headers: the secret travels in the JSON message, and never reaches parseSignal.
    const tv = await send(url, { body: json({ signal: 'buy', secret: SECRET }), headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    expect(tv.status).toBe(202);
    expect((await tick(strategy, logs)).signal).toEqual({ side: 'BUY' });

    expect((await send(url, { body: 'NONE', headers: bearer() })).status).toBe(202);
    expect((await tick(strategy, logs)).signal).toEqual({ side: null });
  });

  it('404 for another path, 405 for another method', async () => {
    const { url } = await startWebhook();
    expect((await send(url, { path: '/other', body: 'BUY', headers: bearer() })).status).toBe(404);
    expect((await send(url, { method: 'GET', headers: bearer() })).status).toBe(405);
  });

  it('never logs the secret, whatever arrives', async () => {
    const { strategy, logs, url } = await startWebhook();
    await send(url, { body: 'BUY', headers: bearer('x') });
    await send(url, { body: json({ signal: 'BUY', secret: SECRET }) });
    await send(url, { body: `{"signal": "BUY", "secret": "${SECRET}",`, headers: bearer() });
    await send(url, { body: `${SECRET} BUY`, headers: bearer() });
    await send(url, { body: 'BUY', headers: bearer() });
    await tick(strategy, logs);
    await tick(strategy, logs, { time: new Date(Date.now() + 3_600_000) });
    await tick(strategy, logs, { time: new Date(Date.now() + 3_600_000), tracked: TRACKED });
    expect(logs.lines().length).toBeGreaterThan(3);
    expect(logs.text()).not.toContain(SECRET);
    expect(logs.text()).not.toContain(SECRET.slice(0, 12));
  });
});

describe('webhook: at the tick', () => {
  it('before any signal: nothing when no trade is tracked (logged), a failed tick that keeps a tracked trade', async () => {
    const { strategy, logs } = await startWebhook();
    expect((await tick(strategy, logs)).signal).toEqual({ side: null });
    expect(logs.text()).toMatch(/no webhook signal has arrived yet: answering nothing/);
    const { error } = await tick(strategy, logs, { tracked: TRACKED });
    expect(error).toBeInstanceOf(StrategyError);
    expect(error?.message).toMatch(/no webhook signal has arrived yet: keeping trade 746805590705/);
  });

  it('the latest signal stays in force at every tick until it is older than BRIDGE_SIGNAL_MAX_AGE_S', async () => {
    const { strategy, logs, url } = await startWebhook({ BRIDGE_SIGNAL_MAX_AGE_S: '60' });
    await send(url, { body: 'BUY', headers: bearer() });
    await send(url, { body: json({ signal: 'SELL', volume: 3 }), headers: bearer() });
    const now = Date.now();
    expect((await tick(strategy, logs, { time: new Date(now) })).signal).toEqual({ side: 'SELL', volume: 3 });
    expect((await tick(strategy, logs, { time: new Date(now + 30_000) })).signal).toEqual({ side: 'SELL', volume: 3 });
    const stale = new Date(now + 61_000);
    expect((await tick(strategy, logs, { time: stale })).signal).toEqual({ side: null });
    expect(logs.text()).toMatch(/the latest webhook signal \(SELL\) is 6\d\.\d s old, more than BRIDGE_SIGNAL_MAX_AGE_S=60: answering nothing/);
    const { error } = await tick(strategy, logs, { time: stale, tracked: TRACKED });
    expect(error?.message).toMatch(/more than BRIDGE_SIGNAL_MAX_AGE_S=60: keeping trade/);
  });
});

describe('webhook: through the tick against the simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ fillDelayS: 0, seed: 23 });
  });
  afterEach(() => killStrays());
  afterAll(async () => {
    await sim.close();
    removeWorkspaces();
  });

  it('an accepted signal opens the order with its fields; refused bodies and a stale signal touch nothing', async () => {
    const account = `wh-${randomUUID().slice(0, 8)}`;
    const { strategy, url } = await startWebhook({ BRIDGE_SIGNAL_MAX_AGE_S: '60' });
    const b = await makeBridge({
      strategy,
      env: { ALGOGENE_BASE_URL: sim.url, ALGOGENE_USER: 'demo', ALGOGENE_API_KEY: 'demo-key', ALGOGENE_ACCOUNT_ID: account, BRIDGE_POLICY: 'hold', BRIDGE_MAX_VOLUME: '2' },
    });
    try {
      // Nothing yet: nothing happens.
      const idle = await b.tick();
      expect(idle.ok).toBe(true);
      expect(bookOf(sim, account)).toEqual([]);

      expect((await send(url, { body: json({ signal: 'SELL', volume: 2, takeProfit: 29000, stopLoss: 31000 }), headers: bearer() })).status).toBe(202);
      const opened = await b.tick();
      expect(opened.ok, opened.error?.message).toBe(true);
      expect(bookOf(sim, account)).toEqual([expect.objectContaining({ tradeId: opened.opened, buysell: 'SELL', volume: 2, takeProfitLevel: 29000, stopLossLevel: 31000, state: 'open' })]);

      const before = orderCalls(sim);
      expect((await send(url, { body: 'maybe', headers: bearer() })).status).toBe(400);
      expect((await send(url, { body: 'BUY', headers: bearer('wrong-secret-0000000000000') })).status).toBe(401);
      const held = await b.tick();
      expect(held).toMatchObject({ ok: true, closed: [] });
      expect(held.opened).toBeUndefined();
      const stale = await b.tick(new Date(Date.now() + 120_000));
      expect(stale.ok).toBe(false);
      expect(stale.error?.message).toMatch(/keeping trade/);
      expect(orderCalls(sim)).toEqual(before);
      expect(liveOf(sim, account).map((t) => t.tradeId)).toEqual([opened.opened]);
      expect((await b.load()).trades.map((t) => t.tradeId)).toEqual([opened.opened]);
    } finally {
      await b.close();
    }
  });

  it('`run` with the webhook and BRIDGE_HTTP_PORT=0 refuses to start: exit 2 naming the variable', async () => {
    const ws = makeWorkspace('webhook-off');
    const env = bridgeEnv(sim, ws, { BRIDGE_STRATEGY: 'webhook', BRIDGE_WEBHOOK_SECRET: SECRET, BRIDGE_HTTP_PORT: '0' });
    const r = await spawnCli(['run'], { env, cwd: ws.dir }).exited;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config: BRIDGE_HTTP_PORT: 0 turns the HTTP server off, but the webhook of bridge main is served by it/);
    expect(bookOf(sim, ws.account)).toEqual([]);
  });

  it('`run` with BRIDGE_STRATEGY=webhook: a curl POST to its HTTP server publishes the order', async () => {
    const ws = makeWorkspace('webhook');
    const env = bridgeEnv(sim, ws, {
      BRIDGE_STRATEGY: 'webhook',
      BRIDGE_WEBHOOK_SECRET: SECRET,
      BRIDGE_HTTP_PORT: String(await freePort()),
      BRIDGE_POLICY: 'hold',
      BRIDGE_SCHEDULE: '* * * * * *',
      BRIDGE_MAX_VOLUME: '2',
    });
    const cli = spawnCli(['run'], { env, cwd: ws.dir });
    const serving = jsonLines(await cli.waitForStdout((out) => out.includes('http: serving'), 'the server listening')).find((l) => l.msg === 'http: serving status, metrics and actions');
    expect(serving?.webhooks).toEqual(['main']);
    const url = `${serving!.url as string}/signal`;
    const curl = await promisify(execFile)('curl', ['-sS', '-o', '-', '-w', '\n%{http_code}', '-X', 'POST', url, '-H', `Authorization: Bearer ${SECRET}`, '-H', 'Content-Type: application/json', '-d', json({ signal: 'BUY', volume: 1.5, takeProfit: 32000, stopLoss: 28000 })]);
    expect(curl.stdout.trim().split('\n').pop()).toBe('202');
    const out = await cli.waitForStdout((text) => tickLines(text).some((l) => l.opened), 'a tick that opened');
    const tick = tickLines(out).find((l) => l.opened)!;
    cli.kill('SIGTERM');
    const result = await cli.exited;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(bookOf(sim, ws.account)).toEqual([expect.objectContaining({ tradeId: tick.opened, buysell: 'BUY', volume: 1.5, takeProfitLevel: 32000, stopLossLevel: 28000, state: 'open' })]);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });
});
