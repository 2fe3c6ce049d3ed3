import { readdirSync, readFileSync } from 'node:fs';

/**
 * Stops a process group started with `detached: true` (its leader's pid is the group id):
 * SIGTERM to the whole group, then SIGKILL to whatever still runs after `graceMs`.
 * With `marker` (the lifeline variable's value, see spawnWithLifeline), every live process whose
 * environment carries it is stopped too: a command that called setsid left the group, not the
 * environment it inherited. Resolves when all are gone or SIGKILL has been sent. Linux for the
 * marker; the group alone on any POSIX system.
 */
export async function killProcessGroup(pgid: number, options: { graceMs: number; pollMs?: number; marker?: string }): Promise<'gone' | 'terminated' | 'killed'> {
  // kill(-1) would signal every process we may signal, kill(-0) our own group: never.
  if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`killProcessGroup: refusing process group ${pgid}`);
  const marked = options.marker === undefined ? undefined : `${LIFELINE_VARIABLE}=${options.marker}`;
  let left = members(pgid, marked);
  if (left.length === 0) return 'gone';
  signalGroup(pgid, 'SIGTERM');
  signalEach(left, 'SIGTERM');
  const pollMs = options.pollMs ?? 20;
  const deadline = Date.now() + options.graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    left = members(pgid, marked);
    if (left.length === 0) return 'terminated';
  }
  signalGroup(pgid, 'SIGKILL');
  signalEach(left, 'SIGKILL');
  return 'killed';
}

/** The variable that marks every process started for a strategy command (its value is unique per start). */
export const LIFELINE_VARIABLE = 'SIGNAL_BRIDGE_LIFELINE';

/**
 * The live (not zombie) processes of the group, and those whose environment holds `marked`.
 * kill(-pgid, 0) also succeeds for zombies (children that died and wait for a parent to reap
 * them, which a container's init may never do), so on Linux members are looked up in /proc.
 */
function members(pgid: number, marked: string | undefined): number[] {
  const groupExists = signalGroup(pgid, 0);
  if (!groupExists && marked === undefined) return [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return groupExists ? [pgid] : [];
  }
  const found: number[] = [];
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
    if (fields[0] === 'Z' || fields[0] === 'X') continue;
    if (Number(fields[2]) === pgid || (marked !== undefined && environHas(entry, marked))) found.push(Number(entry));
  }
  return found;
}

function environHas(pid: string, entry: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
  } catch {
    return false; // ended meanwhile, or another user's
  }
}

function signalEach(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    if (pid <= 1 || pid === process.pid) continue;
    try {
      process.kill(pid, signal);
    } catch {
      // ended meanwhile
    }
  }
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
