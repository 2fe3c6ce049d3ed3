/**
 * Stops a process group started with `detached: true` (its leader's pid is the group id):
 * SIGTERM to the whole group, then SIGKILL to whatever is left after `graceMs`.
 * Resolves when the group is gone or SIGKILL has been sent; never throws for a group that
 * already ended. POSIX only.
 */
export async function killProcessGroup(pgid: number, options: { graceMs: number; pollMs?: number }): Promise<'gone' | 'terminated' | 'killed'> {
  // kill(-1) would signal every process we may signal, kill(-0) our own group: never.
  if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`killProcessGroup: refusing process group ${pgid}`);
  if (!signalGroup(pgid, 0)) return 'gone';
  signalGroup(pgid, 'SIGTERM');
  const pollMs = options.pollMs ?? 20;
  const deadline = Date.now() + options.graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    if (!signalGroup(pgid, 0)) return 'terminated';
  }
  signalGroup(pgid, 'SIGKILL');
  return 'killed';
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
