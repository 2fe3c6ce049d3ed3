import { AlgogeneError } from './algogene-error.js';

/**
 * No usable answer: connection reset, timeout, a 5xx, an HTML page from a proxy, a truncated
 * body. The server may or may not have acted. The message never carries the URL, whose query
 * string holds the API key and token.
 */
export class TransportError extends AlgogeneError {
  override name = 'TransportError';
  constructor(
    endpoint: string,
    readonly kind: 'timeout' | 'network' | 'server' | 'unreadable' | 'oversize',
    detail: string,
    httpStatus?: number,
  ) {
    super(`${endpoint}: ${detail}`, endpoint, 'unknown', httpStatus);
  }
}
