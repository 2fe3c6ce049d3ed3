/**
 * Each mistake a user can make in the configuration, made through the built CLI: exit 2, one line naming the thing
 * and the fix, no stack trace, and not one request to the simulator.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { bridgeEnv, type CliResult, type Env, FIXED_SIGNAL, killStrays, makeWorkspace, ownSim, removeWorkspaces, runCli } from './helpers.js';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

/** Runs `args` and asserts a configuration refusal: exit 2, the message, no stack trace, no request to `sim`. */
async function refused(sim: Simulator, args: string[], env: Env, cwd: string, message: RegExp): Promise<CliResult> {
  const before = sim.requests().total;
  const r = await runCli(args, { env, cwd, killAfterMs: 20_000 });
  expect(r.code, r.stdout + r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at |Error: |node:internal/m);
  expect(sim.requests().total, 'requests that reached the simulator').toBe(before);
  return r;
}

describe.concurrent('no trading defaults', () => {
  it.for(['run', 'once', 'check'])('%s without BRIDGE_STRATEGY or BRIDGE_INSTRUMENT: exit 2 naming each', async (command, ctx) => {
    const sim = await ownSim(ctx);
    const ws = makeWorkspace('no-defaults');
    const env = bridgeEnv(sim, ws, { BRIDGE_STRATEGY: undefined, BRIDGE_INSTRUMENT: undefined, BRIDGE_TEST_SIGNAL: undefined });
    const r = await refused(sim, [command], env, ws.dir, /^config: BRIDGE_STRATEGY: required/m);
    expect(r.stderr).toMatch(/^config: BRIDGE_INSTRUMENT: required, expected an instrument such as BTCUSD$/m);
    // No .env in the working directory: said, with the fix.
    expect(r.stderr).toMatch(/^config: \.env: no \.env file in .*: copy \.env\.example to \.env/m);
  });

  it('status and close need neither: they act on what the store tracks', async (ctx) => {
    const sim = await ownSim(ctx);
    const ws = makeWorkspace('inspect');
    const env = bridgeEnv(sim, ws, { BRIDGE_STRATEGY: undefined, BRIDGE_INSTRUMENT: undefined, BRIDGE_TEST_SIGNAL: undefined });
    for (const command of ['status', 'close']) {
      const r = await runCli([command], { env, cwd: ws.dir });
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
  });
});

describe.concurrent('unknown variables and strict values', () => {
  it.for([
    ['BRIDGE_VOLUMNE', '5', /^config: BRIDGE_VOLUMNE: unknown variable; did you mean BRIDGE_VOLUME\?$/m],
    ['BRIDGE_STRATGY', 'sma-cross', /^config: BRIDGE_STRATGY: unknown variable; did you mean BRIDGE_STRATEGY\?$/m],
    ['BRIDGE_SMA_FASST', '5', /^config: BRIDGE_SMA_FASST: unknown variable; did you mean BRIDGE_SMA_FAST\?$/m],
    ['ALGOGENE_REAL_RUNMODE', 'realtrade', /^config: ALGOGENE_REAL_RUNMODE: no longer used: real mode always sends runmode livetrade/m],
    ['BRIDGE_WEBHOOK_PORT', '8080', /^config: BRIDGE_WEBHOOK_PORT: no longer read: .* set BRIDGE_HTTP_PORT instead$/m],
  ] as const)('%s=%s: exit 2 with the name it meant', async ([name, value, message], ctx) => {
    const sim = await ownSim(ctx);
    const ws = makeWorkspace('unknown');
    await refused(sim, ['once'], bridgeEnv(sim, ws, { [name]: value }), ws.dir, message);
  });

  it.for(['0x10', '1e3', 'Infinity', '+5', '.5', '1 000', '1_000'])('BRIDGE_VOLUME=%s is not a decimal number: exit 2', async (value, ctx) => {
    const sim = await ownSim(ctx);
    const ws = makeWorkspace('decimal');
    await refused(sim, ['once'], bridgeEnv(sim, ws, { BRIDGE_VOLUME: value }), ws.dir, new RegExp(`^config: BRIDGE_VOLUME: expected a decimal number > 0, got ${JSON.stringify(JSON.stringify(value)).slice(1, -1).replace(/[.+]/g, '\\$&')}$`, 'm'));
  });

  it("a strategy's own settings are checked by the same rules (sma-cross, BRIDGE_SMA_SLOW=3e1)", async (ctx) => {
    const sim = await ownSim(ctx);
    const ws = makeWorkspace('settings');
    await refused(sim, ['check'], bridgeEnv(sim, ws, { BRIDGE_STRATEGY: 'sma-cross', BRIDGE_SMA_SLOW: '3e1' }), ws.dir, /^config: BRIDGE_SMA_SLOW: expected a whole number of bars, 1 to 1000, got "3e1"$/m);
  });

  it('the webhook strategy without its secret: exit 2 naming BRIDGE_WEBHOOK_SECRET', async (ctx) => {
    const sim = await ownSim(ctx);
    const ws = makeWorkspace('webhook-secret');
    await refused(sim, ['run'], bridgeEnv(sim, ws, { BRIDGE_STRATEGY: 'webhook' }), ws.dir, /^config: BRIDGE_WEBHOOK_SECRET: required by strategy webhook, expected at least 16 characters/m);
  });
});

describe.concurrent('strategies that cannot be loaded', () => {
  it('an unknown strategy name lists those that exist', async (ctx) => {
    const sim = await ownSim(ctx);
    const ws = makeWorkspace('strategy-name');
    await refused(sim, ['once'], bridgeEnv(sim, ws, { BRIDGE_STRATEGY: 'sma-crossover' }), ws.dir, /^config: BRIDGE_STRATEGY: no built-in strategy named sma-crossover; the built-ins are command, file, random, sma-cross, stream, webhook/m);
  });

  it('a module with a syntax error: its file, line and column', async (ctx) => {
    const sim = await ownSim(ctx);
    const ws = makeWorkspace('strategy-syntax');
    const file = path.join(ws.dir, 'mine.mjs');
    writeFileSync(file, "// my strategy\nexport default function decide() {\n  return 'BUY' +;\n}\n");
    await refused(sim, ['once'], bridgeEnv(sim, ws, { BRIDGE_STRATEGY: file }), ws.dir, new RegExp(`^config: BRIDGE_STRATEGY: cannot load .*: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:17: Unexpected token`, 'm'));
  });
});

describe.concurrent('the bridges file', () => {
  it('JSON5 is accepted: comments, trailing commas, unquoted keys; settings checked per strategy', async (ctx) => {
    const ws = makeWorkspace('json5');
    // check proves the account: the simulator lists it.
    const sim = await ownSim(ctx, { accounts: [`${ws.account}-a`, `${ws.account}-b`].map((id) => ({ id, runmode: 'livetest' as const })) });
    const file = path.join(ws.dir, 'bridges.json5');
    writeFileSync(file, `// two bridges\n{\n  bridges: [\n    { id: "a", account: "${ws.account}-a", settings: { BRIDGE_SMA_FAST: 5, }, },\n    { id: "b", account: "${ws.account}-b" }, // the second\n  ],\n  defaults: { strategy: "sma-cross", instrument: "ETHUSD" },\n}\n`);
    const env = bridgeEnv(sim, ws, { BRIDGE_CONFIG: file, BRIDGE_STRATEGY: undefined, BRIDGE_INSTRUMENT: undefined, BRIDGE_TEST_SIGNAL: undefined });
    const r = await runCli(['check'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}BRIDGE_SMA_FAST +5 +\(bridges file\)/m);
    expect(r.stdout).toMatch(/^ {2}BRIDGE_SMA_FAST +10 +\(default\)/m);
    expect(r.stdout).toMatch(/^ {2}BRIDGE_INSTRUMENT +ETHUSD +\(bridges file\)/m);
  });

  it.for([
    ['a syntax error', '{\n  bridges: [\n    { id: "a" account: "x" },\n  ],\n}\n', /^config: BRIDGE_CONFIG: not valid JSON5: line 3, column 15: invalid character 'a'$/m],
    ['a hexadecimal number', '{\n  bridges: [{ id: "a", account: "x", volume: 0x10 }],\n}\n', /^config: BRIDGE_CONFIG: not valid JSON5: line 2, column 46: "0x10" is not a plain decimal number/m],
    ['a setting its strategy does not have', '{ bridges: [{ id: "a", account: "x", strategy: "sma-cross", settings: { BRIDGE_SMA_FASTT: 3 } }] }', /^config: BRIDGE_CONFIG bridges\[0\]\.settings\.BRIDGE_SMA_FASTT: not a setting of strategy sma-cross; did you mean BRIDGE_SMA_FAST\?$/m],
    ['two bridges on one account and instrument', '{ bridges: [{ id: "a", account: "x" }, { id: "b", account: "x", shareAccount: true }] }', /^config: BRIDGE_CONFIG: bridges a, b all trade BTCUSD on account x: .*"shareAccount": true on each of them/m],
  ] as const)('%s: exit 2 saying where', async ([, text, message], ctx) => {
    const sim = await ownSim(ctx);
    const ws = makeWorkspace('bridges-file');
    const file = path.join(ws.dir, 'bridges.json');
    writeFileSync(file, text);
    await refused(sim, ['check'], bridgeEnv(sim, ws, { BRIDGE_CONFIG: file, BRIDGE_STRATEGY: 'random', BRIDGE_TEST_SIGNAL: undefined }), ws.dir, message);
  });

  it('two bridges on one account and instrument pass when both say shareAccount', async (ctx) => {
    const ws = makeWorkspace('share');
    // check proves the account: the simulator lists it.
    const sim = await ownSim(ctx, { accounts: [{ id: ws.account, runmode: 'livetest' }] });
    const file = path.join(ws.dir, 'bridges.json');
    writeFileSync(file, JSON.stringify({ bridges: [{ id: 'a', account: ws.account, shareAccount: true }, { id: 'b', account: ws.account, shareAccount: true }] }));
    const r = await runCli(['check'], { env: bridgeEnv(sim, ws, { BRIDGE_CONFIG: file }), cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.match(/^ok {3}bridge/gm)).toHaveLength(2);
  });
});

describe.concurrent('the env file', () => {
  it('--env PATH reads it; --env-file PATH (the old spelling) still works; a missing one is exit 2', async (ctx) => {
    const ws = makeWorkspace('env-flag');
    // check proves the account: the simulator lists it.
    const sim = await ownSim(ctx, { accounts: [{ id: ws.account, runmode: 'livetest' }] });
    const full = bridgeEnv(sim, ws);
    const file = path.join(ws.dir, 'prod.env');
    writeFileSync(file, `ALGOGENE_ACCOUNT_ID=${ws.account}\nBRIDGE_INSTRUMENT=ETHUSD\n`);
    const env = { ...full, ALGOGENE_ACCOUNT_ID: undefined, BRIDGE_INSTRUMENT: undefined };
    for (const flag of ['--env', '--env-file']) {
      const r = await runCli(['check', flag, file], { env, cwd: ws.dir });
      expect(r.code, `${flag}\n${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/^ {2}BRIDGE_INSTRUMENT +ETHUSD +\(\.env\)/m);
      expect(r.stdout).toMatch(/^ {2}BRIDGE_STORE +\S+ +\(environment\)/m);
      expect(r.stdout).toMatch(/^ {2}BRIDGE_POLICY +reopen +\(default\)/m);
    }
    await refused(sim, ['check', '--env', path.join(ws.dir, 'nope.env')], env, ws.dir, /^config: --env: no such file .*nope\.env \(check the path\)$/m);
  });
});

describe.concurrent('BRIDGE_STORE', () => {
  const cases: [string, (dir: string) => string, RegExp][] = [
    ['a folder', (dir) => dir, /^config: BRIDGE_STORE: .* is a folder: name a file in it, e.g\. sqlite:\/\/.*bridge\.sqlite$/m],
    ['a file that is no database', (dir) => (writeFileSync(path.join(dir, 'notes.txt'), 'my notes\n'), path.join(dir, 'notes.txt')), /^config: BRIDGE_STORE: .*notes\.txt exists and is not a SQLite database/m],
    ['under a parent that is a file', (dir) => (writeFileSync(path.join(dir, 'plain'), 'x'), path.join(dir, 'plain', 'bridge.sqlite')), /^config: BRIDGE_STORE: .*plain is a file, so .* cannot be created under it/m],
    ['under /proc', () => '/proc/bridge.sqlite', /^config: BRIDGE_STORE: \/proc\/bridge\.sqlite is under \/proc, a kernel file system/m],
  ];
  it.for(cases)('%s: exit 2 naming the path and the fix', async ([, at, message], ctx) => {
    const sim = await ownSim(ctx);
    const ws = makeWorkspace('store');
    await refused(sim, ['once'], bridgeEnv(sim, ws, { BRIDGE_STORE: `sqlite://${at(ws.dir)}` }), ws.dir, message);
  });

  // root writes anywhere: the permission check can only be seen as another user.
  it.skipIf(process.getuid?.() === 0)('a folder this user cannot write: exit 2', async (ctx) => {
    const sim = await ownSim(ctx);
    const ws = makeWorkspace('store-ro');
    const dir = path.join(ws.dir, 'ro');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    await refused(sim, ['once'], bridgeEnv(sim, ws, { BRIDGE_STORE: `sqlite://${dir}/bridge.sqlite` }), ws.dir, /is not writable by this user/);
  });

  it.for([
    ['unreachable', 'redis://127.0.0.1:6390', /^config: BRIDGE_STORE: nothing answers at 127\.0\.0\.1:6390: is Redis running there\?/m],
    ['a wrong password', 'redis://:not-the-password@127.0.0.1:6379', /^config: BRIDGE_STORE: Redis at 127\.0\.0\.1:6379 refused the password/m],
    ['a database that does not exist', 'redis://127.0.0.1:6379/99', /^config: BRIDGE_STORE: Redis at 127\.0\.0\.1:6379 has no database 99/m],
  ] as const)('Redis %s: exit 2 saying which, without library jargon', async ([, url, message], ctx) => {
    const sim = await ownSim(ctx);
    const ws = makeWorkspace('redis');
    const r = await refused(sim, ['once'], bridgeEnv(sim, ws, { BRIDGE_STORE: url }), ws.dir, message);
    expect(r.stderr).not.toMatch(/throwOnConnectError|client is not connected/);
    expect(r.stderr).not.toContain('not-the-password');
  });
});

describe.concurrent('the account and the ticks', () => {
  it('a wrong API key: run exits 2 with the reason before any tick, and sends no order', async (ctx) => {
    const sim = await ownSim(ctx);
    const ws = makeWorkspace('run-badkey');
    const wrong = 'k-WRONG-run-0000111122';
    const r = await runCli(['run'], { env: bridgeEnv(sim, ws, { ALGOGENE_API_KEY: wrong, BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_SCHEDULE: '* * * * * *' }), cwd: ws.dir, killAfterMs: 20_000 });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^config: ALGOGENE_API_KEY: the server refused user demo's credentials .*check ALGOGENE_USER and ALGOGENE_API_KEY/m);
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(r.stdout).not.toMatch(/"msg":"tick/);
    expect(sim.requests().byPath['/open_order'] ?? 0).toBe(0);
  });

  it('run --ticks 2 whose every tick failed exits 1', async (ctx) => {
    const sim = await ownSim(ctx);
    const ws = makeWorkspace('run-allfail');
    const r = await runCli(['run', '--ticks', '2'], { env: bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'THROW', BRIDGE_SCHEDULE: '* * * * * *' }), cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/"msg":"every tick failed"/);
  });

  it('a signal asking for more than BRIDGE_VOLUME without BRIDGE_MAX_VOLUME: the tick fails saying which limit to raise', async (ctx) => {
    const sim = await ownSim(ctx);
    const ws = makeWorkspace('maxvol');
    const r = await runCli(['once'], { env: bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: '{"signal":"BUY","volume":3}' }), cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/volume 3 is above BRIDGE_MAX_VOLUME 1 \(which is BRIDGE_VOLUME unless set\): raise BRIDGE_MAX_VOLUME/);
    expect(sim.requests().byPath['/open_order'] ?? 0).toBe(0);
  });

  it('a server that cannot be reached: check names the host it tried, never the key', async () => {
    const ws = makeWorkspace('nohost');
    const env = { ALGOGENE_BASE_URL: 'http://127.0.0.1:9/rest/v1', ALGOGENE_USER: 'demo', ALGOGENE_API_KEY: 'k-SECRET-nohost-123456', ALGOGENE_ACCOUNT_ID: ws.account, BRIDGE_STORE: ws.store, BRIDGE_STRATEGY: FIXED_SIGNAL, BRIDGE_INSTRUMENT: 'BTCUSD' };
    const r = await runCli(['check'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^FAIL bridge main: \/session: connection to 127\.0\.0\.1:9 failed \(ECONNREFUSED\)$/m);
    expect(r.stdout + r.stderr).not.toContain('k-SECRET-nohost-123456');
  });
});

describe.concurrent('check shows the whole configuration', () => {
  it('every value with where it came from, secrets masked', async (ctx) => {
    const ws = makeWorkspace('check-config');
    // check proves the account: the simulator lists it.
    const sim = await ownSim(ctx, { accounts: [{ id: ws.account, runmode: 'livetest' }] });
    writeFileSync(path.join(ws.dir, '.env'), 'BRIDGE_SCHEDULE=*/5 * * * *\nBRIDGE_WEBHOOK_SECRET=whsec-0123456789abcdef\n');
    const env = bridgeEnv(sim, ws, { BRIDGE_STRATEGY: 'webhook', BRIDGE_VOLUME: '0.5', BRIDGE_MAX_VOLUME: '2' });
    const r = await runCli(['check'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}ALGOGENE_API_KEY +\*{8} +\(environment\)/m);
    expect(r.stdout).toMatch(/^ {2}BRIDGE_WEBHOOK_SECRET +\*{8} +\(\.env\)/m);
    expect(r.stdout).toMatch(/^ {2}BRIDGE_SCHEDULE +\*\/5 \* \* \* \* +\(\.env\)/m);
    expect(r.stdout).toMatch(/^ {2}BRIDGE_VOLUME +0\.5 +\(environment\)/m);
    expect(r.stdout).toMatch(/^ {2}BRIDGE_MAX_VOLUME +2 +\(environment\)/m);
    expect(r.stdout).toMatch(/^ {2}BRIDGE_SIGNAL_MAX_AGE_S +300 +\(default\)/m);
    expect(r.stdout).toMatch(/^ {2}BRIDGE_MAX_ORDERS_PER_HOUR +\(unset\) +\(default\)/m);
    expect(r.stdout).toMatch(/^ {2}BRIDGE_STORE +sqlite:\/\/\S+ +\(environment\)/m);
    expect(r.stdout + r.stderr).not.toContain('demo-key');
    expect(r.stdout + r.stderr).not.toContain('whsec-0123456789abcdef');
    expect(r.stdout).not.toMatch(/^note: /m);
  });

  it("a setting of another strategy is not an error, but check says nothing reads it", async (ctx) => {
    const ws = makeWorkspace('check-unused');
    // check proves the account: the simulator lists it.
    const sim = await ownSim(ctx, { accounts: [{ id: ws.account, runmode: 'livetest' }] });
    const r = await runCli(['check'], { env: bridgeEnv(sim, ws, { BRIDGE_STRATEGY: 'random', BRIDGE_SMA_FAST: '5', BRIDGE_SEED: '7' }), cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^note: BRIDGE_SMA_FAST is set but no bridge's strategy reads it/m);
    expect(r.stdout).not.toMatch(/^note: BRIDGE_SEED/m);
    expect(r.stdout).toMatch(/^ {2}BRIDGE_SEED +7 +\(environment\)/m);
  });
});

describe.concurrent('--version', () => {
  it.for(['--version', '-V'])('%s prints the version and exits 0', async (flag) => {
    const r = await runCli([flag], { env: {}, cwd: makeWorkspace('version').dir });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
