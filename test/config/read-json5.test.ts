import { describe, expect, it } from 'vitest';
import { readJson5 } from '../../src/config/read-json5.js';

describe('readJson5: the bridges file syntax', () => {
  it('accepts comments, trailing commas, unquoted keys and single quotes', () => {
    const text = `// bridges\n{\n  /* many */ bridges: [\n    { id: 'a', volume: 0.5, }, // first\n  ],\n}\n`;
    expect(readJson5(text)).toEqual({ value: { bridges: [{ id: 'a', volume: 0.5 }] } });
  });

  it('leaves numbers inside strings and comments alone', () => {
    expect(readJson5(`{ "note": "0x10 and 1e3", /* 0x10 */ "n": 16 } // 1e3`)).toEqual({ value: { note: '0x10 and 1e3', n: 16 } });
  });

  it.each([
    ['{ "volume": 0x10 }', 1, 13, '0x10'],
    ['{\n  "volume": 1e3\n}', 2, 13, '1e3'],
    ['{ "volume": Infinity }', 1, 13, 'Infinity'],
    ['{ "volume": +1 }', 1, 13, '+1'],
    ['{ "volume": .5 }', 1, 13, '.5'],
    ['{ "volume": 5. }', 1, 13, '5.'],
  ])('%j: a number that is not plain decimal, with its line and column', (text, line, column, token) => {
    expect(readJson5(text)).toEqual({ error: `line ${line}, column ${column}: ${JSON.stringify(token)} is not a plain decimal number (write e.g. 16, 1000, 0.5)` });
  });

  it('a syntax error gives its line and column', () => {
    expect(readJson5('{\n  bridges: [\n    { id: "a" account: "x" }\n  ]\n}')).toEqual({ error: "line 3, column 15: invalid character 'a'" });
  });
});
