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
