import { randomBytes } from 'node:crypto';

/**
 * A unique orderRef that says which bridge sent the order, so that a lost reply can be found
 * again and an orphan on the account can be recognised as ours.
 */
export function makeOrderRef(bridgeId: string, now: number): string {
  return `${orderRefPrefix(bridgeId)}${now.toString(36)}${randomBytes(3).toString('hex')}`;
}

export function orderRefPrefix(bridgeId: string): string {
  return `sb.${bridgeId}.`;
}
