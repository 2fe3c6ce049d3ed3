import { describe, expect, it } from 'vitest';
import { assignBridges, fairShare } from '../../src/fleet/assign-bridges.js';

const bridges = (n: number) => Array.from({ length: n }, (_, i) => `bridge-${i}`);
const loads = (owners: Map<string, string>) => {
  const counts = new Map<string, number>();
  for (const owner of owners.values()) counts.set(owner, (counts.get(owner) ?? 0) + 1);
  return counts;
};

describe('fairShare', () => {
  it('is the even share rounded up, and nothing without members', () => {
    expect(fairShare(30, 3)).toBe(10);
    expect(fairShare(31, 3)).toBe(11);
    expect(fairShare(2, 3)).toBe(1);
    expect(fairShare(5, 0)).toBe(0);
  });
});

describe('assignBridges', () => {
  it('shares 30 bridges over 3 members exactly evenly', () => {
    expect([...loads(assignBridges(bridges(30), ['x', 'y', 'z'])).values()]).toEqual([10, 10, 10]);
  });

  it('gives every bridge exactly one owner, and no member more than the fair share', () => {
    for (const [n, m] of [
      [30, 3],
      [31, 3],
      [1000, 7],
      [5, 8],
    ] as const) {
      const members = Array.from({ length: m }, (_, i) => `instance-${i}`);
      const owners = assignBridges(bridges(n), members);
      expect(owners.size).toBe(n);
      for (const owner of owners.values()) expect(members).toContain(owner);
      for (const count of loads(owners).values()) expect(count).toBeLessThanOrEqual(fairShare(n, m));
      // The others are full or nearly so: the least loaded member gets what they leave.
      const counts = members.map((member) => loads(owners).get(member) ?? 0);
      expect(Math.min(...counts)).toBeGreaterThanOrEqual(Math.max(0, n - (m - 1) * fairShare(n, m)));
    }
  });

  it('is the same on every instance: it depends on who the members are, not on the order they were listed in', () => {
    const members = ['c7', 'a1', 'b4'];
    const first = assignBridges(bridges(100), members);
    const second = assignBridges([...bridges(100)].reverse(), [...members].reverse());
    expect([...second].sort()).toEqual([...first].sort());
  });

  it('a member that joins takes about its share and the others barely trade bridges among themselves', () => {
    const before = assignBridges(bridges(300), ['a', 'b', 'c']);
    const after = assignBridges(bridges(300), ['a', 'b', 'c', 'd']);
    const moved = bridges(300).filter((id) => before.get(id) !== after.get(id));
    const toNewcomer = moved.filter((id) => after.get(id) === 'd');
    expect(toNewcomer).toHaveLength(75);
    // Bounded loads may push a few bridges along; a rehash of everything would move ~3/4 of them.
    expect(moved.length - toNewcomer.length).toBeLessThan(30);
  });

  it('a member that leaves gives its bridges to the others, who keep almost all of their own', () => {
    const before = assignBridges(bridges(300), ['a', 'b', 'c']);
    const after = assignBridges(bridges(300), ['a', 'b']);
    const kept = bridges(300).filter((id) => before.get(id) !== 'c' && before.get(id) === after.get(id));
    expect(kept.length).toBeGreaterThan(190);
    expect([...after.values()].filter((owner) => owner === 'c')).toEqual([]);
    expect(loads(after).get('a')).toBe(150);
  });

  it('assigns nothing when there is no live member', () => {
    expect(assignBridges(bridges(3), []).size).toBe(0);
  });
});
