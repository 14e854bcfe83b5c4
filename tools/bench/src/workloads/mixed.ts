/**
 * The mixed workload: against a node with 100 children of 50 bytes, 45% get of a child, 45%
 * children list, 8% set of a child, 1% create and 1% delete (each worker deletes the nodes it
 * created, so the list stays near 100 children). The choice is a seeded random stream per
 * worker, so every system sees the same sequence.
 */
import { mulberry32 } from '@keel/raft';
import { type ClosedLoopWorkload, ensureNode, payload } from './workload';

const childCount = 100;
const data = payload(50);

/** Which operation a draw in [0, 1) picks. */
export function mixedOperationOf(draw: number): 'create' | 'set' | 'get' | 'children' | 'delete' {
  if (draw < 0.01) return 'create';
  if (draw < 0.09) return 'set';
  if (draw < 0.54) return 'get';
  if (draw < 0.99) return 'children';
  return 'delete';
}

export const mixedWorkload: ClosedLoopWorkload = {
  kind: 'closedLoop',
  name: 'mixed',
  title: 'mixed',
  measures:
    'On a node with 100 children of 50 B: get 45%, list children 45%, set 8%, create 1%, delete 1% (a delete with nothing of its own to delete reads instead).',
  async setup(session, root) {
    await ensureNode(session, root);
    for (let i = 0; i < childCount; i++) await ensureNode(session, `${root}/c${i}`, data);
  },
  operation: ({ sessionFor, root, generator }) => {
    const streams = new Map<number, () => number>();
    const created = new Map<number, string[]>();
    return async (worker, sequence) => {
      let random = streams.get(worker);
      if (random === undefined) {
        random = mulberry32(generator * 10_007 + worker + 1);
        streams.set(worker, random);
      }
      const own = created.get(worker) ?? [];
      created.set(worker, own);
      const session = sessionFor(worker);
      const child = `${root}/c${Math.floor(random() * childCount)}`;
      const kind = mixedOperationOf(random());
      if (kind === 'create') {
        const path = `${root}/x-g${generator}-w${worker}-${sequence}`;
        await session.create(path, data);
        own.push(path);
      } else if (kind === 'set') {
        await session.set(child, data);
      } else if (kind === 'children') {
        await session.children(root);
      } else if (kind === 'delete' && own.length > 0) {
        await session.delete(own.pop() ?? '');
      } else {
        await session.get(child, false);
      }
    };
  },
};
