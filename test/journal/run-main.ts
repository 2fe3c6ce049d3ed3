/** The CLI in this process (main() with captured streams): for commands that need no child process. */
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sink(chunks: string[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
}

export async function runMain(argv: string[], env: Record<string, string | undefined>, cwd = process.cwd()): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: sink(out), stderr: sink(err), isTTY: false, cwd, env, signal: new AbortController().signal });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** A valid environment that reaches no server: enough for journal and verify. */
export function offlineEnv(store: string, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    ALGOGENE_BASE_URL: 'http://127.0.0.1:9/rest/v1',
    ALGOGENE_USER: 'demo',
    ALGOGENE_API_KEY: 'demo-key-123456',
    ALGOGENE_ACCOUNT_ID: 'acct-1',
    BRIDGE_STORE: store,
    BRIDGE_INSTRUMENT: 'BTCUSD',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}
