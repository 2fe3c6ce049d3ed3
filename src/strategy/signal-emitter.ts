import type { SignalListener } from './types.js';

export interface SignalEmitter {
  /** What an event-driven strategy exposes as its `onSignal`. */
  on(listener: SignalListener): () => void;
  /** "A new signal arrived at `arrivedAt`": every listener hears it; one that throws is not the emitter's problem. */
  emit(arrivedAt: number): void;
}

/** The "a new signal arrived" announcement of an event-driven strategy (stream:, file:, webhook). */
export function createSignalEmitter(): SignalEmitter {
  const listeners = new Set<SignalListener>();
  return {
    on(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    emit(arrivedAt) {
      for (const listener of [...listeners]) {
        try {
          listener(arrivedAt);
        } catch {
          // A listener's failure is its own: the next listener still hears of the signal.
        }
      }
    },
  };
}
