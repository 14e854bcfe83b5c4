/**
 * The frames of the Keel client protocol, as discriminated unions.
 *
 * A client sends {@link Request}s, each with a numeric `xid` it chooses (unique among its
 * pending requests). A member answers every request with exactly one {@link Response} or
 * {@link ErrorResponse} carrying the same `xid`, in the order the requests were sent, and
 * the member's applied `revision` when it answered, so the client can track the newest
 * revision it has seen. Between answers a member may push {@link WatchEvent}s and
 * {@link SessionEvent}s, which carry a revision but no xid. A watch event is always sent before
 * any answer that reflects the change that fired it.
 *
 * Requests are discriminated by `op`, member frames by `type`.
 */
import type { ErrorCode } from './errors';
import type { CreateMode } from './modes';
import type { Stat } from './stat';

// ---------------------------------------------------------------------------------------------
// Requests (client to member)

/** Opens a new session. Must be the first request on a connection (or `resume`). */
export interface ConnectRequest {
  readonly op: 'connect';
  readonly xid: number;
  /** Requested session timeout; the member answers with the timeout it granted. */
  readonly sessionTimeoutMs: number;
  /** Newest revision the client has seen (0 if none): the member will not answer from an older state. */
  readonly lastSeenRevision: number;
  /** Whether the client accepts a member that can serve reads only (ZooKeeper's canBeReadOnly). */
  readonly readOnly: boolean;
}

/** Resumes an existing session on this connection, with the id and secret it was granted. */
export interface ResumeRequest {
  readonly op: 'resume';
  readonly xid: number;
  readonly sessionId: string;
  readonly secret: string;
  readonly sessionTimeoutMs: number;
  readonly lastSeenRevision: number;
  readonly readOnly: boolean;
}

/** Ends the session: its ephemeral nodes are deleted and its watches dropped. */
export interface CloseSessionRequest {
  readonly op: 'closeSession';
  readonly xid: number;
}

/** Keeps the session alive and measures the connection. */
export interface PingRequest {
  readonly op: 'ping';
  readonly xid: number;
}

/** Creates a node. For sequential modes `path` is the prefix the counter is appended to. */
export interface CreateRequest {
  readonly op: 'create';
  readonly xid: number;
  readonly path: string;
  readonly data: Uint8Array;
  readonly mode: CreateMode;
  /** Required for the TTL modes, forbidden for the others. */
  readonly ttlMs?: number;
  /**
   * Also leaves a turn watch (see {@link WatchKind}) on the created node, registered with the
   * answer: a lock or queue waiter's create and wait in one round trip. Sequential modes only.
   */
  readonly watchTurn?: true;
}

/** Deletes a node, if its version is `expectedVersion` (any version when absent). */
export interface DeleteRequest {
  readonly op: 'delete';
  readonly xid: number;
  readonly path: string;
  readonly expectedVersion?: number;
}

/** Replaces a node's data, if its version is `expectedVersion` (any version when absent). */
export interface SetRequest {
  readonly op: 'set';
  readonly xid: number;
  readonly path: string;
  readonly data: Uint8Array;
  readonly expectedVersion?: number;
}

/** Fields shared by the read requests. */
export interface ReadOptions {
  /** Leave a one-shot watch (data watch for get/exists, child watch for children). */
  readonly watch: boolean;
  /** Confirm leadership through ReadIndex before answering, instead of reading the member's state. */
  readonly linearizable: boolean;
}

/** Reads a node's data and stat. */
export interface GetRequest extends ReadOptions {
  readonly op: 'get';
  readonly xid: number;
  readonly path: string;
}

/** Reads a node's stat, or learns that it does not exist (the watch then waits for its creation). */
export interface ExistsRequest extends ReadOptions {
  readonly op: 'exists';
  readonly xid: number;
  readonly path: string;
}

/** Lists a node's children (names, unsorted) with the node's stat. */
export interface ChildrenRequest extends ReadOptions {
  readonly op: 'children';
  readonly xid: number;
  readonly path: string;
}

/** One operation of a multi. */
export type MultiOp =
  | { readonly op: 'check'; readonly path: string; readonly expectedVersion: number }
  | {
      readonly op: 'create';
      readonly path: string;
      readonly data: Uint8Array;
      readonly mode: CreateMode;
      readonly ttlMs?: number;
    }
  | { readonly op: 'set'; readonly path: string; readonly data: Uint8Array; readonly expectedVersion?: number }
  | { readonly op: 'delete'; readonly path: string; readonly expectedVersion?: number };

