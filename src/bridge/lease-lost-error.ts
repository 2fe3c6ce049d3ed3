/**
 * Another process holds this bridge now (our lease expired and was taken). An operational
 * error: the bridge stops ticking rather than publish every signal twice.
 */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}
