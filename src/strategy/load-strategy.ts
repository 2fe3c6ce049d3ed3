import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Strategy, StrategyContext, StrategyOptions } from './types.js';

/** The compiled strategies/ folder, beside src/ in dist/. */
export const BUILTIN_DIR = fileURLToPath(new URL('../../strategies/', import.meta.url));

/** A strategy could not be loaded: a configuration problem, so the CLI exits 2. */
export class StrategyLoadError extends Error {
  override name = 'StrategyLoadError';
}

/** Where a strategy spec's module is: a built-in (by name or adapter) or a user's file. */
export interface StrategyModuleRef {
  readonly url: string;
  readonly isPath: boolean;
  readonly file: string;
}

/**
 * BRIDGE_STRATEGY is a built-in name (random, sma-cross), an adapter with an argument
 * (command:…, file:…), or a path to a .js/.mjs module.
 */
export function resolveStrategy(spec: string): StrategyModuleRef {
  // `command:python3 bin/strategy.py` and `file:/tmp/signal.json` name an adapter, whatever follows the colon.
  const adapter = /^([a-z][a-z0-9-]+):/.exec(spec)?.[1];
  const isPath = adapter === undefined && (/[\\/]/.test(spec) || /\.(c?m?js|ts)$/.test(spec));
  const file = isPath ? resolveUserModule(spec) : resolveBuiltin(adapter ?? spec);
  return { url: pathToFileURL(file).href, isPath, file };
}

/** The module of `spec`, imported; a syntax error in a user's module names its file, line and column. */
export async function importStrategy(spec: string): Promise<Record<string, unknown>> {
  const ref = resolveStrategy(spec);
  try {
    return (await import(ref.url)) as Record<string, unknown>;
  } catch (error) {
    const where = error instanceof SyntaxError ? await syntaxErrorAt(ref.file) : undefined;
    throw new StrategyLoadError(`BRIDGE_STRATEGY: cannot load ${spec}: ${where ? `${where}: ` : ''}${(error as Error).message}`);
  }
}

export async function loadStrategy(spec: string, options: Omit<StrategyOptions, 'spec'>): Promise<Strategy> {
  const { isPath } = resolveStrategy(spec);
  const mod = await importStrategy(spec);
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

/** The built-in strategies' names: the modules in strategies/. */
export function builtinStrategies(): string[] {
  return readdirSync(BUILTIN_DIR)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3))
    .sort();
}

function resolveBuiltin(name: string): string {
  const file = path.join(BUILTIN_DIR, `${name}.js`);
  if (!/^[a-z][a-z0-9-]*$/.test(name) || !existsSync(file)) {
    throw new StrategyLoadError(
      `BRIDGE_STRATEGY: no built-in strategy named ${name}; the built-ins are ${builtinStrategies().join(', ')} (command: and file: take an argument), or give the path of a .js/.mjs module`,
    );
  }
  return file;
}

function resolveUserModule(spec: string): string {
  const file = path.resolve(spec);
  if (!existsSync(file)) throw new StrategyLoadError(`BRIDGE_STRATEGY: no such file ${file}`);
  if (file.endsWith('.ts')) {
    throw new StrategyLoadError(`BRIDGE_STRATEGY: ${spec} is TypeScript; compile it to .js (or put it in strategies/ and run npm run build)`);
  }
  return file;
}

/** "file:line:column" of a syntax error, which import() does not say: `node --check` does. */
function syntaxErrorAt(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--check', file], { timeout: 10_000 }, (_error, _stdout, stderr) => {
      // "<file>:<line>\n<source line>\n<spaces>^^^\n\nSyntaxError: …"
      const lines = String(stderr).split('\n');
      const at = /:(\d+)$/.exec(lines[0] ?? '');
      const caret = lines.findIndex((l) => /^\s*\^/.test(l));
      if (!at) return resolve(undefined);
      const column = caret >= 0 ? lines[caret]!.indexOf('^') + 1 : undefined;
      resolve(`${file}:${at[1]}${column !== undefined ? `:${column}` : ''}`);
    });
  });
}
