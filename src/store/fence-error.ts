/**
 * A write of a bridge's state was refused: the lease record no longer names this process at the
 * epoch it holds, so another process took the bridge over. The process must stop acting for it.
 */
export class FenceError extends Error {
  override name = 'FenceError';
}
