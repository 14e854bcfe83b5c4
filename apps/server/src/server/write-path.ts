/**
 * How a member writes on behalf of its clients, whether it leads or not: it tags the command
 * with a request id unique in the cluster's history, hands it to Raft (which forwards it to the
 * leader from a follower), and waits for that id to come back on its own apply path. The answer
 * is the result of applying the command here, the same result every member computes.
 *
 * The hand-off does not guarantee delivery: a command may be lost (the wait times out and the
 * client gets `ConnectionLoss`, outcome unknown, as ZooKeeper reports it) or delivered twice (the
 * state machine applies a request id once, see `RecentRequests`).
 */
import { randomBytes } from 'node:crypto';
import { ChurnMap, ConnectionLossError } from '@keel/protocol';
import type { RaftNode } from '@keel/raft';
import { type Command, encodeCommand } from '../state/commands';
import type { CoordinationStateMachine } from '../state/coordination-state-machine';
import type { ApplyOutcome } from '../state/results';

/** The command was never handed to Raft (refused by encoding or by the runtime): it is certainly not applied. */
export class NotHandedOnError extends Error {
  override name = 'NotHandedOnError';
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : 'the command was not handed on');
  }
}

/** A command sent on a client's behalf; the write path adds the request id. */
export type ClientCommand = Exclude<Command, { type: 'sweep' | 'touchSessions' }>;

interface Waiting {
  readonly resolve: (outcome: ApplyOutcome) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

/** Sends commands through Raft and resolves each with its own apply outcome. */
export class WritePath {
  // A restarted member must never reuse an id its previous run sent: the boot id differs.
  private readonly prefix: string;
  private counter = 0;
  // Not a Map: see ChurnMap.
  private readonly waiting = new ChurnMap<string, Waiting>();

  constructor(
    private readonly node: RaftNode<ApplyOutcome>,
    memberId: string,
    private readonly timeoutMs: number,
  ) {
    this.prefix = `${memberId}.${randomBytes(6).toString('base64url')}.`;
  }

  /** How many writes wait for their apply. */
  get pending(): number {
    return this.waiting.size;
  }

  /**
   * Sends `command` and resolves with its apply outcome on this member. Rejects with
   * `ConnectionLoss` when it was not applied within the timeout (it may still be), or with the
   * runtime's error when Raft refused it (no leader known, throttled, stopped).
   */
  write(command: ClientCommand): Promise<ApplyOutcome> {
    this.counter++;
    const requestId = `${this.prefix}${this.counter}`;
    let data: Uint8Array;
    try {
      data = encodeCommand({ ...command, requestId });
    } catch (error) {
      return Promise.reject(new NotHandedOnError(error));
    }
    return new Promise<ApplyOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(requestId)?.reject(
          new ConnectionLossError(`the write was not applied within ${this.timeoutMs} ms; its outcome is unknown`),
        );
      }, this.timeoutMs);
      this.waiting.set(requestId, { resolve, reject, timer });
      handOff(this.node, data).catch((error: unknown) => this.settle(requestId)?.reject(new NotHandedOnError(error)));
    });
  }

  /** Called on the apply path for every applied entry: resolves the write waiting for it, if any. */
  applied(outcome: ApplyOutcome): void {
    if (outcome.requestId === undefined) return;
    this.settle(outcome.requestId)?.resolve(outcome);
  }

  /**
   * Called after a snapshot replaced the state: a write applied inside the snapshot will never
   * come back on the apply path, and its result is unknown.
   */
  restored(machine: CoordinationStateMachine): void {
    for (const requestId of this.waiting.keys()) {
      if (!machine.hasApplied(requestId)) continue;
      this.settle(requestId)?.reject(
        new ConnectionLossError('the write was applied inside a snapshot from the leader; its result is unknown'),
      );
    }
  }

  /**
   * Fails every waiting write with `ConnectionLoss`: the member stops, or the leader changed
   * (a write handed to the old leader is either in the new leader's log already or lost;
   * waiting for the timeout would only delay the client's retry, as ZooKeeper's followers
   * also drop their clients when the leader changes).
   */
  failAll(reason: string): void {
    for (const requestId of this.waiting.keys()) {
      this.settle(requestId)?.reject(new ConnectionLossError(`${reason}; the outcome of the write is unknown`));
    }
  }

  private settle(requestId: string): Waiting | undefined {
    const waiting = this.waiting.get(requestId);
    if (waiting === undefined) return undefined;
    this.waiting.delete(requestId);
    clearTimeout(waiting.timer);
    return waiting;
  }
}

/** Hands a command to the leader through Raft from any member (no answer: see {@link WritePath}). */
export function handOff(node: RaftNode<ApplyOutcome>, data: Uint8Array): Promise<void> {
  return node.submit(data);
}
