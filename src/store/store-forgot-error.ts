/**
 * The store lost its data (a Redis restarted without persistence, a database file replaced): a
 * record this process wrote is gone. Nothing it reads can be trusted to list the bridge's trades
 * until they are rebuilt from the server.
 */
export class StoreForgotError extends Error {
  override name = 'StoreForgotError';
}
