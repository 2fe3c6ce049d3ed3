/** The built-in random strategy, as loadStrategy loads it from dist/ (run `npm run build` first). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Strategy, StrategyContext } from '../../src/strategy/types.js';
import { captureLog } from '../helpers/capture-log.js';

type LoadStrategyModule = typeof import('../../src/strategy/load-strategy.js');
const DIST = fileURLToPath(new URL('../../dist/src/strategy/load-strategy.js', import.meta.url));

const ctx: StrategyContext = {
  time: new Date('2030-01-01T12:00:00.000Z'),
  bridgeId: 'b1',
  instrument: 'BTCUSD',
  volume: 1,
  tracked: null,
  log: captureLog().log,
  market: { history: async () => [] },
  signal: new AbortController().signal,
};

describe('the random strategy', () => {
  let load: (settings: Record<string, string>) => Promise<Strategy>;

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run npm run build first`);
    const { loadStrategy } = (await import(DIST)) as LoadStrategyModule;
    load = (settings) => loadStrategy('random', { settings, log: captureLog().log });
  });

  async function run(strategy: Strategy, n: number): Promise<unknown[]> {
    const answers: unknown[] = [];
    for (let i = 0; i < n; i++) answers.push(await strategy.decide(ctx));
    return answers;
  }

  it('with the same BRIDGE_SEED gives the same sequence, run after run', async () => {
    const a = await run(await load({ BRIDGE_SEED: 'demo-42' }), 50);
    const b = await run(await load({ BRIDGE_SEED: 'demo-42' }), 50);
    expect(a).toEqual(b);
  });

  it('with another seed gives another sequence', async () => {
    const a = await run(await load({ BRIDGE_SEED: '1' }), 50);
    const b = await run(await load({ BRIDGE_SEED: '2' }), 50);
    expect(a).not.toEqual(b);
  });

  it('answers only BUY, SELL or nothing, and each of them', async () => {
    const answers = await run(await load({ BRIDGE_SEED: 'spread' }), 90);
    expect(new Set(answers)).toEqual(new Set(['BUY', 'SELL', null]));
  });

  it('works without a seed', async () => {
    const answers = await run(await load({}), 20);
    for (const answer of answers) expect(['BUY', 'SELL', null]).toContain(answer);
  });
});
