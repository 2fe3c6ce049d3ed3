import { createHash } from 'node:crypto';

/** The most bridges one of `members` live instances should run: the even share, rounded up. */
export function fairShare(bridges: number, members: number): number {
  return members <= 0 ? 0 : Math.ceil(bridges / members);
}

/**
 * Which member runs which bridge: rendezvous hashing with bounded loads. Every instance that sees
 * the same members computes the same answer with no message exchanged, each member gets at most
 * fairShare() bridges (so shares are even to within one bridge), and a member that joins or
 * leaves moves few bridges: each bridge stays with its best-ranked member that still has room.
 */
export function assignBridges(bridgeIds: readonly string[], members: readonly string[]): Map<string, string> {
  const owners = new Map<string, string>();
  if (members.length === 0) return owners;
  const cap = fairShare(bridgeIds.length, members.length);
  const load = new Map(members.map((m) => [m, 0]));
  // A fixed order (not the config's): every instance must fill the members in the same sequence.
  for (const bridge of [...new Set(bridgeIds)].sort()) {
    const ranked = members.map((m) => ({ m, s: score(bridge, m) })).sort((a, b) => b.s - a.s || (a.m < b.m ? -1 : 1));
    const owner = (ranked.find(({ m }) => (load.get(m) ?? 0) < cap) as { m: string }).m;
    owners.set(bridge, owner);
    load.set(owner, (load.get(owner) ?? 0) + 1);
  }
  return owners;
}

function score(bridge: string, member: string): number {
  return createHash('sha1').update(bridge).update('\u0000').update(member).digest().readUInt32BE(0);
}
