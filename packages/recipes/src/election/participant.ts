/**
 * Who takes part in an election (Curator's Participant), read from the election nodes.
 */
import type { KeelClient } from '@keel/client';
import { isKeelError, join } from '@keel/protocol';
import { getNode } from '../internal/client-ops';
import { utf8 } from '../internal/nodes';
import { retrying } from '../internal/retry';

/** One participant of an election. */
export interface Participant {
  /** The id the participant gave (the node's data). */
  readonly id: string;
  /** Whether it leads now (its node is first). */
  readonly isLeader: boolean;
}

/** The participants of the sorted election nodes `sorted` under `basePath`, leader first. */
export async function participantsOf(
  client: KeelClient,
  basePath: string,
  sorted: readonly string[],
): Promise<Participant[]> {
  const participants: Participant[] = [];
  for (const name of sorted) {
    try {
      const { data } = await retrying(client, () => getNode(client, join(basePath, name)));
      participants.push({ id: utf8.decode(data), isLeader: participants.length === 0 });
    } catch (error) {
      // A participant that left between the listing and the read is no longer one.
      if (!isKeelError(error, 'NoNode')) throw error;
    }
  }
  return participants;
}

/** What Curator returns when there is no leader: an empty id that does not lead. */
export const noParticipant: Participant = Object.freeze({ id: '', isLeader: false });
