import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { StoreError } from './store-error.js';

const SQLITE_MAGIC = 'SQLite format 3\u0000';

/**
 * Before a SQLite store is opened: the path can hold our database. Each case a user meets (a
 * folder, another kind of file, a folder this user cannot write, a parent that is a file, a
 * kernel file system) is a StoreError naming the path and the fix, instead of a driver's stack
 * trace or a hang.
 */
export function preflightStore(url: string): void {
  if (!url.startsWith('sqlite://')) return;
  const file = path.resolve(url.slice('sqlite://'.length));
  const fix = 'set BRIDGE_STORE=sqlite://<a writable folder>/bridge.sqlite';
  if (/^\/(proc|sys|dev)(\/|$)/.test(file)) throw new StoreError(`BRIDGE_STORE: ${file} is under /${file.split('/')[1]}, a kernel file system that cannot hold a database: ${fix}`);
  if (existsSync(file)) {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new StoreError(`BRIDGE_STORE: ${file} is a folder: name a file in it, e.g. sqlite://${path.join(file, 'bridge.sqlite')}`);
    if (!stat.isFile()) throw new StoreError(`BRIDGE_STORE: ${file} is not a regular file: ${fix}`);
    if (stat.size > 0 && readHead(file) !== SQLITE_MAGIC) throw new StoreError(`BRIDGE_STORE: ${file} exists and is not a SQLite database: choose another path (the file is left as it is)`);
    if (!writable(file)) throw new StoreError(`BRIDGE_STORE: ${file} is not writable by this user: fix its permissions or ${fix}`);
    return;
  }
  // The nearest existing ancestor must be a folder this user may write into.
  let dir = path.dirname(file);
  while (!existsSync(dir)) dir = path.dirname(dir);
  if (!statSync(dir).isDirectory()) throw new StoreError(`BRIDGE_STORE: ${dir} is a file, so ${file} cannot be created under it: ${fix}`);
  if (!writable(dir)) throw new StoreError(`BRIDGE_STORE: cannot create ${file}: the folder ${dir} is not writable by this user: ${fix}`);
}

function readHead(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(16);
    const n = readSync(fd, buffer, 0, 16, 0);
    return buffer.subarray(0, n).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

function writable(target: string): boolean {
  try {
    accessSync(target, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
