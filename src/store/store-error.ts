/** The store could not be read or written. The tick fails closed: no order without a record. */
export class StoreError extends Error {
  override name = 'StoreError';
}
