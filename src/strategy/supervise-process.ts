import type { Logger } from '../logging/create-logger.js';
import { killProcessGroup } from './kill-process-group.js';
import { spawnWithLifeline, type LifelineChild } from './spawn-with-lifeline.js';

export interface SuperviseOptions {
  readonly commandLine: string;
  readonly env: Readonly<Record<string, string>>;
  readonly log: Logger;
  /** How long SIGTERM may take before SIGKILL when it is stopped. */
  readonly graceMs: number;
  /** The first wait before a restart; it doubles after each quick exit, up to `maxRestartMs`. */
  readonly restartMs: number;
  readonly maxRestartMs: number;
  /** A line longer than this is dropped (and said so): a signal is one word or a small JSON object. */
  readonly maxLineBytes: number;
  /** Each complete line of stdout, with the moment it was read. */
  readonly onLine: (line: string, at: number) => void;
  /** The process ended (before a restart is planned). */
  readonly onExit?: () => void;
}

export interface Supervised {
  start(): void;
  /** Stops the process and everything it started, and plans no restart. */
  stop(): Promise<void>;
  /** Whether a process runs now. */
  running(): boolean;
}

/** A process that ran at least this long before it ended was healthy: the next restart waits the least again. */
const HEALTHY_MS = 30_000;
const MAX_LOGGED = 2000;

/**
 * Keeps one long-running process alive: started through spawnWithLifeline (it dies with the
 * bridge, even on kill -9, setsid or not), its stdout read line by line, its stderr logged line
 * by line, restarted with exponential backoff whenever it ends. Its stdin stays open, unused, for
 * as long as the bridge runs: a process may take its end-of-file as "the bridge is gone".
 */
export function superviseProcess(options: SuperviseOptions): Supervised {
  const { log } = options;
  let current: LifelineChild | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stopped = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let waitMs = options.restartMs;

  const spawnOnce = () => {
    if (stopped) return;
    const startedAt = Date.now();
    const started = spawnWithLifeline(options.commandLine, { env: options.env, graceMs: options.graceMs });
    current = started;
    const { child } = started;
    log.info({ pid: child.pid }, 'stream strategy: process started');
    child.stdin.on('error', () => {});
    splitLines(child.stdout, options.maxLineBytes, (line) => options.onLine(line, Date.now()), (bytes) =>
      log.warn({ bytes }, `stream strategy: a line of more than ${options.maxLineBytes} bytes was dropped (a signal is one word or a small JSON object)`),
    );
    splitLines(child.stderr, MAX_LOGGED, (line) => {
      if (line.trim() !== '') log.info({ stderr: line }, 'stream strategy wrote to stderr');
    });
    exited = new Promise<void>((resolve) => {
      let done = false;
      const onEnd = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
        if (done) return;
        done = true;
        if (current === started) current = undefined;
        options.onExit?.();
        resolve();
        if (stopped) return;
        // Whatever it left behind (a child that called setsid) goes with it before the next start.
        if (started.pgid !== undefined) void killProcessGroup(started.pgid, { graceMs: options.graceMs, marker: started.marker }).catch(() => undefined);
        waitMs = Date.now() - startedAt >= HEALTHY_MS ? options.restartMs : waitMs;
        const how = error ? `could not start: ${error.message}` : code !== null ? `exited with code ${code}` : `was ended by ${signal ?? 'a signal'}`;
        log.warn({ pid: child.pid, ranMs: Date.now() - startedAt, restartInMs: waitMs }, `stream strategy: the process ${how}; restarting (the position is kept meanwhile)`);
        restartTimer = setTimeout(spawnOnce, waitMs);
        waitMs = Math.min(options.maxRestartMs, waitMs * 2);
      };
      child.once('error', (error) => onEnd(null, null, error));
      child.once('close', (code, signal) => onEnd(code, signal));
    });
  };

  return {
    start() {
      stopped = false;
      if (!current && !restartTimer) spawnOnce();
    },
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      restartTimer = undefined;
      const running = current;
      if (running?.pgid !== undefined) await killProcessGroup(running.pgid, { graceMs: options.graceMs, marker: running.marker }).catch(() => undefined);
      await exited;
    },
    running: () => current !== undefined,
  };
}

/** Calls `onLine` for each line of `stream` (without its end of line); a line over `maxBytes` is dropped. */
function splitLines(stream: NodeJS.ReadableStream, maxBytes: number, onLine: (line: string) => void, onTooLong?: (bytes: number) => void): void {
  let pending = '';
  let dropping = 0;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    let text = chunk;
    for (;;) {
      const end = text.indexOf('\n');
      if (end < 0) break;
      const line = pending + text.slice(0, end);
      text = text.slice(end + 1);
      pending = '';
      if (dropping > 0 || line.length > maxBytes) {
        onTooLong?.(dropping + line.length);
        dropping = 0;
        continue;
      }
      onLine(line.replace(/\r$/, ''));
    }
    if (dropping > 0) {
      dropping += text.length;
      return;
    }
    pending += text;
    if (pending.length > maxBytes) {
      dropping = pending.length;
      pending = '';
    }
  });
  stream.on('error', () => {});
}
