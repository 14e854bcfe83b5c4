/**
 * The replicated coordination state: ZooKeeper's data model applied from Raft log entries.
 *
 * `apply` is deterministic: it reads only the entry (its index is the revision, its command
 * carries the time) and the state, so every member reaches the same state and the same results.
 */
import { dataBytesMax as defaultDataBytesMax, type MultiResult, parentOf } from '@keel/protocol';
import { type Entry, EntryType, type StateMachine } from '@keel/raft';
import { recentRequestsMax } from '../constants';
import {
  type CloseSessionCommand,
  type Command,
  type CreateCommand,
  type CreateSessionCommand,
  type DeleteCommand,
  decodeCommand,
  type MultiCommand,
  type MultiCommandOp,
  type SetCommand,
  type SweepCommand,
} from './commands';
import { type ChangeContext, DataTree, statOf, type TreeNode } from './data-tree';
import { dataBytes } from './node-data';
import { RecentRequests } from './recent-requests';
import type { ApplyOutcome, ChangeEvent, CommandResult } from './results';
import { type Session, SessionTable } from './sessions';
import { decodeSnapshot } from './snapshot-format';
import { SnapshotWriter } from './snapshot-writer';
import { UndoLog } from './undo-log';

/**
 * Longest run of snapshot serialisation before the event loop gets a turn. A write passes
 * through several turns on each member (request, flush done, ack, apply), and each may wait out
 * a slice: with 8 ms slices the benchmark's create p99 was 47-48 ms while a snapshot ran inside
 * it, with 2 ms 35-36 ms, at the same throughput. A lock hand-over passes through more turns
 * still: with a snapshot every 8,000 entries over 130,000 nodes, 32 contenders' p99 was 315-401
 * ms with 2 ms slices and 190-227 ms with 0.5 ms, and creates and sets kept their rate.
 */
const snapshotSliceMs = 0.5;
/** Nodes serialised between two checks of the clock. */
const snapshotSliceNodes = 64;

/** Options of the state machine. */
export interface CoordinationStateMachineOptions {
  /** Largest node data accepted (defaults to the protocol's `dataBytesMax`). */
  readonly dataBytesMax?: number;
}

/** Per-command bookkeeping: where the change happens and which containers may have emptied. */
interface Apply extends ChangeContext {
  readonly emptied: string[];
}

/** The coordination state machine of a Keel member. */
export class CoordinationStateMachine implements StateMachine<ApplyOutcome> {
  private readonly undo = new UndoLog();
  private readonly tree: DataTree;
  private readonly sessions = new SessionTable(this.undo);
  private readonly requests = new RecentRequests(recentRequestsMax);
  private applied = 0;

  constructor(options: CoordinationStateMachineOptions = {}) {
    this.tree = new DataTree(this.undo, options.dataBytesMax ?? defaultDataBytesMax);
  }

  /** The index of the last applied entry: the revision of the current state. */
  get appliedRevision(): number {
    return this.applied;
  }

  /** Applies one committed entry. Entries must come in log order. */
  apply(entry: Entry): ApplyOutcome {
    if (entry.index <= this.applied) {
      throw new Error(`apply: entry ${entry.index} is not after the applied revision ${this.applied}`);
    }
    this.applied = entry.index;
    const revision = entry.index;
    if (entry.type !== EntryType.Normal || entry.data.byteLength === 0) {
      return { revision, result: { type: 'none' }, changes: [] };
    }
    const decoded = decodeCommand(entry.data);
    if (!decoded.ok) {
      return { revision, result: { type: 'error', code: decoded.code, message: decoded.message }, changes: [] };
    }
    const command = decoded.command;
    const requestId = 'requestId' in command ? command.requestId : undefined;
    if (requestId !== undefined) {
      // A second delivery of the same request changes nothing; its sender was answered by the first.
      if (this.requests.has(requestId)) return outcomeOf(revision, { type: 'duplicate' }, [], requestId);
      this.requests.add(requestId);
    }
    const context: Apply = { revision, time: command.time, changes: [], emptied: [] };
    const result = this.run(command, context);
    return outcomeOf(revision, result, result.type === 'error' ? [] : context.changes, requestId);
  }

