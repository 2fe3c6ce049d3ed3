/** Where a command writes: the real process in bin.ts, captured streams in tests. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly isTTY: boolean;
  readonly cwd: string;
  /** The process environment, passed in: nothing below bin.ts reads process.env. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

export const EXIT = { ok: 0, failed: 1, config: 2 } as const;
