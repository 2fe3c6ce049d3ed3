import { AlgogeneError } from './algogene-error.js';

/** The server answered and refused: `{"status": "FAIL", "res": reason}` or a 4xx. Nothing changed. */
export class ApiError extends AlgogeneError {
  override name = 'ApiError';
  constructor(
    endpoint: string,
    readonly reason: string,
    httpStatus: number,
  ) {
    super(`${endpoint} failed (HTTP ${httpStatus}): ${reason}`, endpoint, 'rejected', httpStatus);
  }
}