  /** Whether a command with this request id was applied (within the window of recent ids). */
  hasApplied(requestId: string): boolean {
    return this.requests.has(requestId);
  }

  private run(command: Command, context: Apply): CommandResult {
    switch (command.type) {
      case 'createSession':
        return this.createSession(command);
      case 'moveSession':
        if (!this.sessions.move(command.sessionId, command.owner)) {
          return { type: 'error', code: 'SessionExpired', message: 'the session expired' };
        }
        return { type: 'moveSession', sessionId: command.sessionId, owner: command.owner };
      case 'closeSession':
        return this.closeSession(command, context);
      case 'sweep':
        return this.sweep(command, context);
      case 'touchSessions':
        return { type: 'touchSessions', sessionIds: command.sessionIds.filter((id) => this.sessions.has(id)) };
      default: {
        if (command.sessionId !== null) {
          const refused = this.refuseSession(command.sessionId, command.owner, command.sequence);
          if (refused !== null) return refused;
        }
        if (command.type === 'multi') return this.multi(command, context);
        return this.single(command, context);
      }
    }
  }

  // One operation needs no undo log, and no copies of its command: each checks everything
  // before it changes anything, so a failed one left nothing to put back.
  private single(command: CreateCommand | DeleteCommand | SetCommand, context: Apply): CommandResult {
    let result: CommandResult;
    switch (command.type) {
      case 'create': {
        const created = this.tree.create(command, command.sessionId, context);
        if (!created.ok) return { type: 'error', ...created.error };
        this.noteCreated(created.path, created.node);
        result = { type: 'create', path: created.path, stat: statOf(created.node) };
        break;
      }
      case 'set': {
        const updated = this.tree.set(command.path, command.data, command.expectedVersion, context);
        if (!updated.ok) return { type: 'error', ...updated.error };
        result = { type: 'set', stat: statOf(updated.node) };
        break;
      }
      case 'delete': {
        const deleted = this.tree.delete(command.path, command.expectedVersion, context);
        if (!deleted.ok) return { type: 'error', ...deleted.error };
        this.forget(command.path, deleted.node, context);
        result = { type: 'delete' };
        break;
      }
    }
    this.removeEmptyContainers(context);
    return result;
  }

  // Runs node operations all or nothing, then removes containers they emptied.
  private transaction(
    sessionId: string | null,
    context: Apply,
    body: (run: (op: MultiCommandOp) => MultiResult) => CommandResult,
  ): CommandResult {
    const changesBefore = context.changes.length;
    this.undo.begin();
    let failed = false;
    const result = body((op) => {
      const outcome = this.operation(op, sessionId, context);
      if (outcome.op === 'error') failed = true;
      return outcome;
    });
    if (failed) {
      this.undo.rollback();
      context.changes.length = changesBefore;
      return result;
    }
    this.removeEmptyContainers(context);
    this.undo.commit();
    // Stats in the result were taken before container removal, which only touches other nodes' parents.
    return result;
  }

  private multi(command: MultiCommand, context: Apply): CommandResult {
    return this.transaction(command.sessionId, context, (run) => {
      const results: MultiResult[] = [];
      let failedAt = -1;
      for (const op of command.ops) {
        const result = run(op);
        results.push(result);
        if (result.op === 'error') {
          failedAt = results.length - 1;
          break;
        }
      }
      if (failedAt < 0) return { type: 'multi', results };
      const failure = results[failedAt]!;
      return {
        type: 'multi',
        results: command.ops.map((_, i): MultiResult => (i === failedAt ? failure : { op: 'rolledBack' })),
      };
    });
  }

  private operation(op: MultiCommandOp, sessionId: string | null, context: Apply): MultiResult {
    switch (op.op) {
      case 'check': {
        const result = this.tree.check(op.path, op.expectedVersion);
        return result.ok ? { op: 'check' } : { op: 'error', ...result.error };
      }
      case 'create': {
        const result = this.tree.create(op, sessionId, context);
        if (!result.ok) return { op: 'error', ...result.error };
        this.noteCreated(result.path, result.node);
        return { op: 'create', path: result.path, stat: statOf(result.node) };
      }
      case 'set': {
        const result = this.tree.set(op.path, op.data, op.expectedVersion, context);
        return result.ok ? { op: 'set', stat: statOf(result.node) } : { op: 'error', ...result.error };
      }
      case 'delete': {
        const result = this.tree.delete(op.path, op.expectedVersion, context);
        if (!result.ok) return { op: 'error', ...result.error };
        this.forget(op.path, result.node, context);
        return { op: 'delete' };
      }
    }
  }

