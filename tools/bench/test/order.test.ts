// Goal: in an interleaved run no system is always measured first or last, so a change of the
// machine's background load does not always fall on the same side of a ratio.
// Method: rotate a fixed target list for consecutive workload indexes and check the orders.
import { describe, expect, it } from 'vitest';
import { rotatedTargets } from '../src/run';

describe('run order - rotation', () => {
  it('rotates the targets by one per workload and wraps around', () => {
    const targets = ['keel', 'zookeeper', 'etcd'];
    expect(rotatedTargets(targets, 0)).toEqual(['keel', 'zookeeper', 'etcd']);
    expect(rotatedTargets(targets, 1)).toEqual(['zookeeper', 'etcd', 'keel']);
    expect(rotatedTargets(targets, 2)).toEqual(['etcd', 'keel', 'zookeeper']);
    expect(rotatedTargets(targets, 3)).toEqual(['keel', 'zookeeper', 'etcd']);
  });

  it('puts every target first equally often over a whole number of turns', () => {
    const firsts = Array.from({ length: 9 }, (_, index) => rotatedTargets(['a', 'b', 'c'], index)[0]);
    for (const target of ['a', 'b', 'c']) expect(firsts.filter((first) => first === target)).toHaveLength(3);
  });

  it('handles one target and none', () => {
    expect(rotatedTargets(['keel'], 5)).toEqual(['keel']);
    expect(rotatedTargets([], 2)).toEqual([]);
  });
});