/** Applies operations all or nothing, in one revision. */
export interface MultiRequest {
  readonly op: 'multi';
  readonly xid: number;
  readonly ops: readonly MultiOp[];
}

/** Waits until the member has applied everything the leader had committed when it arrived. */
export interface SyncRequest {
  readonly op: 'sync';
  readonly xid: number;
  readonly path: string;
}

/**
 * The kinds of watch. `data`, `exists` and `children` are ZooKeeper's one-shot watches (they
 * fire once, then are gone); `persistent` watches a node's data and children until removed;
 * `persistentRecursive` watches a node and every node below it (created, deleted, dataChanged).
 * `turn` (one-shot, registered with `addWatch` only) waits on a sequential node for its turn:
 * it fires `turn` once no sibling with a lower sequence number is left (at once if none is) and
 * `deleted` if the node goes first. A lock or queue waiter needs no listing and no watch on its
 * predecessor; the member decides when each deletion applies.
 */
export type WatchKind = 'data' | 'exists' | 'children' | 'persistent' | 'persistentRecursive' | 'turn';

/**
 * Registers a watch. With `sinceRevision` (after a reconnect) the member first delivers every
 * event after that revision that the watch would have seen, or `resyncNeeded` when its window
 * of recent changes no longer reaches back that far. A `turn` watch is a condition, not a
 * history: the member answers `NoNode` if the node is gone, and otherwise sends `turn` right
 * after the answer if the node's turn has come, with or without `sinceRevision`.
 */
export interface AddWatchRequest {
  readonly op: 'addWatch';
  readonly xid: number;
  readonly path: string;
  readonly kind: WatchKind;
  readonly sinceRevision?: number;
}

/** Removes a watch of one kind on a path (`NoWatcher` if there is none). */
export interface RemoveWatchRequest {
  readonly op: 'removeWatch';
  readonly xid: number;
  readonly path: string;
  readonly kind: WatchKind;
}

/** Lists the cluster's members. */
export interface ListMembersRequest {
  readonly op: 'listMembers';
  readonly xid: number;
}

/** Adds a non-voting member that replicates the log (ZooKeeper's observer). */
export interface AddLearnerRequest {
  readonly op: 'addLearner';
  readonly xid: number;
  readonly memberId: string;
  /** Where peers reach the new member (its peer WebSocket URL). */
  readonly address: string;
}

/** Makes a learner a voter. */
export interface PromoteRequest {
  readonly op: 'promote';
  readonly xid: number;
  readonly memberId: string;
}

/** Removes a member (voter or learner) from the cluster. */
export interface RemoveMemberRequest {
  readonly op: 'removeMember';
  readonly xid: number;
  readonly memberId: string;
}

/** Hands leadership to a voter (the most up-to-date one when `memberId` is absent). */
export interface TransferLeadershipRequest {
  readonly op: 'transferLeadership';
  readonly xid: number;
  readonly memberId?: string;
}

/** Every request a client may send. */
export type Request =
  | ConnectRequest
  | ResumeRequest
  | CloseSessionRequest
  | PingRequest
  | CreateRequest
  | DeleteRequest
  | SetRequest
  | GetRequest
  | ExistsRequest
  | ChildrenRequest
  | MultiRequest
  | SyncRequest
  | AddWatchRequest
  | RemoveWatchRequest
  | ListMembersRequest
  | AddLearnerRequest
  | PromoteRequest
  | RemoveMemberRequest
  | TransferLeadershipRequest;

/** The op of a request. */
export type RequestOp = Request['op'];

/** The request of one op. */
export type RequestOf<Op extends RequestOp> = Extract<Request, { readonly op: Op }>;

// ---------------------------------------------------------------------------------------------
// Responses (member to client)

/** Fields of every answer to a request. */
export interface ResponseHeader {
  /** The xid of the request this answers. */
  readonly xid: number;
  /** The member's applied revision when it answered. */
  readonly revision: number;
}

/** The session was opened or resumed. */
export interface ConnectedResponse extends ResponseHeader {
  readonly type: 'connected';
  readonly sessionId: string;
  /** Proof of ownership for `resume`; keep it private. */
  readonly secret: string;
  /** The granted timeout, within the member's bounds. */
  readonly sessionTimeoutMs: number;
  /** The member that serves this connection. */
  readonly memberId: string;
  /** Whether an existing session was resumed (false: a new one was created). */
  readonly resumed: boolean;
  /** Whether this member currently serves reads only. */
  readonly readOnly: boolean;
}

