import type { SignalListener } from './types.js';

export interface SignalEmitter {
  /**
   * What an event-driven strategy exposes as its `onSignal`. A signal that arrived while nobody
   * listened (the process started and printed before the worker subscribed) is told to the first
   * listener, so that it is not lost.
   */
  on(listener: SignalListener): () => void;
  /** "A new signal arrived at `arrivedAt`": every listener hears it; one that throws is not the emitter's problem. */
  emit(arrivedAt: number): void;
}

/** The "a new signal arrived" announcement of an event-driven strategy (stream:, file:, webhook). */
export function createSignalEmitter(): SignalEmitter {
  const listeners = new Set<SignalListener>();
  let unheard: number | undefined;
  return {
    on(listener) {
      listeners.add(listener);
      if (unheard !== undefined) {
        const arrivedAt = unheard;
        unheard = undefined;
        queueMicrotask(() => listener(arrivedAt));
      }
      return () => {
        listeners.delete(listener);
      };
    },
    emit(arrivedAt) {
      if (listeners.size === 0) unheard = arrivedAt;
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
