import { ApiError } from './api-error.js';

/** The session token (or key) was refused: renew once and retry the call once. */
export class AuthError extends ApiError {
  override name = 'AuthError';
}