  private noteCreated(path: string, node: Readonly<TreeNode>): void {
    if (node.ephemeralOwner !== null) this.sessions.addEphemeral(node.ephemeralOwner, path);
  }

  // Bookkeeping after a node is gone: its owner's ephemeral set, and its parent may be an emptied container.
  private forget(path: string, node: Readonly<TreeNode>, context: Apply): void {
    if (node.ephemeralOwner !== null) this.sessions.removeEphemeral(node.ephemeralOwner, path);
    const parentPath = parentOf(path);
    if (parentPath !== null) context.emptied.push(parentPath);
  }

  private removeEmptyContainers(context: Apply): string[] {
    return this.tree.removeEmptyContainers(context.emptied, context);
  }

  private createSession(command: CreateSessionCommand): CommandResult {
    if (
      !this.sessions.open(command.sessionId, command.secret, command.timeoutMs, command.time, command.owner ?? null)
    ) {
      return { type: 'error', code: 'BadArguments', message: 'a session with this id already exists' };
    }
    return { type: 'createSession', sessionId: command.sessionId, timeoutMs: command.timeoutMs };
  }

  /**
   * Refuses a command of a gone session, one sent by a connection that no longer owns its
   * session, or one that is not the owner's next (an earlier one was lost: applying this one
   * would reorder the connection's requests). Otherwise records the command's number, which
   * counts even if the command then fails.
   */
  private refuseSession(
    sessionId: string,
    owner: string | undefined,
    sequence: number | undefined,
  ): CommandResult | null {
    const session = this.sessions.get(sessionId);
    if (session === undefined) return { type: 'error', code: 'SessionExpired', message: 'the session expired' };
    if (owner !== undefined && session.owner !== null && session.owner !== owner) {
      return { type: 'error', code: 'SessionMoved', message: 'the session was resumed on another connection' };
    }
    if (sequence !== undefined) {
      if (sequence !== session.sequence + 1) {
        const message = `request ${sequence} of this connection arrived after ${session.sequence}: one was lost; reconnect`;
        return { type: 'error', code: 'ConnectionLoss', message };
      }
      this.sessions.advance(sessionId, sequence);
    }
    return null;
  }

  private closeSession(command: CloseSessionCommand, context: Apply): CommandResult {
    const refused = this.refuseSession(command.sessionId, command.owner, command.sequence);
    if (refused !== null) return refused;
    const ephemerals = this.sessions.close(command.sessionId);
    if (ephemerals === undefined) return { type: 'error', code: 'SessionExpired', message: 'the session expired' };
    for (const path of ephemerals) {
      const node = this.tree.get(path);
      if (node === undefined) throw new Error(`closeSession: ephemeral ${path} is missing`);
      this.tree.remove(path, context);
      this.forget(path, node, context);
    }
    return {
      type: 'closeSession',
      sessionId: command.sessionId,
      reason: command.reason,
      deleted: [...ephemerals, ...this.removeEmptyContainers(context)],
    };
  }

  private sweep(command: SweepCommand, context: Apply): CommandResult {
    const expired = this.tree.ttlCandidates(command.time);
    for (const path of expired) {
      const node = this.tree.get(path);
      if (node === undefined) throw new Error(`sweep: candidate ${path} is missing`);
      this.tree.remove(path, context);
      this.forget(path, node, context);
    }
    return { type: 'sweep', deleted: [...expired, ...this.removeEmptyContainers(context)] };
  }

  // ---------------------------------------------------------------------------------------------
  // Reads (for the server's read path; they never change state)

  /** A node's data and stat, or null. */
  get(path: string): { readonly data: Uint8Array; readonly stat: ReturnType<typeof statOf> } | null {
    const node = this.tree.get(path);
    return node === undefined ? null : { data: dataBytes(node.data), stat: statOf(node) };
  }

