/**
 * The values that must never reach any output: the API key and every session token.
 * ALGOGENE puts both in query strings, so a URL, an error message or a stack trace can
 * carry them; the log stream scrubs every line against this set as a last line of defence.
 */
export interface Secrets {
  add(value: string | undefined): void;
  redact(text: string): string;
  has(text: string): boolean;
}

const MASK = '[REDACTED]';
// Shorter values would mask ordinary words; real keys and tokens are far longer.
const MIN_SECRET_LENGTH = 6;

export function createSecrets(initial: Iterable<string | undefined> = []): Secrets {
  const values = new Set<string>();
  const secrets: Secrets = {
    add(value) {
      if (value && value.length >= MIN_SECRET_LENGTH) values.add(value);
    },
    redact(text) {
      let out = text;
      for (const value of values) {
        if (out.includes(value)) out = out.split(value).join(MASK);
        const encoded = encodeURIComponent(value);
        if (encoded !== value && out.includes(encoded)) out = out.split(encoded).join(MASK);
      }
      return out;
    },
    has(text) {
      for (const value of values) if (text.includes(value)) return true;
      return false;
    },
  };
  for (const value of initial) secrets.add(value);
  return secrets;
}