/** The session is closed; the member will close the connection. */
export interface CloseSessionResponse extends ResponseHeader {
  readonly type: 'closeSession';
}

/** Answer to a ping. */
export interface PongResponse extends ResponseHeader {
  readonly type: 'pong';
}

/** The node was created; `path` is its actual path (with the sequence number, if any). */
export interface CreateResponse extends ResponseHeader {
  readonly type: 'create';
  readonly path: string;
  readonly stat: Stat;
}

/** The node was deleted. */
export interface DeleteResponse extends ResponseHeader {
  readonly type: 'delete';
}

/** The data was replaced. */
export interface SetResponse extends ResponseHeader {
  readonly type: 'set';
  readonly stat: Stat;
}

/** A node's data and stat. */
export interface GetResponse extends ResponseHeader {
  readonly type: 'get';
  readonly data: Uint8Array;
  readonly stat: Stat;
}

/** A node's stat, or `null` when it does not exist. */
export interface ExistsResponse extends ResponseHeader {
  readonly type: 'exists';
  readonly stat: Stat | null;
}

/** A node's children names and its stat. */
export interface ChildrenResponse extends ResponseHeader {
  readonly type: 'children';
  readonly children: readonly string[];
  readonly stat: Stat;
}

/**
 * The outcome of one operation of a multi. When any operation fails, nothing is applied: the
 * failing operation's result is `error` and every other one is `rolledBack`.
 */
export type MultiResult =
  | { readonly op: 'check' }
  | { readonly op: 'create'; readonly path: string; readonly stat: Stat }
  | { readonly op: 'set'; readonly stat: Stat }
  | { readonly op: 'delete' }
  | { readonly op: 'error'; readonly code: ErrorCode; readonly message: string; readonly path?: string }
  | { readonly op: 'rolledBack' };

/**
 * The results of a multi, one per operation in order. A failed multi is answered with this
 * response too (not with `error`), so the per-operation results reach the client.
 */
export interface MultiResponse extends ResponseHeader {
  readonly type: 'multi';
  readonly results: readonly MultiResult[];
}

/** The member has caught up. */
export interface SyncResponse extends ResponseHeader {
  readonly type: 'sync';
  readonly path: string;
}

/** The watch is registered (missed events, if any, follow). */
export interface AddWatchResponse extends ResponseHeader {
  readonly type: 'addWatch';
}

/** The watch is removed. */
export interface RemoveWatchResponse extends ResponseHeader {
  readonly type: 'removeWatch';
}

/** One member of the cluster. */
export interface MemberInfo {
  readonly id: string;
  /** Peer address (WebSocket URL) of the member. */
  readonly address: string;
  readonly role: 'voter' | 'learner';
  /**
   * Highest log index known to be replicated on the member. Only the leader knows it: present
   * when the answering member leads, absent otherwise.
   */
  readonly matchIndex?: number;
  /** Entries the member trails the leader's log by (leader's last index - `matchIndex`); as `matchIndex`. */
  readonly lag?: number;
}

/** The cluster's members and current leader. */
export interface ListMembersResponse extends ResponseHeader {
  readonly type: 'listMembers';
  readonly leaderId: string | null;
  readonly members: readonly MemberInfo[];
}

/** The learner was added (committed; it may still be catching up). */
export interface AddLearnerResponse extends ResponseHeader {
  readonly type: 'addLearner';
}

/** The learner is now a voter. */
export interface PromoteResponse extends ResponseHeader {
  readonly type: 'promote';
}

/** The member was removed. */
export interface RemoveMemberResponse extends ResponseHeader {
  readonly type: 'removeMember';
}

/** Leadership moved; `leaderId` is the new leader. */
export interface TransferLeadershipResponse extends ResponseHeader {
  readonly type: 'transferLeadership';
  readonly leaderId: string;
}

/** A request failed. */
export interface ErrorResponse extends ResponseHeader {
  readonly type: 'error';
  readonly code: ErrorCode;
  readonly message: string;
  readonly path?: string;
}

