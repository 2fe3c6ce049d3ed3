/**
 * command: processes never outlive the bridge, and never hold its stop up: the built CLI against the
 * simulator, the command writing its pids to files.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bridgeEnv, jsonLines, killStrays, makeWorkspace, ownSim, removeWorkspaces, runCli, spawnCli, tickLines } from '../e2e/helpers.js';
import { readPid, waitGone } from './helpers.js';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

/** A command that starts a child which calls setsid (leaving the process group) and lets go of stdout, then does `then`. */
const withEscapee = (dir: string, then: string) =>
  `command:echo $$ > ${dir}/main.pid; setsid sh -c 'echo $$ > ${dir}/escapee.pid; exec sleep 600' </dev/null >/dev/null 2>&1 & ${then}`;

describe.concurrent('command: no process left behind', () => {
  it('once: a child that called setsid is stopped with the command, after the tick', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 31 });
    const ws = makeWorkspace('cmd-setsid');
    const env = bridgeEnv(sim, ws, { BRIDGE_STRATEGY: withEscapee(ws.dir, `while [ ! -s ${ws.dir}/escapee.pid ]; do sleep 0.01; done; echo BUY`), BRIDGE_COMMAND_KILL_GRACE_MS: '300' });
    const r = await runCli(['once'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(tickLines(r.stdout)[0]).toMatchObject({ msg: 'tick', signal: 'BUY' });
    expect(await waitGone(await readPid(path.join(ws.dir, 'escapee.pid'))), 'the setsid child').toBe(true);
  });

  it('SIGTERM during a strategy command ends the command at once: run exits 0 long before the strategy timeout', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 32 });
    const ws = makeWorkspace('cmd-sigterm');
    const env = bridgeEnv(sim, ws, {
      BRIDGE_STRATEGY: withEscapee(ws.dir, 'exec sleep 600'),
      BRIDGE_SCHEDULE: '* * * * * *',
      BRIDGE_STRATEGY_TIMEOUT_MS: '600000',
      BRIDGE_COMMAND_KILL_GRACE_MS: '300',
    });
    // Were the command waited out, the helper would kill run after 20 s and the test would fail.
    const proc = spawnCli(['run'], { env, cwd: ws.dir, killAfterMs: 20_000 });
    const main = await readPid(path.join(ws.dir, 'main.pid'));
    const escapee = await readPid(path.join(ws.dir, 'escapee.pid'));
    proc.kill('SIGTERM');
    const r = await proc.exited;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const failed = tickLines(r.stdout).find((t) => t.msg === 'tick failed');
    expect(failed?.error).toMatch(/the bridge is stopping: the command was stopped/);
    expect(jsonLines(r.stdout).some((l) => l.msg === 'signal-bridge stopped')).toBe(true);
    expect(await waitGone(main), 'the command').toBe(true);
    expect(await waitGone(escapee), 'its setsid child').toBe(true);
  });

  it('kill -9 of run during a strategy command: the command and its setsid child die with it', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 33 });
    const ws = makeWorkspace('cmd-sigkill');
    const env = bridgeEnv(sim, ws, {
      BRIDGE_STRATEGY: withEscapee(ws.dir, 'exec sleep 600'),
      BRIDGE_SCHEDULE: '* * * * * *',
      BRIDGE_STRATEGY_TIMEOUT_MS: '600000',
      BRIDGE_COMMAND_KILL_GRACE_MS: '300',
    });
    const proc = spawnCli(['run'], { env, cwd: ws.dir, killAfterMs: 20_000 });
    const main = await readPid(path.join(ws.dir, 'main.pid'));
    const escapee = await readPid(path.join(ws.dir, 'escapee.pid'));
    proc.kill('SIGKILL');
    const r = await proc.exited;
    expect(r.signal).toBe('SIGKILL');
    expect(await waitGone(main), 'the command').toBe(true);
    expect(await waitGone(escapee), 'its setsid child').toBe(true);
  });
});
