import type { Setting, StrategyCatalog } from '../config/setting.js';
import { builtinStrategies, importStrategy, resolveStrategy, StrategyLoadError } from './load-strategy.js';

/**
 * What config needs to know of strategies, loaded before config is read: the settings that each
 * built-in declares (`export const settings`) and those of each module that `specs` names. An
 * unknown strategy or a module that does not load is a StrategyLoadError (exit 2).
 */
export async function loadStrategyCatalog(specs: readonly string[]): Promise<StrategyCatalog> {
  const byFile = new Map<string, readonly Setting[]>();
  for (const name of builtinStrategies()) {
    byFile.set(resolveStrategy(name).file, declared(name, await importStrategy(name)));
  }
  for (const spec of new Set(specs)) {
    const { file } = resolveStrategy(spec);
    if (!byFile.has(file)) byFile.set(file, declared(spec, await importStrategy(spec)));
  }
  const all = [...byFile.values()].flat();
  return {
    settingsOf(spec) {
      try {
        return byFile.get(resolveStrategy(spec).file);
      } catch {
        return undefined;
      }
    },
    all: () => all,
  };
}

function declared(spec: string, mod: Record<string, unknown>): readonly Setting[] {
  const settings = mod.settings;
  if (settings === undefined) return [];
  const ok = Array.isArray(settings) && settings.every((s) => s && typeof s === 'object' && typeof (s as Setting).name === 'string' && typeof (s as Setting).meaning === 'string');
  if (!ok) throw new StrategyLoadError(`BRIDGE_STRATEGY: ${spec} exports settings that are not a list of { name, meaning, default?, schema? }`);
  return settings as readonly Setting[];
}
