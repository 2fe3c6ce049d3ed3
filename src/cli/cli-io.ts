import type { Secrets } from '../logging/secrets.js';

/** Where a command writes: the real process in bin.ts, captured streams in tests. */
export interface CliIo {
  /** Already scrubbed of `secrets` when a command sees them: main() wraps them once. */
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly isTTY: boolean;
  readonly cwd: string;
  /** The process environment, passed in: nothing below bin.ts reads process.env. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /** The values no output may carry: API keys, secret settings, every session token issued. */
  readonly secrets: Secrets;
}

export const EXIT = { ok: 0, failed: 1, config: 2 } as const;
