import { readdirSync, readFileSync } from 'node:fs';

/**
 * Stops a process group started with `detached: true` (its leader's pid is the group id):
 * SIGTERM to the whole group, then SIGKILL to whatever still runs after `graceMs`.
 * Resolves when the group is gone or SIGKILL has been sent. POSIX only.
 */
export async function killProcessGroup(pgid: number, options: { graceMs: number; pollMs?: number }): Promise<'gone' | 'terminated' | 'killed'> {
  // kill(-1) would signal every process we may signal, kill(-0) our own group: never.
  if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`killProcessGroup: refusing process group ${pgid}`);
  if (!groupRuns(pgid)) return 'gone';
  signalGroup(pgid, 'SIGTERM');
  const pollMs = options.pollMs ?? 20;
  const deadline = Date.now() + options.graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    if (!groupRuns(pgid)) return 'terminated';
  }
  signalGroup(pgid, 'SIGKILL');
  return 'killed';
}

/**
 * Whether a process of the group still runs. kill(-pgid, 0) also succeeds for zombies (children
 * that died and wait for a parent to reap them, which a container's init may never do), so on
 * Linux the members are looked up in /proc and zombies do not count.
 */
function groupRuns(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

/** Sends `signal` to every process of the group; false when the group no longer exists. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}
