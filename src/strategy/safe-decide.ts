import { InvalidSignalError, parseSignal, type Signal } from './signal.js';
import { StrategyError } from './strategy-error.js';
import type { Strategy, StrategyContext } from './types.js';

export interface SafeDecideOptions {
  timeoutMs: number;
  maxVolume?: number;
}

/**
 * Every call into user code goes through here: a throw, a hang or a wrong answer becomes a
 * StrategyError, never an exception that escapes the tick or a value the tick cannot trust.
 */
export async function safeDecide(
  strategy: Strategy,
  ctx: Omit<StrategyContext, 'signal'>,
  options: SafeDecideOptions,
): Promise<Signal> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new StrategyError(`strategy ${strategy.name} did not answer within ${options.timeoutMs} ms`, 'timeout'));
    }, options.timeoutMs);
  });
  try {
    const answer = await Promise.race([
      Promise.resolve().then(() => strategy.decide({ ...ctx, signal: controller.signal })),
      timeout,
    ]);
    return parseSignal(answer, { maxVolume: options.maxVolume });
  } catch (error) {
    if (error instanceof StrategyError) throw error;
    if (error instanceof InvalidSignalError) {
      throw new StrategyError(`strategy ${strategy.name} answered ${error.message}`, 'invalid', { cause: error });
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new StrategyError(`strategy ${strategy.name} threw: ${message}`, 'threw', { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
