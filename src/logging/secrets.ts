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

/**
 * The forms a value takes in text: as is, percent-encoded as encodeURIComponent does, and as
 * URLSearchParams (and so got's searchParams) writes it, which also escapes !'()~ and turns a
 * space into '+', and escaped inside a JSON string, as a log line writes it.
 */
function formsOf(value: string): string[] {
  return [...new Set([value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2), JSON.stringify(value).slice(1, -1)])];
}

export function createSecrets(initial: Iterable<string | undefined> = []): Secrets {
  const values = new Set<string>();
  // Longest first, so that a value containing another is masked whole.
  let forms: string[] = [];
  const secrets: Secrets = {
    add(value) {
      if (!value || value.length < MIN_SECRET_LENGTH || values.has(value)) return;
      values.add(value);
      forms = [...new Set([...forms, ...formsOf(value)])].sort((a, b) => b.length - a.length);
    },
    redact(text) {
      let out = text;
      for (const form of forms) if (out.includes(form)) out = out.split(form).join(MASK);
      return out;
    },
    has(text) {
      return forms.some((form) => text.includes(form));
    },
  };
  for (const value of initial) secrets.add(value);
  return secrets;
}
