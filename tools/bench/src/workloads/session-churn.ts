/** Ephemeral session churn: connect, create one ephemeral node, close the session. */
import { type ClosedLoopWorkload, ensureNode, payload } from './workload';

const data = payload(100);
/** Concurrent churners: new connections, not pipelined requests, so fewer than the run's in-flight count. */
const churnersMax = 16;

export const sessionChurnWorkload: ClosedLoopWorkload = {
  kind: 'closedLoop',
  name: 'session-churn',
  title: 'session churn',
  measures:
    'Each operation opens a session (etcd: a client and a lease), creates one ephemeral node, and closes the session (deleting the node); 16 at a time.',
  setup: (session, root) => ensureNode(session, root),
  inflight: (options) => Math.min(options.inflight, churnersMax),
  operation:
    ({ driver, root, generator }) =>
    async (worker, sequence) => {
      const session = await driver.connect();
      try {
        await session.create(`${root}/e-g${generator}-w${worker}-${sequence}`, data, 'ephemeral');
      } finally {
        await session.close();
      }
    },
};
