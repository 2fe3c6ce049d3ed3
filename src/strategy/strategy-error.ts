/**
 * A strategy failed this tick: it threw, answered something that is not a signal, or ran past
 * its timeout. The tick touches no trade; the bridge lives on to the next tick.
 */
export class StrategyError extends Error {
  override name = 'StrategyError';
  constructor(
    message: string,
    readonly reason: 'threw' | 'invalid' | 'timeout',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
