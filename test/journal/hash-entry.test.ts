import { describe, expect, it } from 'vitest';
import { canonicalJson, hashEntry } from '../../src/journal/hash-entry.js';

// An entry as an older release wrote it, with the hash that release gave it: a journal written then must still verify.
const entry = {
  type: 'opened',
  bridge: 'b-1',
  seq: 7,
  time: '2026-11-23T03:00:00.000Z',
  prev: '0'.repeat(64),
  side: 'BUY',
  volume: 0.5,
  nested: { z: 1, a: [1, { y: 'é"', b: null, u: undefined }], k: undefined },
  tradeId: '123',
};

describe('hashEntry', () => {
  it('gives the hash that journals already written carry', () => {
    expect(hashEntry({ ...entry, hash: 'ignored' })).toBe('5b70096e8715937633395450064962c479790d3144308cbf5a0f48212301d277');
  });

  it('does not depend on the order the fields were written in', () => {
    const reversed = Object.fromEntries(Object.entries(entry).reverse());
    expect(hashEntry(reversed)).toBe(hashEntry(entry));
  });

  it('sorts keys at every level and leaves out undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, undefined], c: undefined } })).toBe('{"a":{"d":[2,null]},"b":1}');
  });
});
