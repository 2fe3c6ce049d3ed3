import { AlgogeneError } from './algogene-error.js';

/** A readable JSON reply that does not have the documented shape: never trust a field of it. */
export class MalformedReplyError extends AlgogeneError {
  override name = 'MalformedReplyError';
  constructor(endpoint: string, detail: string) {
    super(`${endpoint}: malformed reply: ${detail}`, endpoint, 'unknown');
  }
}
