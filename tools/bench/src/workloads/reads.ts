/** Reads of 100-byte nodes: served by the connected member, or linearizable. */
import { type ClosedLoopWorkload, ensureNode, payload } from './workload';

const nodeCount = 100;

async function setup(session: Parameters<ClosedLoopWorkload['setup']>[0], root: string): Promise<void> {
  await ensureNode(session, root);
  for (let i = 0; i < nodeCount; i++) await ensureNode(session, `${root}/n${i}`, payload(100));
}

export const readLocalWorkload: ClosedLoopWorkload = {
  kind: 'closedLoop',
  name: 'read-local',
  title: 'get (local)',
  measures:
    'Reads of 100-byte nodes answered by the connected member (ZooKeeper getData, Keel get, etcd serializable range).',
  setup,
  operation:
    ({ sessionFor, root }) =>
    async (worker, sequence) => {
      await sessionFor(worker).get(`${root}/n${(worker + sequence) % nodeCount}`, false);
    },
};

export const readLinearizableWorkload: ClosedLoopWorkload = {
  kind: 'closedLoop',
  name: 'read-linearizable',
  title: 'get (linearizable)',
  measures:
    'Linearizable reads of 100-byte nodes (Keel get with linearizable: true, ZooKeeper sync + getData, etcd default range).',
  setup,
  operation:
    ({ sessionFor, root }) =>
    async (worker, sequence) => {
      await sessionFor(worker).get(`${root}/n${(worker + sequence) % nodeCount}`, true);
    },
};
