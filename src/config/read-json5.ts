import { createRequire } from 'node:module';

// Loaded on the first bridges file: a command of one bridge from the environment never needs the parser.
const requireHere = createRequire(import.meta.url);
const json5 = () => requireHere('json5') as typeof import('json5');

/**
 * A bridges file: JSON5 (comments, trailing commas, unquoted keys), with numbers in plain
 * decimal notation only. JSON5 would read 0x10, 1e3, +1, .5 and Infinity as numbers; here each
 * is an error with its line and column, like any syntax error.
 */
export function readJson5(text: string): { value: unknown } | { error: string } {
  const odd = oddNumber(text);
  if (odd) return { error: `line ${odd.line}, column ${odd.column}: ${JSON.stringify(odd.token)} is not a plain decimal number (write e.g. 16, 1000, 0.5)` };
  try {
    return { value: json5().parse(text) };
  } catch (error) {
    const e = error as SyntaxError & { lineNumber?: number; columnNumber?: number };
    const reason = e.message.replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '');
    return { error: e.lineNumber !== undefined ? `line ${e.lineNumber}, column ${e.columnNumber}: ${reason}` : reason };
  }
}

/** The first number-like token outside strings and comments that is not plain decimal. */
function oddNumber(text: string): { token: string; line: number; column: number } | undefined {
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      i++;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else if (/[\w.+$-]/.test(c)) {
      const start = i;
      while (i < text.length && /[\w.+$-]/.test(text[i]!)) i++;
      const token = text.slice(start, i);
      const numeric = /^[-+.\d]/.test(token) || /^(Infinity|NaN)$/.test(token.replace(/^[-+]/, ''));
      if (numeric && !/^-?\d+(\.\d+)?$/.test(token)) {
        const before = text.slice(0, start).split('\n');
        return { token, line: before.length, column: before[before.length - 1]!.length + 1 };
      }
    } else i++;
  }
  return undefined;
}