  /** A node's child names (sorted) and stat, or null. */
  children(path: string): { readonly children: readonly string[]; readonly stat: ReturnType<typeof statOf> } | null {
    const node = this.tree.get(path);
    return node === undefined ? null : { children: this.tree.childNames(node), stat: statOf(node) };
  }

  /**
   * The child of `parentPath` whose turn it is in a lock or queue directory (the lowest sequence
   * number; `DataTree.lowestSequencedChild`), or null when there is none or no such node.
   */
  turnHolder(parentPath: string): string | null {
    const node = this.tree.get(parentPath);
    return node === undefined ? null : this.tree.lowestSequencedChild(node);
  }

  /** A session, or undefined. */
  session(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /**
   * Nodes in the tree, the root included. Reads the tree's size (no walk), which stays exact
   * when a failed multi is undone and when a snapshot is restored.
   */
  get nodeCount(): number {
    return this.tree.size;
  }

  /** Every open session, by id. */
  listSessions(): Session[] {
    return this.sessions.list();
  }

  /** TTL nodes a sweep at `time` would delete; the leader proposes a sweep when this is not empty. */
  ttlCandidates(time: number): string[] {
    return this.tree.ttlCandidates(time);
  }

  // ---------------------------------------------------------------------------------------------
  // Snapshots

  /**
   * Captures the whole state (tree, sessions, applied revision) now and serialises it in slices
   * between event-loop turns, so entries keep applying meanwhile; identical states give
   * identical bytes. Resolves with the bytes as chunks in order, never copied into one buffer
   * here (the Raft runtime copies them once). Rejects if a restore replaces the state first.
   */
  snapshot(): Promise<Buffer[]> {
    const writer = this.beginSnapshot();
    return new Promise<Buffer[]>((resolve, reject) => {
      const slice = (): void => {
        try {
          const until = performance.now() + snapshotSliceMs;
          while (!writer.step(snapshotSliceNodes)) {
            if (performance.now() >= until) {
              setImmediate(slice);
              return;
            }
          }
          resolve(writer.finish());
        } catch (error) {
          writer.close();
          reject(error);
        }
      };
      setImmediate(slice);
    });
  }

  /** The same bytes as {@link snapshot}, serialised at once (tests and tools). */
  snapshotNow(): Uint8Array {
    const writer = this.beginSnapshot();
    try {
      while (!writer.step(Number.POSITIVE_INFINITY)) {}
      return Buffer.concat(writer.finish());
    } finally {
      writer.close();
    }
  }

  /**
   * Captures the current state for a snapshot serialised slice by slice ({@link SnapshotWriter.step})
   * while entries go on applying; what {@link snapshot} drives.
   */
  beginSnapshot(): SnapshotWriter {
    const capture = this.tree.beginCapture();
    const header = { appliedRevision: this.applied, sessions: this.sessions.list(), requests: this.requests.list() };
    return new SnapshotWriter(capture, header, () => this.tree.endCapture(capture));
  }

  /** Replaces all state with a snapshot's. Throws on a corrupt snapshot, leaving the state unchanged. */
  restore(data: Uint8Array): void {
    const snapshot = decodeSnapshot(data);
    this.tree.replace(snapshot.nodes);
    this.sessions.clear();
    for (const session of snapshot.sessions) {
      this.sessions.open(
        session.id,
        session.secret,
        session.timeoutMs,
        session.createdAt,
        session.owner,
        session.sequence,
      );
    }
    for (const [path, node] of snapshot.nodes) {
      if (node.ephemeralOwner !== null) this.sessions.addEphemeral(node.ephemeralOwner, path);
    }
    this.requests.replace(snapshot.requests);
    this.applied = snapshot.appliedRevision;
  }
}

// Built field by field: a spread of an optional tag costs an object and a generic copy per entry.
function outcomeOf(
  revision: number,
  result: CommandResult,
  changes: ChangeEvent[],
  requestId: string | undefined,
): ApplyOutcome {
  return requestId === undefined ? { revision, result, changes } : { revision, result, changes, requestId };
}
