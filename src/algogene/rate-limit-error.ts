import { ApiError } from './api-error.js';

/** 429: the server refused the call for now and said how long to wait. */
export class RateLimitError extends ApiError {
  override name = 'RateLimitError';
  constructor(
    endpoint: string,
    readonly retryAfterMs: number,
  ) {
    super(endpoint, `rate limited, retry after ${retryAfterMs} ms`, 429);
  }
}
