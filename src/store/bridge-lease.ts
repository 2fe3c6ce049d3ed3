import type { Store } from './create-store.js';
import { StoreForgotError } from './store-forgot-error.js';

export interface LeaseHolder {
  readonly host: string;
  readonly pid: number;
  /** Unique per process start, so that a recycled pid is never mistaken for us. */
  readonly instance: string;
  readonly since: string;
  readonly expiresAt: number;
  /** The fencing token: one more at each take-over, kept by renewals and across a release. */
  readonly epoch: number;
  /**
   * The scheduled moment (ISO) of the bridge's last tick that ended, as of the last renewal, and
   * carried on by the next holder: who takes over from a holder that died counts the moments
   * missed since. A tick that ended after that renewal is not in it yet.
   */
  readonly lastTick?: string;
}

/** `died`: the previous holder, when it was another process whose lease lapsed instead of being released. */
export type AcquireResult = { readonly ok: true; readonly died?: LeaseHolder } | { readonly ok: false; readonly holder: LeaseHolder };

/** What a fenced write of the bridge's state is conditional on: the lease record still names us, at this epoch. */
export interface Fence {
  readonly key: string;
  readonly instance: string;
  readonly epoch: number;
}

export interface BridgeLease {
  acquire(): Promise<AcquireResult>;
  /**
   * Extends the lease; false when it is no longer ours (another process took it). Throws when the
   * store cannot be reached (that is not a take-over) and StoreForgotError when the lease record is
   * gone (the store lost its data). Single-flight: overlapping calls share one write.
   */
  renew(): Promise<boolean>;
  /** Renews only when a third of the TTL has passed since the last renewal: a cheap timer's call. */
  keepAlive(): Promise<boolean>;
  /** How long the lease stays ours without another renewal (0 when it is not ours). */
  validForMs(): number;
  /** The token every write of the bridge's state must present; undefined once the lease is not ours. */
  fence(): Fence | undefined;
  /** A tick of `scheduledAt` ended: written into the record with the next renewal. */
  ticked(scheduledAt: Date): void;
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

export const leaseKey = (bridgeId: string) => `bridge:${bridgeId}:lease`;

/**
 * One writer per bridge: two processes on one store would publish every signal twice. The
 * lease is a record in the store with an expiry, renewed every tick and taken over only when it
 * expired or its holder is a process on this host that no longer exists. The record is never
 * deleted (a release marks it expired), so that its epoch only grows and a lease record that
 * vanished means the store lost its data.
 */
export function createBridgeLease(options: LeaseOptions): BridgeLease {
  const now = options.now ?? Date.now;
  const key = leaseKey(options.bridgeId);
  const { cells } = options.store;
  let mine: string | undefined;
  let mineHolder: LeaseHolder | undefined;
  let since = new Date(now()).toISOString();
  let renewing: Promise<boolean> | undefined;
  let lastTick: string | undefined;

  const value = (epoch: number, expiresAt = now() + options.ttlMs) => JSON.stringify({ ...options.me, since, expiresAt, epoch, lastTick } satisfies LeaseHolder);
  const takeable = (holder: LeaseHolder) =>
    holder.expiresAt <= now() || holder.instance === options.me.instance || (holder.host === options.me.host && !options.isAlive(holder.pid));
  const own = (text: string) => {
    mine = text;
    mineHolder = parseHolder(text);
  };

  async function renewOnce(): Promise<boolean> {
    if (mine === undefined || mineHolder === undefined) return false;
    const epoch = mineHolder.epoch;
    const next = value(epoch);
    if (await cells.compareAndSet(key, mine, next, options.ttlMs)) {
      own(next);
      return true;
    }
    const current = await cells.get(key);
    if (current === undefined) throw new StoreForgotError(`store ${options.store.where}: the lease record of bridge ${options.bridgeId} is gone: the store lost its data`);
    const holder = parseHolder(current);
    // Our own record, written by a renewal we did not wait for: still ours. Extend from it.
    if (holder && holder.instance === options.me.instance && holder.epoch === epoch) {
      own(current);
      if (await cells.compareAndSet(key, current, next, options.ttlMs)) own(next);
      return true;
    }
    mine = undefined;
    mineHolder = undefined;
    return false;
  }

  return {
    async acquire() {
      since = new Date(now()).toISOString();
      // A few rounds at most: each lost race means another process changed the lease meanwhile.
      for (let round = 0; round < 5; round += 1) {
        const first = value(1);
        if (await cells.setIfAbsent(key, first, options.ttlMs)) {
          own(first);
          return { ok: true };
        }
        const current = await cells.get(key);
        if (current === undefined) continue;
        const holder = parseHolder(current);
        if (holder && !takeable(holder)) return { ok: false, holder };
        // The bridge's last tick is known to whoever holds it next, whichever process ticked it.
        if (holder?.lastTick !== undefined && (lastTick === undefined || holder.lastTick > lastTick)) lastTick = holder.lastTick;
        const taken = value((holder?.epoch ?? 0) + 1);
        if (await cells.compareAndSet(key, current, taken, options.ttlMs)) {
          own(taken);
          // A release marks the record expired at 0: any other lapse is a holder that stopped without one.
          const died = holder && holder.instance !== options.me.instance && holder.expiresAt !== 0 ? holder : undefined;
          return died ? { ok: true, died } : { ok: true };
        }
      }
      const holder = parseHolder((await cells.get(key)) ?? '');
      if (holder) return { ok: false, holder };
      throw new Error(`lease ${key}: could not be read or taken`);
    },
    renew() {
      renewing ??= renewOnce().finally(() => {
        renewing = undefined;
      });
      return renewing;
    },
    keepAlive() {
      if (mineHolder !== undefined && mineHolder.expiresAt - now() > (options.ttlMs * 2) / 3) return Promise.resolve(true);
      return this.renew();
    },
    validForMs() {
      return mineHolder === undefined ? 0 : Math.max(0, mineHolder.expiresAt - now());
    },
    fence() {
      return mineHolder === undefined ? undefined : { key, instance: options.me.instance, epoch: mineHolder.epoch };
    },
    ticked(scheduledAt) {
      lastTick = scheduledAt.toISOString();
    },
    async release() {
      // Marked expired rather than deleted: the next holder counts its epoch on from ours.
      if (mine !== undefined && mineHolder !== undefined) await cells.compareAndSet(key, mine, value(mineHolder.epoch, 0), options.ttlMs).catch(() => false);
      mine = undefined;
      mineHolder = undefined;
    },
  };
}

export function parseHolder(text: string): LeaseHolder | undefined {
  try {
    const value = JSON.parse(text) as LeaseHolder;
    if (typeof value.expiresAt !== 'number' || typeof value.host !== 'string') return undefined;
    // A record written before epochs existed counts as epoch 0.
    return { ...value, epoch: typeof value.epoch === 'number' ? value.epoch : 0 };
  } catch {
    return undefined;
  }
}
