import { open } from 'node:fs/promises';

export interface SignalFileRead {
  readonly text: string;
  /** Last modification of the very file that was read (not of whatever the path names now). */
  readonly mtimeMs: number;
}

/**
 * Reads a signal file in one read(2) from one open descriptor, and stats that descriptor, so
 * content and age belong to the same file even when the writer renames a new one into place
 * meanwhile. A file larger than `maxBytes` is refused. fs errors (ENOENT…) are thrown as they are.
 */
export async function readSignalFile(file: string, options: { maxBytes: number }): Promise<SignalFileRead> {
  const handle = await open(file, 'r');
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error(`${file} is not a regular file`);
    if (stat.size > options.maxBytes) throw new Error(`${file} holds ${stat.size} bytes, more than ${options.maxBytes}: a signal is one word or a small JSON object`);
    const buffer = Buffer.alloc(options.maxBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > options.maxBytes) throw new Error(`${file} holds more than ${options.maxBytes} bytes: a signal is one word or a small JSON object`);
    return { text: buffer.subarray(0, bytesRead).toString('utf8'), mtimeMs: stat.mtimeMs };
  } finally {
    await handle.close();
  }
}
