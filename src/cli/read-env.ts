import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from '../config-error.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface ReadEnv {
  readonly env: Env;
  /** The .env file read, if any. */
  readonly path?: string;
  /** The names whose value came from that file (the rest came from the environment). */
  readonly names: ReadonlySet<string>;
  readonly lookedIn: string;
}

/**
 * The process environment over a .env file (the one in the working directory when present, or
 * the one --env names, which must exist). Variables already set win, as with dotenv.
 * Returns a new object: process.env is never changed.
 */
export function readEnv(processEnv: Env, envFile: string | undefined, cwd: string): ReadEnv {
  const file = envFile === undefined ? path.join(cwd, '.env') : path.resolve(cwd, envFile);
  if (!existsSync(file)) {
    if (envFile !== undefined) throw new ConfigError([`--env: no such file ${file} (check the path)`]);
    return { env: { ...processEnv }, names: new Set(), lookedIn: cwd };
  }
  let parsed: Record<string, string>;
  try {
    if (statSync(file).isDirectory()) throw new Error('it is a directory');
    parsed = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new ConfigError([`--env: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  const names = new Set(Object.keys(parsed).filter((name) => processEnv[name] === undefined));
  return { env: { ...parsed, ...processEnv }, path: file, names, lookedIn: path.dirname(file) };
}
