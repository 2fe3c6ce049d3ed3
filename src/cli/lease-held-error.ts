import type { LeaseHolder } from '../store/bridge-lease.js';

/** Another live process holds a bridge this command would write for: a refusal, exit 2. */
export class LeaseHeldError extends Error {
  override name = 'LeaseHeldError';
  constructor(
    readonly bridgeId: string,
    readonly holder: LeaseHolder,
  ) {
    super(
      `bridge ${bridgeId} is held by process ${holder.pid} on ${holder.host} since ${holder.since}; ` +
        `stop that process, wait until its lease expires (${new Date(holder.expiresAt).toISOString()}), or start this one with run --standby`,
    );
  }
}
