import type { Store } from './create-store.js';

export interface LeaseHolder {
  readonly host: string;
  readonly pid: number;
  /** Unique per process start, so that a recycled pid is never mistaken for us. */
  readonly instance: string;
  readonly since: string;
  readonly expiresAt: number;
}

export type AcquireResult = { readonly ok: true } | { readonly ok: false; readonly holder: LeaseHolder };

export interface BridgeLease {
  acquire(): Promise<AcquireResult>;
  /** Extends the lease; false when it is no longer ours (it expired and another process took it). */
  renew(): Promise<boolean>;
  /** Renews only when a third of the TTL has passed since the last renewal: a cheap timer's call. */
  keepAlive(): Promise<boolean>;
  /** How long the lease stays ours without another renewal (0 when it is not ours). */
  validForMs(): number;
  release(): Promise<void>;
}

export interface LeaseOptions {
  readonly store: Store;
  readonly bridgeId: string;
  readonly ttlMs: number;
  readonly me: { host: string; pid: number; instance: string };
  /** Whether a process on this host is alive; a lease held by a dead local process is taken at once. */
  readonly isAlive: (pid: number) => boolean;
  readonly now?: () => number;
}

/**
 * One writer per bridge: two processes on one store would publish every signal twice. The
 * lease is a value in the store with an expiry, renewed every tick and taken over only when it
 * expired or its holder is a process on this host that no longer exists.
 */
export function createBridgeLease(options: LeaseOptions): BridgeLease {
  const now = options.now ?? Date.now;
  const key = `bridge:${options.bridgeId}:lease`;
  const { cells } = options.store;
  let mine: string | undefined;
  let mineUntil = 0;
  let since = new Date(now()).toISOString();

  const value = () => JSON.stringify({ ...options.me, since, expiresAt: now() + options.ttlMs } satisfies LeaseHolder);
  const takeable = (holder: LeaseHolder) =>
    holder.expiresAt <= now() || holder.instance === options.me.instance || (holder.host === options.me.host && !options.isAlive(holder.pid));

  return {
    async acquire() {
      since = new Date(now()).toISOString();
      // A few rounds at most: each lost race means another process changed the lease meanwhile.
      for (let round = 0; round < 5; round += 1) {
        const fresh = value();
        if (await cells.setIfAbsent(key, fresh, options.ttlMs)) {
          mine = fresh;
          mineUntil = untilOf(fresh);
          return { ok: true };
        }
        const current = await cells.get(key);
        if (current === undefined) continue;
        const holder = parseHolder(current);
        if (holder && !takeable(holder)) return { ok: false, holder };
        if (await cells.compareAndSet(key, current, fresh, options.ttlMs)) {
          mine = fresh;
          mineUntil = untilOf(fresh);
          return { ok: true };
        }
      }
      const holder = parseHolder((await cells.get(key)) ?? '');
      if (holder) return { ok: false, holder };
      throw new Error(`lease ${key}: could not be read or taken`);
    },
    async renew() {
      if (mine === undefined) return false;
      const next = value();
      if (!(await cells.compareAndSet(key, mine, next, options.ttlMs))) {
        mine = undefined;
        return false;
      }
      mine = next;
      mineUntil = untilOf(next);
      return true;
    },
    keepAlive() {
      if (mine !== undefined && mineUntil - now() > (options.ttlMs * 2) / 3) return Promise.resolve(true);
      return this.renew();
    },
    validForMs() {
      return mine === undefined ? 0 : Math.max(0, mineUntil - now());
    },
    async release() {
      if (mine !== undefined) await cells.compareAndDelete(key, mine).catch(() => false);
      mine = undefined;
    },
  };
}

function untilOf(value: string): number {
  return parseHolder(value)?.expiresAt ?? 0;
}

function parseHolder(text: string): LeaseHolder | undefined {
  try {
    const value = JSON.parse(text) as LeaseHolder;
    return typeof value.expiresAt === 'number' && typeof value.host === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
