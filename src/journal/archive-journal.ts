import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import type { Journal } from './create-journal.js';
import type { JournalEntry } from './events.js';

export interface ArchiveResult {
  readonly bridge: string;
  readonly archived: number;
  readonly uptoSeq?: number;
  readonly file?: string;
}

/**
 * Retention: exports the bridge's entries older than `before` to a JSON Lines file (written and
 * synced first), records a `retention` entry whose `anchor` is the hash of the last archived
 * entry, and only then drops them. The chain verifies from that anchor on; a crash between
 * the steps leaves entries kept twice, never a chain that cannot be verified.
 */
export async function archiveJournal(journal: Journal, bridge: string, options: { before: Date; dir: string }): Promise<ArchiveResult> {
  const entries = await journal.entries({ bridge });
  // Only a prefix of the chain can go: the first entry kept must directly follow the anchor.
  const old: JournalEntry[] = [];
  for (const entry of entries) {
    if (!(Date.parse(entry.time) < options.before.getTime())) break;
    old.push(entry);
  }
  const last = old.at(-1);
  if (!last) return { bridge, archived: 0 };
  await mkdir(options.dir, { recursive: true });
  const file = path.resolve(options.dir, `${bridge}-${old[0]!.seq}-${last.seq}.jsonl`);
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(old.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await journal.append(bridge, { type: 'retention', archived: old.length, uptoSeq: last.seq, anchor: last.hash, file });
  await journal.backend.dropUpTo(bridge, last.seq);
  return { bridge, archived: old.length, uptoSeq: last.seq, file };
}
