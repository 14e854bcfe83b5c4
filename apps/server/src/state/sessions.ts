/**
 * The replicated session table. A session's liveness is not replicated (the leader tracks it);
 * only its creation, its end and the ephemeral nodes it owns are.
 */
import type { UndoLog } from './undo-log';

/** One session as every member knows it. */
export interface Session {
  readonly id: string;
  /** Proof of ownership a client shows to resume the session. */
  readonly secret: string;
  /** The granted timeout. */
  readonly timeoutMs: number;
  /** The time when the session was created, by the clock of the member that created it. */
  readonly createdAt: number;
  /**
   * The connection that serves the session (a token its member chose), or null when none was
   * recorded. Requests from any other connection are refused with `SessionMoved`, so a client
   * that moved to another member cannot have a request of its old connection applied after
   * the requests of its new one.
   */
  readonly owner: string | null;
  /**
   * The sequence number of the owner's last applied command. The owner numbers its commands
   * 1, 2, 3 ... in the order it sends them; one that does not come next is refused, so the
   * applied commands of a connection are always a prefix of what it sent (FIFO) even when one
   * is lost on the way to the leader.
   */
  readonly sequence: number;
  /** Paths of the ephemeral nodes the session owns. */
  readonly ephemerals: ReadonlySet<string>;
}

interface MutableSession extends Omit<Session, 'ephemerals' | 'owner' | 'sequence'> {
  readonly ephemerals: Set<string>;
  owner: string | null;
  sequence: number;
}

/** The table of open sessions. Ephemeral ownership changes are undoable (they happen inside multi). */
export class SessionTable {
  private readonly sessions = new Map<string, MutableSession>();

  constructor(private readonly undo: UndoLog) {}

  /** Number of open sessions. */
  get size(): number {
    return this.sessions.size;
  }

  has(id: string): boolean {
    return this.sessions.has(id);
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /** Every session, ordered by id (the order snapshots use). */
  list(): Session[] {
    return [...this.sessions.values()].sort((a, b) => compare(a.id, b.id));
  }

  /** Adds a session; returns false when the id is taken. */
  open(
    id: string,
    secret: string,
    timeoutMs: number,
    createdAt: number,
    owner: string | null = null,
    sequence = 0,
  ): boolean {
    if (this.sessions.has(id)) return false;
    this.sessions.set(id, { id, secret, timeoutMs, createdAt, owner, sequence, ephemerals: new Set() });
    this.undo.record(() => this.sessions.delete(id));
    return true;
  }

  /**
   * Removes a session and returns the paths of its ephemerals, sorted, so that every member
   * deletes them in the same order (ephemerals have no children, so any fixed order is safe).
   */
  close(id: string): string[] | undefined {
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    this.sessions.delete(id);
    this.undo.record(() => this.sessions.set(id, session));
    return [...session.ephemerals].sort(compare);
  }

  /** Makes `owner` the connection serving the session; false when there is no such session. */
  move(id: string, owner: string): boolean {
    const session = this.sessions.get(id);
    if (session === undefined) return false;
    // Moving to the owner it has already changes nothing: a repeated move must not restart the
    // numbering, or a repeated command could fit again.
    if (session.owner === owner) return true;
    session.owner = owner;
    session.sequence = 0;
    return true;
  }

  /** Records that the owner's command `sequence` was applied (not undone by a failed multi). */
  advance(id: string, sequence: number): void {
    const session = this.sessions.get(id);
    if (session !== undefined) session.sequence = sequence;
  }

  /** Records that the session owns an ephemeral node. */
  addEphemeral(id: string, path: string): void {
    const session = this.sessions.get(id);
    if (session === undefined) throw new Error(`SessionTable.addEphemeral: no session ${id}`);
    session.ephemerals.add(path);
    this.undo.record(() => session.ephemerals.delete(path));
  }

  /** Records that an ephemeral node is gone. Its session may already be closed. */
  removeEphemeral(id: string, path: string): void {
    const session = this.sessions.get(id);
    if (session === undefined || !session.ephemerals.delete(path)) return;
    this.undo.record(() => session.ephemerals.add(path));
  }

  /** Drops every session. */
  clear(): void {
    this.sessions.clear();
  }
}

/** Orders strings by UTF-16 code units, the same on every member (no locale). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
