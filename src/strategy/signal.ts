import { z } from 'zod';

export type Side = 'BUY' | 'SELL';

/** What a strategy answers: a side or nothing, with optional per-order details. */
export interface Signal {
  readonly side: Side | null;
  readonly volume?: number;
  readonly takeProfit?: number;
  readonly stopLoss?: number;
  readonly comment?: string;
}

const sideSchema = z.union([z.enum(['BUY', 'SELL']), z.null()]);

const signalObjectSchema = z
  .object({
    signal: z.preprocess((v) => (typeof v === 'string' ? normaliseWord(v) : v), sideSchema),
    volume: z.number().positive().finite().optional(),
    takeProfit: z.number().finite().optional(),
    stopLoss: z.number().finite().optional(),
    comment: z.string().max(500).optional(),
  })
  .strict();

/** Thrown when an answer is not a signal; the message says what was wrong. */
export class InvalidSignalError extends Error {
  override name = 'InvalidSignalError';
}

function normaliseWord(text: string): string | null | undefined {
  const word = text.trim().toUpperCase();
  if (word === '' || word === 'NONE' || word === 'NULL') return null;
  if (word === 'BUY' || word === 'SELL') return word;
  return text;
}

/**
 * The one validation of a strategy's answer, whichever way it arrived: a return value,
 * a command's stdout, a file, a webhook body. Plain words are accepted where text is read.
 */
export function parseSignal(value: unknown, limits: { maxVolume?: number } = {}): Signal {
  let candidate = value;
  if (typeof candidate === 'string') {
    const text = candidate.trim();
    if (text.startsWith('{')) {
      try {
        candidate = JSON.parse(text);
      } catch {
        throw new InvalidSignalError(`not a signal: invalid JSON ${JSON.stringify(truncate(text))}`);
      }
    } else {
      const word = normaliseWord(text);
      if (word === null) return { side: null };
      if (word === 'BUY' || word === 'SELL') return { side: word };
      throw new InvalidSignalError(`not a signal: ${JSON.stringify(truncate(text))} (expected BUY, SELL, NONE or a JSON signal)`);
    }
  }
  if (candidate === null || candidate === undefined) return { side: null };
  const parsed = signalObjectSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'signal';
    throw new InvalidSignalError(`not a signal: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const { signal, ...details } = parsed.data;
  if (limits.maxVolume !== undefined && details.volume !== undefined && details.volume > limits.maxVolume) {
    // Unset, BRIDGE_MAX_VOLUME is BRIDGE_VOLUME: no signal asks for more than configured unless the user said so.
    throw new InvalidSignalError(`not a signal: volume ${details.volume} is above BRIDGE_MAX_VOLUME ${limits.maxVolume} (which is BRIDGE_VOLUME unless set): raise BRIDGE_MAX_VOLUME to allow larger orders`);
  }
  return dropUndefined({ side: signal, ...details });
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function dropUndefined(signal: Signal): Signal {
  return Object.fromEntries(Object.entries(signal).filter(([, v]) => v !== undefined)) as unknown as Signal;
}
