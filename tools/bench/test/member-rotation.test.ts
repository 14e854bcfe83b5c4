/**
 * Goal: the bench starts sessions on the members in turn, so every run and every system splits
 * its sessions evenly (8 over 3: 3/3/2), and the Keel client keeps the given member order for
 * its first connection round while later rounds stay random.
 * Method: the helpers themselves, and the client's own member-order function fed by them.
 */
import { describe, expect, it } from 'vitest';
import { memberRound } from '../../../packages/client/src/backoff';
import { inOrderFirst, MemberRotation, rotated } from '../src/targets/member-rotation';

describe('member rotation', () => {
  it('hands out every member in turn', () => {
    const rotation = new MemberRotation(3);
    const starts = Array.from({ length: 8 }, () => rotation.take());
    expect(starts).toEqual([0, 1, 2, 0, 1, 2, 0, 1]);
    expect(rotated(['a', 'b', 'c'], 2)).toEqual(['c', 'a', 'b']);
  });

  it('keeps the order through the Keel client first shuffle, then draws at random', () => {
    const servers = ['ws://a', 'ws://b', 'ws://c', 'ws://d'];
    for (let start = 0; start < servers.length; start++) {
      const order = rotated(servers, start);
      expect(memberRound(order, inOrderFirst(order.length))).toEqual(order);
    }
    const random = inOrderFirst(3);
    random();
    random();
    const later = Array.from({ length: 20 }, random);
    expect(new Set(later).size).toBeGreaterThan(1);
  });
});
