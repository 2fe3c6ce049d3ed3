import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logging/create-logger.js';

export interface SignalFileWatcher {
  close(): void;
}

/**
 * Watches the folder of a signal file (a file replaced by rename is a new inode: a watch on the
 * file itself would go deaf after the first rename) and calls `onNew` with the moment the change
 * was seen, once per new version of the file: a different inode or modification time from the
 * last one seen. Events for other names in the folder (the writer's temporary file) are ignored.
 * Events that arrive while a check runs are coalesced into one more check after it, which is the
 * debounce of a write-then-rename burst without a timer's delay on the path to the order; the
 * version that is there when the file is first watched is not new.
 */
export function watchSignalFile(file: string, options: { log: Logger; onNew: (seenAt: number) => void }): SignalFileWatcher {
  const folder = path.dirname(file);
  const name = path.basename(file);
  let last: string | undefined;
  let checking = false;
  let again: number | undefined;
  let closed = false;

  const version = async (): Promise<string | undefined> => {
    try {
      const s = await stat(file);
      return s.isFile() && s.size > 0 ? `${s.ino}:${s.mtimeMs}:${s.size}` : undefined;
    } catch {
      return undefined; // gone meanwhile: the next rename brings it back
    }
  };
  const check = async (seenAt: number) => {
    if (checking) {
      again ??= seenAt;
      return;
    }
    checking = true;
    try {
      const now = await version();
      if (!closed && now !== undefined && now !== last) {
        last = now;
        options.onNew(seenAt);
      }
    } finally {
      checking = false;
    }
    if (again !== undefined && !closed) {
      const next = again;
      again = undefined;
      void check(next);
    }
  };

  let watcher: FSWatcher | undefined;
  void version().then((v) => {
    last ??= v;
  });
  try {
    watcher = watch(folder, { persistent: false }, (_event, changed) => {
      // Some platforms give no name: then any change in the folder may be ours.
      if (changed !== null && changed !== name) return;
      void check(Date.now());
    });
    watcher.on('error', (error) => options.log.warn({ folder, error: error.message }, 'file strategy: the folder cannot be watched any more; the file is read at each scheduled tick only'));
  } catch (error) {
    options.log.warn({ folder, error: (error as Error).message }, 'file strategy: cannot watch the folder; the file is read at each scheduled tick only');
  }
  return {
    close() {
      closed = true;
      watcher?.close();
    },
  };
}
