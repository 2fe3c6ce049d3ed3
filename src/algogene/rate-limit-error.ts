import { AlgogeneError } from './algogene-error.js';

/**
 * The user's rate limit (429, or "Exceed maximum access count"): every call of that user pauses
 * for `retryAfterMs`. Its outcome is unknown: a limiter in front of the application may answer
 * after the order was placed, so an order refused this way is looked up, never resent blindly.
 */
export class RateLimitError extends AlgogeneError {
  override name = 'RateLimitError';
  constructor(
    endpoint: string,
    readonly retryAfterMs: number,
    httpStatus = 429,
    readonly reason?: string,
  ) {
    super(`${endpoint}: rate limited (HTTP ${httpStatus}${reason ? `: ${reason}` : ''}), retry after ${retryAfterMs} ms`, endpoint, 'unknown', httpStatus);
  }
}
