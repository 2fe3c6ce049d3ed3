import type { z } from 'zod';

/**
 * One declared variable: the configuration's own (src/config/vars.ts) and each strategy's
 * (`export const settings` in its module) are declared alike and checked by the same code.
 */
export interface Setting {
  /** BRIDGE_… (or ALGOGENE_…): unknown names with these prefixes are refused. */
  readonly name: string;
  /** Parses the trimmed text; absent, any non-blank text is accepted. */
  readonly schema?: z.ZodType<unknown, string | undefined>;
  /** What the value should look like, for the error message: "a whole number > 0". */
  readonly expects?: string;
  /** The text used when the variable is blank or absent; without one the setting is required. */
  readonly default?: string;
  /** Optional settings without a default stay unset. */
  readonly optional?: boolean;
  /** One line: what it does. `check` prints it. */
  readonly meaning: string;
  /** Never echoed, masked by `check`, added to the scrubber. */
  readonly secret?: boolean;
}

/** What config knows of strategies: the settings each declares. Built by the CLI, which may load modules; config loads nothing. */
export interface StrategyCatalog {
  /** The settings the strategy `spec` (a name, command:…, a path) declares; undefined if it is not in the catalog. */
  settingsOf(spec: string): readonly Setting[] | undefined;
  /** Every setting that any strategy in the catalog declares: a variable set for another strategy is not a typo. */
  all(): readonly Setting[];
}

export const EMPTY_CATALOG: StrategyCatalog = { settingsOf: () => undefined, all: () => [] };

/** A catalog from known declarations, by strategy name or path (`command:…` finds `command`): for the demo and tests. */
export function catalogFrom(bySpec: Readonly<Record<string, readonly Setting[]>>): StrategyCatalog {
  const all = [...new Map(Object.values(bySpec).flat().map((s) => [s.name, s])).values()];
  return {
    settingsOf: (spec) => bySpec[spec] ?? bySpec[/^([a-z][a-z0-9-]+):/.exec(spec)?.[1] ?? ''],
    all: () => all,
  };
}
