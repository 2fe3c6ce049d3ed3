import { eventSchema } from './events.js';
import { GENESIS, hashEntry } from './hash-entry.js';
import type { StoredEntry } from './journal-backend.js';

export type ChainCheck =
  | { readonly ok: true; readonly bridge: string; readonly entries: number; readonly head?: string }
  | { readonly ok: false; readonly bridge: string; readonly entries: number; readonly seq: number; readonly reason: string };

/**
 * Checks one bridge's chain as stored: every entry in its place (seq one more than the last),
 * naming this bridge, well formed, pointing at the hash of the entry before it and hashing to
 * its own `hash`. A chain whose first entries were archived starts from the anchor its latest
 * `retention` entry recorded. Names the first entry at which the chain breaks.
 */
export function verifyChain(bridge: string, stored: readonly StoredEntry[]): ChainCheck {
  const broken = (seq: number, reason: string): ChainCheck => ({ ok: false, bridge, entries: stored.length, seq, reason });
  if (stored.length === 0) return { ok: true, bridge, entries: 0 };
  const firstSeq = stored[0]!.seq;
  let prev = GENESIS;
  if (firstSeq !== 1) {
    const retention = stored.filter((s) => s.entry?.type === 'retention' && s.entry.uptoSeq === firstSeq - 1).at(-1);
    if (!retention) return broken(firstSeq, `entries before ${firstSeq} are missing and no retention entry records archiving them`);
    prev = String(retention.entry?.anchor);
  }
  let expected = firstSeq;
  for (const { seq, entry } of stored) {
    if (seq !== expected) return broken(expected, `entry ${expected} is missing (the next stored is ${seq})`);
    if (!entry) return broken(seq, 'not a JSON object');
    if (entry.seq !== seq) return broken(seq, `stored at ${seq} but says it is entry ${String(entry.seq)} (moved or swapped)`);
    if (entry.bridge !== bridge) return broken(seq, `names bridge ${String(entry.bridge)}`);
    if (entry.prev !== prev) return broken(seq, 'does not follow the entry before it (prev differs: an entry before it was changed, removed or inserted)');
    if (typeof entry.hash !== 'string' || hashEntry(entry) !== entry.hash) return broken(seq, typeof entry.hash === 'string' ? 'hash does not match its content (edited)' : 'has no hash (appended by hand?)');
    if (typeof entry.time !== 'string' || Number.isNaN(Date.parse(entry.time))) return broken(seq, 'time is not an ISO 8601 time');
    const event = eventSchema.safeParse(entry);
    if (!event.success) return broken(seq, `not a valid ${String(entry.type)} event: ${event.error.issues[0]?.message ?? ''}`);
    prev = entry.hash;
    expected += 1;
  }
  return { ok: true, bridge, entries: stored.length, head: prev };
}
