/**
 * Every failure of an ALGOGENE call. `outcome` is what the bridge can know of the call's effect:
 * `rejected` means the server refused it and changed nothing; `unknown` means it may have
 * acted (a timeout, a reset, a 5xx, a reply we could not read), so an order must be looked up
 * by its orderRef, never sent again blindly.
 */
export class AlgogeneError extends Error {
  override name = 'AlgogeneError';
  constructor(
    message: string,
    readonly endpoint: string,
    readonly outcome: 'rejected' | 'unknown',
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}
