/** `check` proves the account before any order: listed in its runmode, the instrument known, the volume within its lot rules. */
import { afterAll, describe, expect, it } from 'vitest';
import { bridgeEnv, killStrays, makeWorkspace, orderCalls, ownSim, removeWorkspaces, runCli } from './helpers.js';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

const ACCOUNTS = [
  { id: 'acc-77', runmode: 'livetest' as const },
  { id: 'acc-idle', runmode: 'livetest' as const, isTrading: false },
  { id: 'acc-real', runmode: 'livetrade' as const },
];

describe.concurrent('check proves the account', () => {
  it('an account the server lists: exit 0, ok', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 71, accounts: ACCOUNTS });
    const ws = makeWorkspace('prove-ok');
    const r = await runCli(['check'], { env: bridgeEnv(sim, ws, { ALGOGENE_ACCOUNT_ID: 'acc-77' }), cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok {3}bridge main: .*account acc-77 listed; BTCUSD known; volume 1 fits/m);
  });

  it.for([
    ['an account that does not exist', 'acc-78'],
    ['an account of the other runmode (livetrade only)', 'acc-real'],
  ])('%s: exit 1 naming it, no order', async ([, account], ctx) => {
    const sim = await ownSim(ctx, { seed: 72, accounts: ACCOUNTS });
    const ws = makeWorkspace('prove-missing');
    const calls = orderCalls(sim);
    const r = await runCli(['check'], { env: bridgeEnv(sim, ws, { ALGOGENE_ACCOUNT_ID: account! }), cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^FAIL bridge main: account ${account} is not among this user's livetest accounts`, 'm'));
    expect(r.stdout).toContain('acc-77');
    expect(orderCalls(sim)).toEqual(calls);
  });

  it('an unknown instrument: exit 1 naming it', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 73, accounts: ACCOUNTS });
    const ws = makeWorkspace('prove-instrument');
    const r = await runCli(['check'], { env: bridgeEnv(sim, ws, { ALGOGENE_ACCOUNT_ID: 'acc-77', BRIDGE_INSTRUMENT: 'DOGEUSD' }), cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^FAIL bridge main: instrument DOGEUSD is not listed by \/list_instrument/m);
  });

  it.for([
    ['below the minimum lot', '0.001', /BRIDGE_VOLUME 0.001 does not fit BTCUSD: below the minimum 0.01/],
    ['more decimals than the instrument takes', '0.015', /BRIDGE_VOLUME 0.015 does not fit BTCUSD: more than 2 decimals/],
  ])('a volume %s: exit 1 saying why', async ([, volume, message], ctx) => {
    const sim = await ownSim(ctx, { seed: 74, accounts: ACCOUNTS });
    const ws = makeWorkspace('prove-volume');
    const r = await runCli(['check'], { env: bridgeEnv(sim, ws, { ALGOGENE_ACCOUNT_ID: 'acc-77', BRIDGE_VOLUME: volume as string }), cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(message as RegExp);
  });

  it('an account with isTrading false is said, not failed', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 75, accounts: ACCOUNTS });
    const ws = makeWorkspace('prove-idle');
    const r = await runCli(['check'], { env: bridgeEnv(sim, ws, { ALGOGENE_ACCOUNT_ID: 'acc-idle' }), cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^note bridge main: account acc-idle says isTrading false/m);
  });
});
