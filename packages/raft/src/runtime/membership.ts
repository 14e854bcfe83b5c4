/**
 * The runtime's own view of membership and peer addresses, as of the last applied entry.
 *
 * The core tracks the configuration it votes and replicates with; the runtime needs the one
 * that matches the state machine (to stamp its snapshots) and the members' addresses, which
 * travel in each change's `context`.
 */
import type { ConfChange, ConfState, NodeId } from '../core/types';

const decoder = new TextDecoder();

/** The membership after applying `change` to `conf` (changes were validated when proposed). */
export function applyConfChange(conf: ConfState, change: ConfChange): ConfState {
  const without = (ids: readonly NodeId[], node: NodeId): NodeId[] => ids.filter((id) => id !== node);
  switch (change.kind) {
    case 'bootstrap':
      return { voters: [...change.conf.voters], learners: [...change.conf.learners] };
    case 'addVoter':
      return {
        voters: conf.voters.includes(change.node) ? [...conf.voters] : [...conf.voters, change.node],
        learners: without(conf.learners, change.node),
      };
    case 'addLearner':
      return {
        voters: [...conf.voters],
        learners: conf.learners.includes(change.node) ? [...conf.learners] : [...conf.learners, change.node],
      };
    case 'promoteLearner':
      return {
        voters: conf.voters.includes(change.node) ? [...conf.voters] : [...conf.voters, change.node],
        learners: without(conf.learners, change.node),
      };
    case 'removeNode':
      return { voters: without(conf.voters, change.node), learners: without(conf.learners, change.node) };
  }
}

/** The peer address a change carries in its `context` (UTF-8 URL), if any. */
export function addressOf(change: ConfChange): { node: NodeId; url: string } | null {
  if (change.kind === 'bootstrap' || change.context === undefined || change.context.length === 0) {
    return null;
  }
  return { node: change.node, url: decoder.decode(change.context) };
}
