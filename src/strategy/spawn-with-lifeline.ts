import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { LIFELINE_VARIABLE } from './kill-process-group.js';

export interface LifelineChild {
  readonly child: ChildProcessWithoutNullStreams;
  /** The group id (the wrapper's pid), undefined when the spawn failed. */
  readonly pgid: number | undefined;
  /** The value of SIGNAL_BRIDGE_LIFELINE in the environment of the command and all it starts. */
  readonly marker: string;
}

/**
 * The wrapper, a POSIX shell script. $1 is the marker, $2 the command line, $3 the grace in
 * seconds. It starts a watcher that blocks reading fd 3, the lifeline: a socket whose other end
 * only the bridge holds, so that it reads end-of-file when the bridge's process ends, however it
 * ends (kill -9 included). The watcher then stops every process whose environment carries the
 * marker (SIGTERM, then SIGKILL after the grace): the command, its children, and any of them that
 * called setsid or double-forked, which leave the process group but keep the environment they
 * inherited. The command runs in the foreground without fd 3; when it ends normally the watcher
 * is stopped with it. (Only a process that deliberately empties its environment escapes: that
 * would take a cgroup.)
 */
const WRAPPER = `
( read -r _ <&3
  m="${LIFELINE_VARIABLE}=$1"
  p=$(grep -lzxF -- "$m" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3)
  [ -n "$p" ] && kill -TERM $p 2>/dev/null
  sleep "$3"
  p=$(grep -lzxF -- "$m" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3)
  [ -n "$p" ] && kill -KILL $p 2>/dev/null
) </dev/null >/dev/null 2>&1 &
w=$!
exec 3<&-
${LIFELINE_VARIABLE}="$1" /bin/sh -c "$2"
s=$?
kill $w 2>/dev/null
# A command ended by a signal ends the wrapper by the same signal, so that the bridge can say which.
[ $s -gt 128 ] && [ $s -lt 160 ] && trap - $((s - 128)) && kill -$((s - 128)) $$
exit $s
`;

/**
 * Spawns `commandLine` through the shell, in a process group of its own, tied to this process
 * by a lifeline (see WRAPPER): it cannot outlive the bridge, even when the bridge is killed with
 * SIGKILL. Stop it with killProcessGroup(pgid, { marker }). Linux (it reads /proc).
 */
export function spawnWithLifeline(commandLine: string, options: { env: Readonly<Record<string, string>>; cwd?: string; graceMs: number }): LifelineChild {
  const marker = `${process.pid}.${randomUUID()}`;
  const graceS = String(Math.max(0, Math.ceil(options.graceMs / 100) / 10));
  const child = spawn('/bin/sh', ['-c', WRAPPER, 'signal-bridge-strategy', marker, commandLine, graceS], {
    detached: true,
    env: options.env,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  }) as unknown as ChildProcessWithoutNullStreams;
  // The lifeline: never written to, destroyed once the child has ended (or with this process).
  const lifeline = child.stdio[3] as Readable | null;
  lifeline?.on('error', () => {});
  lifeline?.resume();
  child.once('exit', () => lifeline?.destroy());
  return { child, pgid: child.pid, marker };
}
