import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { killProcessGroup } from './kill-process-group.js';
import { spawnWithLifeline } from './spawn-with-lifeline.js';

export interface RunCommandOptions {
  /** Written to stdin, which is then closed. */
  readonly input: string;
  /** The child's whole environment (nothing else is inherited). */
  readonly env: Readonly<Record<string, string>>;
  /** Aborted when the caller's time is up: the command is stopped. */
  readonly signal: AbortSignal;
  /** More stdout than this stops the command: its answer cannot be a signal. */
  readonly maxOutputBytes: number;
  /** How long SIGTERM may take before SIGKILL. */
  readonly killGraceMs: number;
  /** How much of stderr is kept for the log; the rest is read and dropped. */
  readonly maxStderrBytes?: number;
  readonly cwd?: string;
}

export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly pid: number;
}

/** A strategy command did not give an answer; the message says why, `stderr` holds the start of its stderr. */
export class CommandFailedError extends Error {
  override name = 'CommandFailedError';
  constructor(
    message: string,
    readonly stderr: string,
    readonly pid: number | undefined,
  ) {
    super(message);
  }
}

/**
 * Runs `commandLine` through the shell in a process group of its own, tied to this process by a
 * lifeline (spawnWithLifeline: it dies with the bridge, even on kill -9), `input` on stdin, and
 * resolves with its stdout once it has exited 0 and closed its output. A non-zero exit, too
 * much output or an abort rejects with CommandFailedError. Either way everything it started
 * (the group, and any process that left it with setsid) is stopped before the promise settles:
 * SIGTERM, then SIGKILL after `killGraceMs`. Linux.
 */
export function runCommand(commandLine: string, options: RunCommandOptions): Promise<CommandOutput> {
  const maxStderr = options.maxStderrBytes ?? 4096;
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      reject(new CommandFailedError('the command was not started: the strategy timeout had already passed', '', undefined));
      return;
    }
    let child: ChildProcessWithoutNullStreams;
    let marker: string;
    try {
      ({ child, marker } = spawnWithLifeline(commandLine, { env: options.env, cwd: options.cwd, graceMs: options.killGraceMs }));
    } catch (error) {
      reject(new CommandFailedError(`the command could not be started: ${(error as Error).message}`, '', undefined));
      return;
    }
    const pid = child.pid;
    const out: Buffer[] = [];
    let outBytes = 0;
    const err: Buffer[] = [];
    let errBytes = 0;
    let settled = false;

    const stderrText = () => Buffer.concat(err).toString('utf8');
    const settle = (failure?: string): void => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      // On failure this stops the command itself, before the caller hears of it; on success,
      // whatever the command left running behind it, without holding the answer up.
      const stopped = pid === undefined ? Promise.resolve() : killProcessGroup(pid, { graceMs: options.killGraceMs, marker }).then(() => undefined, () => undefined);
      if (failure === undefined) {
        resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: stderrText(), pid: pid as number });
        return;
      }
      void stopped.then(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        reject(new CommandFailedError(failure, stderrText(), pid));
      });
    };
    const onAbort = () => settle(options.signal.reason instanceof StopReason ? options.signal.reason.message : 'the command ran past the strategy timeout and was stopped');
    options.signal.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      if (settled) return;
      outBytes += chunk.length;
      if (outBytes > options.maxOutputBytes) {
        settle(`the command printed more than ${options.maxOutputBytes} bytes and was stopped (a signal is one word or a small JSON object)`);
        return;
      }
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errBytes >= maxStderr) return;
      const kept = chunk.subarray(0, maxStderr - errBytes);
      err.push(kept);
      errBytes += kept.length;
    });
    // A command that does not read its stdin (echo BUY) closes the pipe under us: not an error.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input);

    child.on('error', (error) => settle(`the command could not be started: ${error.message}`));
    // 'close', not 'exit': stdout is complete only when every process holding it has let go.
    child.on('close', (code, signal) => {
      if (code === 0) settle();
      else if (code !== null) settle(`the command exited with code ${code}${lastLine(stderrText())}`);
      else settle(`the command was ended by ${signal ?? 'a signal'}${lastLine(stderrText())}`);
    });
  });
}

/** The abort reason that says why a command was stopped other than by its timeout (the bridge is stopping). */
export class StopReason extends Error {
  override name = 'StopReason';
}

/** ": <last line of stderr>", short, for an error message; the full (truncated) stderr is logged apart. */
function lastLine(stderr: string): string {
  const line = stderr.trim().split('\n').pop()?.trim() ?? '';
  if (line === '') return '';
  return `: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`;
}
