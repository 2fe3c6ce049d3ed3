/** The built CLI's `run` serving HTTP against the simulator: actions while it ticks, `close` and `status` asking it. */
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { bookOf, bridgeEnv, jsonLines, killStrays, liveOf, makeWorkspace, ownSim, removeWorkspaces, runCli, spawnCli, tickLines, type CliProcess } from '../e2e/helpers.js';
import { freePort } from '../helpers/free-port.js';

const TOKEN = 'run-http-token-0a9b8c7d6e5f4a3b';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

async function served(daemon: CliProcess): Promise<string> {
  const out = await daemon.waitForStdout((text) => text.includes('http: serving'), 'the server listening');
  return jsonLines(out).find((l) => l.msg === 'http: serving status, metrics and actions')!.url as string;
}

const ticksSoFar = (daemon: CliProcess) => tickLines(daemon.stdout()).length;
const moreTicks = (daemon: CliProcess, after: number, n: number) => daemon.waitForStdout((out) => tickLines(out).length >= after + n, `${n} more ticks`);

describe.concurrent('run serves HTTP', () => {
  it('a close through the API closes the trade on the simulator while run keeps ticking; halt keeps it flat, resume trades again', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 51 });
    const ws = makeWorkspace('http-actions');
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_POLICY: 'hold', BRIDGE_SCHEDULE: '* * * * * *', BRIDGE_HTTP_PORT: String(await freePort()), BRIDGE_HTTP_TOKEN: TOKEN });
    const daemon = spawnCli(['run'], { env, cwd: ws.dir, killAfterMs: 60_000 });
    const url = await served(daemon);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const opened = tickLines(await daemon.waitForStdout((out) => tickLines(out).some((l) => l.opened), 'a tick that opened')).find((l) => l.opened)!.opened as string;

    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/api/bridges/main/close`, { method: 'POST' })).status).toBe(401);
    expect(liveOf(sim, ws.account).map((t) => t.tradeId)).toEqual([opened]);

    expect(await (await fetch(`${url}/api/bridges/main/halt`, { method: 'POST', headers: auth })).json()).toEqual({ bridge: 'main', halted: true });
    const close = await fetch(`${url}/api/bridges/main/close`, { method: 'POST', headers: auth });
    expect(close.status).toBe(200);
    expect(await close.json()).toEqual({ bridge: 'main', ok: true, results: [{ tradeId: opened, outcome: 'closed' }] });
    expect(liveOf(sim, ws.account)).toEqual([]);

    // run ticks on, halted: flat, its lease held.
    await moreTicks(daemon, ticksSoFar(daemon), 2);
    expect(daemon.child.exitCode).toBeNull();
    expect(liveOf(sim, ws.account)).toEqual([]);
    const view = (await (await fetch(`${url}/api/bridges/main`)).json()) as { halted: boolean; lease: { held: boolean } };
    expect(view).toMatchObject({ halted: true, lease: { held: true } });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    await fetch(`${url}/api/bridges/main/resume`, { method: 'POST', headers: auth });
    const before = ticksSoFar(daemon);
    await daemon.waitForStdout((out) => tickLines(out).slice(before).some((l) => l.opened), 'a tick that opened after resume');
    expect(liveOf(sim, ws.account)).toHaveLength(1);

    daemon.kill('SIGTERM');
    const r = await daemon.exited;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('`signal-bridge close` while run holds the bridge asks run: exit 0, the trade closed once, run still running and holding its lease; `status` shows its view', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 52 });
    const ws = makeWorkspace('http-cli-close');
    // No BRIDGE_HTTP_TOKEN: the daemon makes one up and tells this host's CLI through the store.
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_POLICY: 'hold', BRIDGE_SCHEDULE: '*/2 * * * * *', BRIDGE_HTTP_PORT: String(await freePort()) });
    const daemon = spawnCli(['run'], { env, cwd: ws.dir, killAfterMs: 60_000 });
    const url = await served(daemon);
    const opened = tickLines(await daemon.waitForStdout((out) => tickLines(out).some((l) => l.opened), 'a tick that opened')).find((l) => l.opened)!.opened as string;

    const close = await runCli(['close'], { env, cwd: ws.dir });
    expect(close.code, close.stdout + close.stderr).toBe(0);
    expect(close.stdout).toContain(`bridge main: asked the running daemon (pid ${daemon.child.pid}, ${url})`);
    expect(close.stdout).toContain(`bridge main: trade ${opened} closed`);
    const trade = bookOf(sim, ws.account).find((t) => t.tradeId === opened)!;
    expect(trade).toMatchObject({ state: 'closed', closeRequests: 1 });

    expect(daemon.child.exitCode).toBeNull();
    const view = (await (await fetch(`${url}/api/bridges/main`)).json()) as { lease: { held: boolean; holder: { pid: number } } };
    expect(view.lease).toMatchObject({ held: true, holder: { pid: daemon.child.pid } });
    await moreTicks(daemon, ticksSoFar(daemon), 1);
    expect(daemon.child.exitCode).toBeNull();

    const status = await runCli(['status'], { env, cwd: ws.dir });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`daemon: pid ${daemon.child.pid} on .*, serving ${url.replace(/\./g, '\\.')}`));
    expect(status.stdout).toMatch(/  bridge main: lease held, last tick .* ok BUY/);

    daemon.kill('SIGTERM');
    const r = await daemon.exited;
    expect(r.code, r.stderr).toBe(0);
  });

  it('refuses to start: a non-loopback bind without BRIDGE_HTTP_TOKEN, a port in use (exit 2 naming the variable)', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 53 });
    const ws = makeWorkspace('http-refused');
    const open = await runCli(['run'], { env: bridgeEnv(sim, ws, { BRIDGE_HTTP_HOST: '0.0.0.0', BRIDGE_HTTP_PORT: '8787' }), cwd: ws.dir });
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/config: BRIDGE_HTTP_TOKEN: required when BRIDGE_HTTP_HOST=0\.0\.0\.0 is not a loopback address/);

    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    try {
      const port = (busy.address() as { port: number }).port;
      const inUse = await runCli(['run'], { env: bridgeEnv(sim, ws, { BRIDGE_HTTP_PORT: String(port), BRIDGE_TEST_SIGNAL: 'BUY' }), cwd: ws.dir });
      expect(inUse.code).toBe(2);
      expect(inUse.stderr).toContain(`config: BRIDGE_HTTP_PORT: cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
      expect(bookOf(sim, ws.account)).toEqual([]);
    } finally {
      busy.close();
    }
  });
});
