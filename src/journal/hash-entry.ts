import { createHash } from 'node:crypto';

/** The hash before the first entry of every chain. */
export const GENESIS = '0'.repeat(64);

/**
 * JSON with object keys sorted at every level and no whitespace: the same entry always gives
 * the same bytes, whichever order its fields were written or read back in.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 (hex) of the entry's canonical form, every field but `hash` itself; `prev` is included, which chains it. */
export function hashEntry(entry: Readonly<Record<string, unknown>>): string {
  const { hash: _hash, ...rest } = entry;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}
