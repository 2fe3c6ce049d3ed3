/**
 * The store cannot be reached (or answered with an error): not a take-over. The bridge sends
 * nothing until the store, and its lease, are back.
 */
export class StoreUnreachableError extends Error {
  override name = 'StoreUnreachableError';
}
