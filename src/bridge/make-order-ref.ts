import { randomUUID } from 'node:crypto';

/**
 * A unique orderRef that says which bridge sent the order, so that a lost reply can be found
 * again and an orphan on the account can be recognised as ours.
 */
export function makeOrderRef(bridgeId: string, now: number): string {
  // Six random hex digits. randomUUID draws from a pooled buffer: randomBytes asked the kernel at
  // every order, 12 µs each, a visible share of a moment's CPU at 10,000 bridges.
  return `${orderRefPrefix(bridgeId)}${now.toString(36)}${randomUUID().slice(0, 6)}`;
}

export function orderRefPrefix(bridgeId: string): string {
  return `sb.${bridgeId}.`;
}
