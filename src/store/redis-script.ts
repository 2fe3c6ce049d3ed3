import { createHash } from 'node:crypto';

export interface ScriptOptions {
  keys: string[];
  arguments: string[];
}

/** What running a script needs of a node-redis client. */
export interface ScriptClient {
  evalSha(sha: string, options: ScriptOptions): Promise<unknown>;
  eval(script: string, options: ScriptOptions): Promise<unknown>;
}

export interface RedisScript {
  readonly sha: string;
  run(redis: ScriptClient, options: ScriptOptions): Promise<unknown>;
}

/**
 * A Lua script sent by its SHA1 (EVALSHA): the text goes over the wire, and is hashed by Redis,
 * only when Redis does not know it yet (after a restart or SCRIPT FLUSH: NOSCRIPT), not at every
 * call. At thousands of bridges the fenced writes are most of a moment's Redis commands.
 */
export function redisScript(text: string): RedisScript {
  const sha = createHash('sha1').update(text).digest('hex');
  return {
    sha,
    async run(redis, options) {
      try {
        return await redis.evalSha(sha, options);
      } catch (error) {
        if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
        // EVAL runs it and caches it under the same SHA for the next call.
        return redis.eval(text, options);
      }
    },
  };
}
