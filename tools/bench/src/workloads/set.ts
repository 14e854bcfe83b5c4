/** Sets of 1 KiB values on existing nodes, one node per worker. */
import { type ClosedLoopWorkload, ensureNode, payload } from './workload';

const data = payload(1024);
/** Nodes the sets spread over (workers share them when there are more workers). */
const nodeCount = 256;

export const setWorkload: ClosedLoopWorkload = {
  kind: 'closedLoop',
  name: 'set',
  title: 'set 1 KiB',
  measures: 'Sets (any version) of 1 KiB values on existing nodes, N in flight.',
  async setup(session, root) {
    await ensureNode(session, root);
    for (let i = 0; i < nodeCount; i++) await ensureNode(session, `${root}/n${i}`, data);
  },
  operation:
    ({ sessionFor, root }) =>
    async (worker) => {
      await sessionFor(worker).set(`${root}/n${worker % nodeCount}`, data);
    },
};
