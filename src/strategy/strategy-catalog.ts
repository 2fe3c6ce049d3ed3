import type { Setting, StrategyCatalog } from '../config/setting.js';
import { builtinStrategies, importStrategy, resolveStrategy, StrategyLoadError } from './load-strategy.js';

/**
 * What config needs to know of strategies, loaded before config is read: the settings that each
 * module that `specs` names declares (`export const settings`) and, when a variable could be
 * another built-in's setting, those of every built-in: a variable set for another strategy is
 * not a typo. `undeclared` lists the environment's names that config itself does not know; when
 * the named strategies declare them all (or there are none), the other built-ins are not loaded,
 * which spares every command their modules. Without it every built-in is loaded. An unknown
 * strategy or a module that does not load is a StrategyLoadError (exit 2).
 */
export async function loadStrategyCatalog(specs: readonly string[], options: { undeclared?: readonly string[] } = {}): Promise<StrategyCatalog> {
  const byFile = new Map<string, readonly Setting[]>();
  for (const spec of new Set(specs)) {
    const { file } = resolveStrategy(spec);
    if (!byFile.has(file)) byFile.set(file, declared(spec, await importStrategy(spec)));
  }
  const named = new Set([...byFile.values()].flat().map((s) => s.name));
  if (options.undeclared === undefined || options.undeclared.some((name) => !named.has(name))) {
    for (const name of builtinStrategies()) {
      const { file } = resolveStrategy(name);
      if (!byFile.has(file)) byFile.set(file, declared(name, await importStrategy(name)));
    }
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
