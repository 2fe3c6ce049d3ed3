/**
 * The rate limit is the user's (issue 9): one refusal pauses every bridge of that user for the advised time, logged
 * once, then they all trade again, with no order lost or doubled. The built CLI runs two bridges of one user on a
 * seconds schedule against the simulator, whose first open_order answers 429 with Retry-After: 1.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXED_SIGNAL } from '../helpers/sim-runtime.js';
import { expectNothingLostOrDoubled, ledgerOf } from '../helpers/ledger.js';
import { bookOf, bridgeEnv, jsonLines, killStrays, makeWorkspace, ownSim, removeWorkspaces, runCli } from './helpers.js';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

describe('a rate-limited user', () => {
  it("pauses all of that user's bridges once, then they resume: nothing lost, nothing doubled", async (ctx) => {
    const sim = await ownSim(ctx, { seed: 91 });
    const ws = makeWorkspace('rate-limit');
    const file = path.join(ws.dir, 'bridges.json');
    writeFileSync(
      file,
      JSON.stringify({
        defaults: { strategy: FIXED_SIGNAL, schedule: '* * * * * *', settings: { BRIDGE_TEST_SIGNAL: 'BUY' } },
        bridges: [
          { id: 'a', account: `${ws.account}-a` },
          { id: 'b', account: `${ws.account}-b` },
        ],
      }),
    );
    // The refused order may have been placed (a limiter can answer after acting): it is looked up, never resent blindly,
    // and that bridge sends nothing new until it is settled, after the HTTP timeout + 5 s.
    const env = { ...bridgeEnv(sim, ws), ALGOGENE_ACCOUNT_ID: undefined, BRIDGE_CONFIG: file, BRIDGE_HTTP_TIMEOUT_MS: '500' };
    sim.injectFault({ path: '/open_order', kind: '429' });

    const r = await runCli(['run', '--ticks', '9'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    const pausedAt = lines.findIndex((l) => l.msg === 'rate limited: pausing every call of this user');
    expect(pausedAt, 'the pause is logged').toBeGreaterThanOrEqual(0);
    expect(lines.filter((l) => l.msg === 'rate limited: pausing every call of this user')).toHaveLength(1);
    // After the pause, both bridges trade again.
    const after = lines.slice(pausedAt).filter((l) => l.msg === 'tick' && l.opened);
    expect(new Set(after.map((l) => l.bridge))).toEqual(new Set(['a', 'b']));

    const closed = await runCli(['close'], { env, cwd: ws.dir });
    expect(closed.code, closed.stdout + closed.stderr).toBe(0);
    for (const id of ['a', 'b']) expectNothingLostOrDoubled(ledgerOf(bookOf(sim, `${ws.account}-${id}`), id));
  });
});
