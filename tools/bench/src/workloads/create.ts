/** Creates of new 100-byte persistent nodes under one parent (etcd: puts of new keys). */
import { type ClosedLoopWorkload, ensureNode, payload } from './workload';

const data = payload(100);

export const createWorkload: ClosedLoopWorkload = {
  kind: 'closedLoop',
  name: 'create',
  title: 'create 100 B',
  measures: 'Creates of new 100-byte persistent nodes under one parent (etcd: put of a new key), N in flight.',
  setup: (session, root) => ensureNode(session, root),
  operation:
    ({ sessionFor, root, generator }) =>
    async (worker, sequence) => {
      await sessionFor(worker).create(`${root}/g${generator}-w${worker}-${sequence}`, data);
    },
};
