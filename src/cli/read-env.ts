import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from '../config-error.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The process environment over a .env file (the one in the working directory when present, or
 * the one --env-file names, which must exist). Variables already set win, as with dotenv.
 * Returns a new object: process.env is never changed.
 */
export function readEnv(processEnv: Env, envFile: string | undefined, cwd: string): Env {
  const file = envFile ?? path.join(cwd, '.env');
  if (!existsSync(file)) {
    if (envFile !== undefined) throw new ConfigError([`--env-file: no such file ${envFile}`]);
    return { ...processEnv };
  }
  let parsed: Record<string, string>;
  try {
    parsed = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new ConfigError([`--env-file: cannot read ${file}: ${(error as Error).message}`]);
  }
  return { ...parsed, ...processEnv };
}
