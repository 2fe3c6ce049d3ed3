/** open_order acknowledged a trade ID this bridge has held before: not taken as the new trade. */
export class RecycledTradeIdError extends Error {
  override name = 'RecycledTradeIdError';
  constructor(
    readonly tradeId: string,
    readonly orderRef: string,
  ) {
    super(`open_order answered with trade ID ${tradeId}, which this bridge has held before: not taken as the new trade; order ${orderRef} is looked up by its orderRef instead`);
  }
}