/** Every successful answer. */
export type Response =
  | ConnectedResponse
  | CloseSessionResponse
  | PongResponse
  | CreateResponse
  | DeleteResponse
  | SetResponse
  | GetResponse
  | ExistsResponse
  | ChildrenResponse
  | MultiResponse
  | SyncResponse
  | AddWatchResponse
  | RemoveWatchResponse
  | ListMembersResponse
  | AddLearnerResponse
  | PromoteResponse
  | RemoveMemberResponse
  | TransferLeadershipResponse;

/** The successful answer to each request op. */
export interface ResponseByOp {
  connect: ConnectedResponse;
  resume: ConnectedResponse;
  closeSession: CloseSessionResponse;
  ping: PongResponse;
  create: CreateResponse;
  delete: DeleteResponse;
  set: SetResponse;
  get: GetResponse;
  exists: ExistsResponse;
  children: ChildrenResponse;
  multi: MultiResponse;
  sync: SyncResponse;
  addWatch: AddWatchResponse;
  removeWatch: RemoveWatchResponse;
  listMembers: ListMembersResponse;
  addLearner: AddLearnerResponse;
  promote: PromoteResponse;
  removeMember: RemoveMemberResponse;
  transferLeadership: TransferLeadershipResponse;
}

/** The successful answer to a request. */
export type ResponseFor<R extends Request> = ResponseByOp[R['op']];

// ---------------------------------------------------------------------------------------------
// Events (member to client, unsolicited)

/**
 * What happened to a watched node. `turn`: no sibling with a lower sequence number is left (only
 * a `turn` watch sees it).
 */
export type WatchEventType = 'created' | 'deleted' | 'dataChanged' | 'childrenChanged' | 'turn';

/**
 * A watched node changed at `revision`. The client routes it to its watches by path (and, for
 * recursive watches, by ancestor path) and event type, as ZooKeeper clients do.
 */
export interface NodeWatchEvent {
  readonly type: 'watch';
  readonly event: WatchEventType;
  readonly path: string;
  readonly revision: number;
}

/**
 * Events of the watch `kind` on `path` were lost: the member's window of recent changes did not
 * reach back to the requested revision, or the member skipped over changes (it installed a
 * snapshot from the leader). The client must re-read the watched state; `revision` is the
 * member's revision, from which a persistent watch continues without a gap. A one-shot watch
 * (`data`, `exists`, `children`) has fired with this event and is gone.
 */
export interface ResyncNeededEvent {
  readonly type: 'watch';
  readonly event: 'resyncNeeded';
  readonly path: string;
  readonly kind: WatchKind;
  readonly revision: number;
}

/** A watch fired. */
export type WatchEvent = NodeWatchEvent | ResyncNeededEvent;

/**
 * Something happened to the session or the connection: `expired` (the session is gone; start a
 * new one), `moved` (the session was resumed on another connection; this one will close),
 * `serverClosing` (the member is stopping; reconnect elsewhere, the session lives on).
 */
export interface SessionEvent {
  readonly type: 'session';
  readonly event: 'expired' | 'moved' | 'serverClosing';
  readonly reason: string;
  readonly revision: number;
}

/** Every frame a member may send. */
export type ServerMessage = Response | ErrorResponse | WatchEvent | SessionEvent;

/** The type of a member frame. */
export type ServerMessageType = ServerMessage['type'];

// ---------------------------------------------------------------------------------------------
// Classification

/** Every request op, in wire-tag order. */
export const requestOps = Object.freeze([
  'connect',
  'resume',
  'closeSession',
  'ping',
  'create',
  'delete',
  'set',
  'get',
  'exists',
  'children',
  'multi',
  'sync',
  'addWatch',
  'removeWatch',
  'listMembers',
  'addLearner',
  'promote',
  'removeMember',
  'transferLeadership',
] as const) satisfies readonly RequestOp[];

/** Ops that change the replicated state and go through the leader. */
export const writeOps: ReadonlySet<RequestOp> = new Set<RequestOp>(['create', 'delete', 'set', 'multi']);

/** Ops that change cluster membership or leadership. */
export const adminOps: ReadonlySet<RequestOp> = new Set<RequestOp>([
  'listMembers',
  'addLearner',
  'promote',
  'removeMember',
  'transferLeadership',
]);

/** Every watch kind, in wire-tag order. */
export const watchKinds = Object.freeze([
  'data',
  'exists',
  'children',
  'persistent',
  'persistentRecursive',
  'turn',
] as const) satisfies readonly WatchKind[];
