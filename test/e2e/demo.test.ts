/** `demo --ticks 3`: the whole product without an account, in a fresh directory. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killStrays, makeWorkspace, removeWorkspaces, runCli, tickLines } from './helpers.js';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

describe('demo', () => {
  it('demo --ticks 3 says it is a simulation, shows three ticks, exits 0 and writes no .env', async () => {
    const ws = makeWorkspace('demo');
    // No ALGOGENE_* at all: the demo needs no account. The demo ticks every 5 s, so allow for three of them.
    const r = await runCli(['demo', '--ticks', '3'], { env: {}, cwd: ws.dir, killAfterMs: 45_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);

    const head = r.stdout.split('\n').slice(0, 4).join('\n');
    expect(head).toMatch(/simulat/i);
    expect(head).toMatch(/nothing is published/i);
    expect(head).toMatch(/\.env/);

    const ticks = tickLines(r.stdout);
    expect(ticks).toHaveLength(3);
    // Each tick succeeded with one of the random strategy's answers; what it opened got a 12-digit trade ID.
    for (const t of ticks) {
      expect(t.msg).toBe('tick');
      expect(['BUY', 'SELL', 'NONE']).toContain(t.signal);
      if (t.signal !== 'NONE') expect(t.opened).toMatch(/^\d{12}$/);
    }
    expect(r.stdout).toMatch(/demo finished/);

    expect(existsSync(path.join(ws.dir, '.env'))).toBe(false);
    expect(readdirSync(ws.dir)).toEqual([]);
  });
});
