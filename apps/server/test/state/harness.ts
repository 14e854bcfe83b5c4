/**
 * Test helper: a state machine fed with encoded commands at consecutive log indexes, so tests
 * read as a list of ZooKeeper operations.
 */
import type { CreateMode } from '@keel/protocol';
import { EntryType } from '@keel/raft';
import { type ApplyOutcome, type Command, CoordinationStateMachine, encodeCommand } from '../../src';
import { decodeSnapshot } from '../../src/state/snapshot-format';

const encoder = new TextEncoder();

/** Bytes of a string. */
export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * A machine's whole state, decoded from its snapshot, without the applied revision: what a
 * command that fails must leave as it was.
 */
export function stateWithoutRevision(machine: CoordinationStateMachine): unknown {
  const { appliedRevision: _revision, ...rest } = decodeSnapshot(machine.snapshotNow());
  return rest;
}

/** A state machine plus the next index and a fixed clock the test moves by hand. */
export class Harness {
  readonly machine = new CoordinationStateMachine();
  index = 0;
  time = 1_000;

  /** Applies a command at the next index. */
  apply(command: Command): ApplyOutcome {
    return this.applyRaw(encodeCommand(command));
  }

  /** Applies a raw payload at the next index. */
  applyRaw(data: Uint8Array): ApplyOutcome {
    this.index += 1;
    return this.machine.apply({ term: 1, index: this.index, type: EntryType.Normal, data });
  }

  openSession(sessionId: string): ApplyOutcome {
    return this.apply({
      type: 'createSession',
      sessionId,
      secret: `secret-${sessionId}`,
      timeoutMs: 10_000,
      time: this.time,
    });
  }

  closeSession(sessionId: string): ApplyOutcome {
    return this.apply({ type: 'closeSession', sessionId, reason: 'closed', time: this.time });
  }

  create(
    path: string,
    options: { data?: string; mode?: CreateMode; ttlMs?: number; session?: string } = {},
  ): ApplyOutcome {
    return this.apply({
      type: 'create',
      sessionId: options.session ?? null,
      time: this.time,
      path,
      data: bytes(options.data ?? ''),
      mode: options.mode ?? 'persistent',
      ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }),
    });
  }

  delete(path: string, expectedVersion?: number): ApplyOutcome {
    return this.apply({
      type: 'delete',
      sessionId: null,
      time: this.time,
      path,
      ...(expectedVersion === undefined ? {} : { expectedVersion }),
    });
  }

  set(path: string, data: string, expectedVersion?: number): ApplyOutcome {
    return this.apply({
      type: 'set',
      sessionId: null,
      time: this.time,
      path,
      data: bytes(data),
      ...(expectedVersion === undefined ? {} : { expectedVersion }),
    });
  }

  /** The stat of a node; fails the test when it does not exist. */
  stat(path: string) {
    const node = this.machine.get(path);
    if (node === null) throw new Error(`no node at ${path}`);
    return node.stat;
  }

  exists(path: string): boolean {
    return this.machine.get(path) !== null;
  }

  children(path: string): readonly string[] {
    return this.machine.children(path)?.children ?? [];
  }
}

/** The error code of an outcome, or 'ok'. */
export function codeOf(outcome: ApplyOutcome): string {
  return outcome.result.type === 'error' ? outcome.result.code : 'ok';
}
