import { describe, expect, it } from 'vitest';
import { simCommand } from '../../src/cli/sim.js';
import { poll } from './helpers.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const ctl = new AbortController();
  return { out, err, ctl, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), signal: ctl.signal } };
}

/** Waits until the command printed its two start-up lines (or failed). */
async function started(c: ReturnType<typeof capture>): Promise<string> {
  await poll(async () => (c.out.length >= 2 || c.err.length > 0 ? true : undefined));
  if (c.err.length) throw new Error(c.err.join('\n'));
  return c.out[0]!;
}

describe('simCommand', () => {
  it.each([
    [{ port: 'abc' }, '--port'],
    [{ port: '70000' }, '--port'],
    [{ port: '0x10' }, '--port'],
    [{ host: ' ' }, '--host'],
    [{ tokenTtl: '0' }, '--token-ttl'],
    [{ fillDelay: '-1' }, '--fill-delay'],
    [{ delayMs: '1.5' }, '--delay-ms'],
    [{ failRate: '2' }, '--fail-rate'],
    [{ failKinds: '500,boom' }, '--fail-kinds'],
    [{ faultPhase: 'during' }, '--fault-phase'],
    [{ seed: 'x' }, '--seed'],
    [{ users: 'alice' }, '--users'],
    [{ users: 'a:k1,a:k2' }, '--users'],
    [{ closeDelay: '-2' }, '--close-delay'],
    [{ rateLimit: '0' }, '--rate-limit'],
    [{ rateLimit: '2.5' }, '--rate-limit'],
    [{ accounts: 'acc-1' }, '--accounts'],
    [{ accounts: 'acc-1:realtrade' }, '--accounts'],
    [{ accounts: 'acc-1:livetest:maybe' }, '--accounts'],
    [{ oversizeMb: '0' }, '--oversize-mb'],
  ])('%o exits 2 with one line naming the option', async (raw, flag) => {
    const c = capture();
    expect(await simCommand(raw, c.io)).toBe(2);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toContain(flag);
    expect(c.out).toEqual([]);
  });

  it('never echoes a --users value, which holds keys', async () => {
    const c = capture();
    expect(await simCommand({ users: 'alice:s3cret,:nokey' }, c.io)).toBe(2);
    expect(c.err.join('\n')).not.toContain('s3cret');
  });

  it('prints the base URL and credentials, serves, and stops with 0 on abort', async () => {
    const c = capture();
    const done = simCommand({ port: '0', seed: '5', fillDelay: '0', failRate: '0', users: 'alice:k-alice,bob:k-bob' }, c.io);
    const line = await started(c);
    const m = /^ALGOGENE simulator listening: ALGOGENE_BASE_URL=(http:\/\/127\.0\.0\.1:\d+\/rest\/v1)$/.exec(line);
    expect(m).not.toBeNull();
    expect(c.out[1]).toContain('alice');
    expect(c.out[1]).toContain('k-alice');
    const url = m![1]!;
    const r = await fetch(`${url}/session?user=alice&api_key=k-alice`);
    expect(r.status).toBe(200);

    c.ctl.abort();
    expect(await done).toBe(0);
    await expect(fetch(`${url}/session?user=alice&api_key=k-alice`)).rejects.toThrow();
  });

  it('serves the new behaviours it was given: accounts, rate limit, unlisted fills, new fault kinds', async () => {
    const c = capture();
    const done = simCommand(
      { port: '0', accounts: 'acc-1:livetest,acc-2:livetrade:off', rateLimit: '3', unlistedFills: true, serverCloses: true, fillDelay: '30', closeDelay: '1', failKinds: 'echo,empty-list' },
      c.io,
    );
    const url = /ALGOGENE_BASE_URL=(\S+)$/.exec(await started(c))![1]!;
    expect(c.out[1]).toContain('accounts: acc-1 (livetest), acc-2 (livetrade, not trading)');
    expect(c.out[2]).toBe('behaviour: fill delay 30 s, unfilled orders unlisted, close delay 1 s, server-side closes (take-profit, stop-loss, holdtime), rate limit 3/min per user');
    const token = ((await (await fetch(`${url}/session?user=demo&api_key=demo-key`)).json()) as { res: { token: string } }).res.token;
    const accounts = await (await fetch(`${url}/accounts?user=demo&api_key=demo-key&token=${token}&runmode=livetrade`)).json();
    expect(accounts).toMatchObject({ count: 1, res: [{ accountid: 'acc-2', isTrading: false }] });
    const base = `user=demo&api_key=demo-key&token=${token}&runmode=livetest`;
    const unknown = await fetch(`${url}/opened_trades?${base}&accountid=acc-9`);
    expect(await unknown.json()).toEqual({ status: 'FAIL', res: 'account not found: acc-9 (runmode livetest)' });
    const limited = await fetch(`${url}/opened_trades?${base}&accountid=acc-1`);
    expect(await limited.json()).toEqual({ res: 'Exceed maximum access count. Please try again later.' });
    c.ctl.abort();
    expect(await done).toBe(0);
  });

  it('uses the demo user by default', async () => {
    const c = capture();
    c.ctl.abort();
    expect(await simCommand({ port: '0' }, c.io)).toBe(0);
    expect(c.out[1]).toContain('demo');
    expect(c.out[1]).toContain('demo-key');
  });

  it('exits 1 when the port is taken', async () => {
    const a = capture();
    const first = simCommand({ port: '0' }, a.io);
    const port = /:(\d+)\/rest/.exec(await started(a))?.[1];
    expect(port).toBeDefined();
    const b = capture();
    expect(await simCommand({ port: port! }, b.io)).toBe(1);
    expect(b.err[0]).toMatch(/cannot start the simulator/);
    a.ctl.abort();
    expect(await first).toBe(0);
  });
});
