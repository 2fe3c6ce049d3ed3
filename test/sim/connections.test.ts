import { Agent, get as httpGet } from 'node:http';
import { describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { poll } from './helpers.js';

function request(sim: Simulator, agent: Agent | false): Promise<{ status: number; keepAlive: string }> {
  return new Promise((resolve, reject) => {
    httpGet(`${sim.url}/session?user=demo&api_key=demo-key`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, keepAlive: String(res.headers['keep-alive']) }));
    }).on('error', reject);
  });
}

/** Fails the test instead of hanging it when close() does not return. */
const settlesSoon = <T>(p: Promise<T>) =>
  Promise.race([p.then(() => 'settled'), new Promise((r) => setTimeout(() => r('stuck'), 5000).unref())]);

describe('connections', () => {
  it('counts a keep-alive reuse as one connection, and offers a 65 s keep-alive', async () => {
    const sim = await startSimulator();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 5; i++) {
        const r = await request(sim, agent);
        expect(r.status).toBe(200);
        expect(r.keepAlive).toBe('timeout=65');
      }
      expect(sim.connections()).toBe(1);
      for (let i = 0; i < 3; i++) await request(sim, false);
      expect(sim.connections()).toBe(4);
      // An idle keep-alive socket must not hold close() up.
      expect(await settlesSoon(sim.close())).toBe('settled');
    } finally {
      agent.destroy();
      await sim.close();
    }
  });

  it('close() returns promptly with a hung request, and the client sees the socket end', async () => {
    const sim = await startSimulator();
    sim.injectFault({ kind: 'timeout' });
    const call = fetch(`${sim.url}/session?user=demo&api_key=demo-key`).then(
      () => 'answered',
      () => 'failed',
    );
    await poll(async () => (sim.requests().log.some((e) => e.status === 'timeout') ? true : undefined));
    expect(await settlesSoon(sim.close())).toBe('settled');
    expect(await call).toBe('failed');
  });

  it('close() does not wait for a delayed request', async () => {
    const sim = await startSimulator({ delayMs: 60_000 });
    const call = fetch(`${sim.url}/session?user=demo&api_key=demo-key`).catch(() => 'failed');
    await poll(async () => (sim.requests().total === 1 ? true : undefined));
    expect(await settlesSoon(sim.close())).toBe('settled');
    expect(await call).toBe('failed');
    expect(await settlesSoon(sim.close())).toBe('settled');
  });

  it('reports the bound port in url', async () => {
    const sim = await startSimulator({ port: 0 });
    try {
      expect(sim.port).toBeGreaterThan(0);
      expect(sim.url).toBe(`http://127.0.0.1:${sim.port}/rest/v1`);
    } finally {
      await sim.close();
    }
  });
});
