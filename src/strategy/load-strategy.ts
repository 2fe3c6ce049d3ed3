import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Strategy, StrategyContext, StrategyOptions } from './types.js';

/** The compiled strategies/ folder, beside src/ in dist/. */
const BUILTIN_DIR = fileURLToPath(new URL('../../strategies/', import.meta.url));

/** A strategy could not be loaded: a configuration problem, so the CLI exits 2. */
export class StrategyLoadError extends Error {
  override name = 'StrategyLoadError';
}

/**
 * BRIDGE_STRATEGY is a built-in name (random, sma-cross), an adapter with an argument
 * (command:…, file:…), or a path to a .js/.mjs module.
 */
export async function loadStrategy(spec: string, options: Omit<StrategyOptions, 'spec'>): Promise<Strategy> {
  // `command:python3 bin/strategy.py` and `file:/tmp/signal.json` name an adapter, whatever follows the colon.
  const adapter = /^([a-z][a-z0-9-]+):/.exec(spec)?.[1];
  const isPath = adapter === undefined && (/[\\/]/.test(spec) || /\.(c?m?js|ts)$/.test(spec));
  const moduleUrl = isPath ? resolveUserModule(spec) : resolveBuiltin(adapter ?? spec);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(moduleUrl)) as Record<string, unknown>;
  } catch (error) {
    throw new StrategyLoadError(`BRIDGE_STRATEGY: cannot load ${spec}: ${(error as Error).message}`);
  }
  const full: StrategyOptions = { ...options, spec };
  if (typeof mod.create === 'function') {
    return (await (mod.create as (o: StrategyOptions) => Strategy | Promise<Strategy>)(full)) as Strategy;
  }
  const exported = mod.default;
  const strategyName = isPath ? path.basename(spec) : spec;
  if (typeof exported === 'function') {
    return { name: strategyName, decide: (ctx: StrategyContext) => (exported as Strategy['decide'])(ctx) };
  }
  if (exported && typeof (exported as Strategy).decide === 'function') {
    const object = exported as Strategy;
    return { name: strategyName, decide: (ctx) => object.decide(ctx) };
  }
  throw new StrategyLoadError(
    `BRIDGE_STRATEGY: ${spec} exports no strategy (expected a default function decide(ctx), an object with decide(ctx), or create(options))`,
  );
}

function resolveBuiltin(name: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new StrategyLoadError(`BRIDGE_STRATEGY: unknown strategy ${name}`);
  const file = path.join(BUILTIN_DIR, `${name}.js`);
  if (!existsSync(file)) throw new StrategyLoadError(`BRIDGE_STRATEGY: no built-in strategy named ${name} (see strategies/README.md)`);
  return pathToFileURL(file).href;
}

function resolveUserModule(spec: string): string {
  const file = path.resolve(spec);
  if (!existsSync(file)) throw new StrategyLoadError(`BRIDGE_STRATEGY: no such file ${file}`);
  if (file.endsWith('.ts')) {
    throw new StrategyLoadError(`BRIDGE_STRATEGY: ${spec} is TypeScript; compile it to .js (or put it in strategies/ and run npm run build)`);
  }
  return pathToFileURL(file).href;
}
