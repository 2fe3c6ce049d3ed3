import { hash } from 'node:crypto';

/** The hash before the first entry of every chain. */
export const GENESIS = '0'.repeat(64);

/**
 * JSON with object keys sorted at every level and no whitespace: the same entry always gives
 * the same bytes, whichever order its fields were written or read back in. Every tick hashes
 * several entries, so this builds one string instead of arrays of pairs; its bytes must never
 * change, or journals written before would no longer verify.
 */
export function canonicalJson(value: unknown, skipKey?: string): string {
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // The default sort compares UTF-16 code units, as the journal always has.
    const keys = Object.keys(record).sort();
    let out = '{';
    for (const key of keys) {
      const item = record[key];
      if (item === undefined || key === skipKey) continue;
      out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(item);
    }
    return `${out}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 (hex) of the entry's canonical form, every field but `hash` itself; `prev` is included, which chains it. */
export function hashEntry(entry: Readonly<Record<string, unknown>>): string {
  return hash('sha256', canonicalJson(entry, 'hash'), 'hex');
}
