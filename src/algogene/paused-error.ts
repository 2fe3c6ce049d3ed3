import { AlgogeneError } from './algogene-error.js';

/** Not sent: the user's calls are paused after a rate limit (or over the per-minute budget). Nothing happened on the server. */
export class PausedError extends AlgogeneError {
  override name = 'PausedError';
  constructor(
    endpoint: string,
    readonly resumesInMs: number,
  ) {
    super(`${endpoint}: not sent, this user's calls are paused for ${Math.ceil(resumesInMs / 1000)} s more (rate limit)`, endpoint, 'rejected');
  }
}
