/**
 * loadStrategy finds built-ins in the compiled strategies/ beside the compiled src/, so this file
 * loads the built module from dist/ (`npm test` builds first; or run `npm run build`).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StrategyContext } from '../../src/strategy/types.js';
import { captureLog } from '../helpers/capture-log.js';

type LoadStrategyModule = typeof import('../../src/strategy/load-strategy.js');

const DIST = fileURLToPath(new URL('../../dist/src/strategy/load-strategy.js', import.meta.url));

function context(): StrategyContext {
  return {
    time: new Date('2030-01-01T12:00:00.000Z'),
    bridgeId: 'b1',
    instrument: 'BTCUSD',
    volume: 1,
    tracked: null,
    log: captureLog().log,
    market: { history: async () => [] },
    signal: new AbortController().signal,
  };
}

describe('loadStrategy', () => {
  let loadStrategy: LoadStrategyModule['loadStrategy'];
  let StrategyLoadError: LoadStrategyModule['StrategyLoadError'];
  let dir: string;
  const options = () => ({ settings: { BRIDGE_SEED: '7', BRIDGE_MY_THRESHOLD: '0.5' }, log: captureLog().log });

  const write = (name: string, source: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, source);
    return file;
  };
  const loadError = async (spec: string) => {
    const error = await loadStrategy(spec, options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrategyLoadError);
    return (error as Error).message;
  };

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run npm run build first`);
    ({ loadStrategy, StrategyLoadError } = (await import(DIST)) as LoadStrategyModule);
    dir = mkdtempSync(path.join(os.tmpdir(), 'signal-bridge-strategy-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the built-in random strategy by name', async () => {
    const strategy = await loadStrategy('random', options());
    expect(strategy.name).toBe('random');
    expect(['BUY', 'SELL', null]).toContain(await strategy.decide(context()));
  });

  it('refuses an unknown built-in name, saying so', async () => {
    expect(await loadError('no-such-strategy')).toMatch(/BRIDGE_STRATEGY: no built-in strategy named no-such-strategy/);
  });

  it('refuses a name that could reach outside strategies/', async () => {
    expect(await loadError('Random')).toMatch(/BRIDGE_STRATEGY: no built-in strategy named Random/);
    expect(await loadError('..')).toMatch(/BRIDGE_STRATEGY/);
  });

  it('loads a user .mjs whose default export is a decide function', async () => {
    const file = write('always-buy.mjs', 'export default function decide(ctx) { return ctx.instrument === "BTCUSD" ? "BUY" : null; }\n');
    const strategy = await loadStrategy(file, options());
    expect(strategy.name).toBe('always-buy.mjs');
    expect(await strategy.decide(context())).toBe('BUY');
  });

  it('loads a user .mjs whose default export is an object with decide()', async () => {
    const file = write('object.mjs', 'export default { calls: 0, decide() { this.calls += 1; return this.calls === 1 ? "SELL" : { signal: "BUY", volume: 2 }; } };\n');
    const strategy = await loadStrategy(file, options());
    expect(await strategy.decide(context())).toBe('SELL');
    expect(await strategy.decide(context())).toEqual({ signal: 'BUY', volume: 2 });
  });

  it('loads a user .js that exports create(options), passing the settings', async () => {
    const file = write('factory.mjs', 'export function create(o) { return { name: "factory", decide: () => o.settings.BRIDGE_MY_THRESHOLD }; }\n');
    const strategy = await loadStrategy(file, options());
    expect(strategy.name).toBe('factory');
    expect(await strategy.decide(context())).toBe('0.5');
  });

  it('refuses a missing file, naming it', async () => {
    const missing = path.join(dir, 'missing.mjs');
    expect(await loadError(missing)).toBe(`BRIDGE_STRATEGY: no such file ${missing}`);
  });

  it('refuses a .ts path, saying to compile it', async () => {
    const file = write('mine.ts', 'export default function decide(): string { return "BUY"; }\n');
    expect(await loadError(file)).toMatch(/is TypeScript; compile it to \.js/);
  });

  it('refuses a module that exports no strategy', async () => {
    const file = write('nothing.mjs', 'export const answer = 42;\n');
    expect(await loadError(file)).toMatch(/exports no strategy/);
  });

  it('refuses a module that fails to import, with its error', async () => {
    const file = write('broken.mjs', 'throw new Error("cannot find my model");\n');
    expect(await loadError(file)).toMatch(/BRIDGE_STRATEGY: cannot load .*broken\.mjs: cannot find my model/);
  });

  it('refuses a module with a syntax error', async () => {
    const file = write('syntax.mjs', 'export default function (ctx {\n');
    expect(await loadError(file)).toMatch(/BRIDGE_STRATEGY: cannot load/);
  });
});
