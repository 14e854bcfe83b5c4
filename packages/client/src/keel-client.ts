/**
 * The operations of the Keel client: ZooKeeper's API as promises with typed results and typed
 * errors, plus persistent watches as async iterables and the cluster admin operations.
 */
import {
  BadArgumentsError,
  type CreateMode,
  isTtlMode,
  type MemberInfo,
  type MultiResult,
  type Stat,
} from '@keel/protocol';
import { ClientSession } from './client-session';
import { type NodeData, toBytes } from './data';
import { expectedVersionOf, type MultiOperation, type MultiSuccess, settleMulti, toWireOps } from './multi';
import type { ClientSettings, RequestOptions } from './options';
import type { WebSocketConstructor } from './transport/web-socket';
import type { OneShotKind, WatchedEvent, Watcher } from './watches/watch-event';
import type { WatchStream } from './watches/watch-stream';

/**
 * A one-shot watch: `true` delivers the event to the client's `'watch'` listeners (ZooKeeper's
 * default watcher), a function is called with it. Either fires once, for the first change.
 */
export type WatchOption = boolean | Watcher;

/** Options of `create()`. */
export interface CreateOptions extends RequestOptions {
  /** How the node lives (default `persistent`). */
  readonly mode?: CreateMode;
  /** Time to live of a TTL node, required for the `*_ttl` modes. */
  readonly ttlMs?: number;
  /**
   * Sequential modes only: also leave a turn watch on the new node, as `watchTurn()` would,
   * registered with the create's answer (a lock or queue waiter's create and wait in one round
   * trip). `true` uses the default watcher. A member older than this client refuses the create
   * with `BadArguments` and creates nothing.
   */
  readonly watchTurn?: Watcher | true;
}

/** Options of `set()` and `delete()`. */
export interface VersionOptions extends RequestOptions {
  /** The version the node must have (`-1` or absent: any). */
  readonly version?: number;
}

/** Options of `get()`. */
export interface GetOptions extends RequestOptions {
  /** Leave a one-shot data watch: fires on the node's next data change or deletion. */
  readonly watch?: WatchOption;
  /** Confirm with the leader (ReadIndex) that the answer is current, not just this member's state. */
  readonly linearizable?: boolean;
}

/** Options of `exists()`. */
export interface ExistsOptions extends RequestOptions {
  /** Leave a one-shot watch: fires on the node's creation, next data change or deletion. */
  readonly watch?: WatchOption;
  readonly linearizable?: boolean;
}

/** Options of `children()`. */
export interface ChildrenOptions extends RequestOptions {
  /** Leave a one-shot child watch: fires on the next child added or removed, or the node's deletion. */
  readonly watch?: WatchOption;
  readonly linearizable?: boolean;
  /** Return the parent's stat along with the names. */
  readonly withStats?: boolean;
}

/** Options of `watch()`. */
export interface WatchOptions {
  /** Also watch every node below the path (created, deleted, dataChanged). */
  readonly recursive?: boolean;
}

/** A node's data and stat. */
export interface NodeSnapshot {
  readonly data: Uint8Array;
  readonly stat: Stat;
}

/** A node's children names (unsorted) and its stat. */
export interface ChildrenWithStat {
  readonly children: string[];
  readonly stat: Stat;
}

/** A created node: its actual path (with the sequence suffix, if any) and stat. */
export interface CreatedNode {
  readonly path: string;
  readonly stat: Stat;
}

/** The members of the cluster. */
export interface ClusterMembers {
  readonly leaderId: string | null;
  readonly members: readonly MemberInfo[];
}

/** A connected Keel client; get one from `connect()`. */
export class KeelClient extends ClientSession {
  private readonly defaultWatcher: Watcher = (event: WatchedEvent) => this.emit('watch', event);

  /** @internal Use `connect()`. */
  static async open(settings: ClientSettings, WebSocket: WebSocketConstructor, signal?: AbortSignal) {
    const client = new KeelClient(settings, WebSocket);
    await client.start(signal);
    return client;
  }

  /**
   * Creates a node and resolves with its actual path (sequential modes append a ten-digit
   * counter). Errors: `NodeExists`, `NoNode` (no parent), `NoChildrenForEphemerals`,
   * `BadArguments`, `TooLarge`.
   */
  async create(path: string, data?: NodeData, options: CreateOptions = {}): Promise<string> {
    return (await this.createWithStat(path, data, options)).path;
  }

  /** Like `create()`, also resolving with the new node's stat (ZooKeeper's `create2`). */
  async createWithStat(path: string, data?: NodeData, options: CreateOptions = {}): Promise<CreatedNode> {
    const mode = options.mode ?? 'persistent';
    if (isTtlMode(mode) && options.ttlMs === undefined) {
      throw new BadArgumentsError(`mode ${mode} needs ttlMs`, { path });
    }
    const turnWatcher = options.watchTurn === true ? this.defaultWatcher : options.watchTurn;
    const answer = await this.call(
      {
        op: 'create',
        path,
        data: toBytes(data),
        mode,
        ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }),
        ...(turnWatcher === undefined ? {} : { watchTurn: true as const }),
      },
      options,
      false,
      // Registered as the answer is dispatched: the turn event may follow it in the same read.
      turnWatcher === undefined ? undefined : (created) => this.oneShotWatches.add('turn', created.path, turnWatcher),
    );
    return { path: answer.path, stat: answer.stat };
  }

  /** Reads a node's data and stat. Errors: `NoNode`. */
  async get(path: string, options: GetOptions = {}): Promise<NodeSnapshot> {
    const watcher = this.watcherOf(options.watch);
    const answer = await this.call(
      { op: 'get', path, watch: watcher !== undefined, linearizable: options.linearizable ?? false },
      options,
      false,
      this.registersWatch('data', path, watcher),
    );
    return { data: answer.data, stat: answer.stat };
  }

  /** Replaces a node's data; resolves with the new stat. Errors: `NoNode`, `BadVersion`, `TooLarge`. */
  async set(path: string, data: NodeData, options: VersionOptions = {}): Promise<Stat> {
    const expectedVersion = expectedVersionOf(options.version);
    const answer = await this.call(
      { op: 'set', path, data: toBytes(data), ...(expectedVersion === undefined ? {} : { expectedVersion }) },
      options,
    );
    return answer.stat;
  }

  /** Deletes a node. Errors: `NoNode`, `BadVersion`, `NotEmpty`. */
  async delete(path: string, options: VersionOptions = {}): Promise<void> {
    const expectedVersion = expectedVersionOf(options.version);
    await this.call({ op: 'delete', path, ...(expectedVersion === undefined ? {} : { expectedVersion }) }, options);
  }

  /** A node's stat, or null when it does not exist (a watch then waits for its creation). */
  async exists(path: string, options: ExistsOptions = {}): Promise<Stat | null> {
    const watcher = this.watcherOf(options.watch);
    const answer = await this.call(
      { op: 'exists', path, watch: watcher !== undefined, linearizable: options.linearizable ?? false },
      options,
      false,
      this.registersWatch('exists', path, watcher),
    );
    return answer.stat;
  }

  /** A node's children names, unsorted; with `withStats`, the node's stat too. Errors: `NoNode`. */
  children(path: string, options?: ChildrenOptions & { readonly withStats?: false }): Promise<string[]>;
  children(path: string, options: ChildrenOptions & { readonly withStats: true }): Promise<ChildrenWithStat>;
  children(path: string, options?: ChildrenOptions): Promise<string[] | ChildrenWithStat>;
  async children(path: string, options: ChildrenOptions = {}): Promise<string[] | ChildrenWithStat> {
    const watcher = this.watcherOf(options.watch);
    const answer = await this.call(
      { op: 'children', path, watch: watcher !== undefined, linearizable: options.linearizable ?? false },
      options,
      false,
      this.registersWatch('children', path, watcher),
    );
    const children = [...answer.children];
    return options.withStats === true ? { children, stat: answer.stat } : children;
  }

  /**
   * Applies operations all or nothing, in one revision, and resolves with one result per
   * operation. A failed multi rejects with the failing operation's error class carrying
   * `results` (the failing one `error`, the others `rolledBack`) and `failedIndex`; see
   * `isMultiFailure()`.
   */
  async multi(operations: readonly MultiOperation[], options: RequestOptions = {}): Promise<MultiSuccess[]> {
    const answer = await this.call({ op: 'multi', ops: toWireOps(operations) }, options);
    const settled = settleMulti(answer.results);
    if (!Array.isArray(settled)) throw settled;
    return settled;
  }

  /** Waits until the connected member has applied everything committed when the call arrived. */
  async sync(path: string, options: RequestOptions = {}): Promise<void> {
    await this.call({ op: 'sync', path }, options);
  }

  /**
   * Leaves a turn watch on a sequential node: a lock or queue waiter's wait, decided by the
   * member, with no listing and no watch on the node ahead. It fires once: `turn` when no
   * sibling with a lower sequence number is left (at once if none is now), or `deleted` if the
   * node goes first. Resolves when the member has registered it. Like every one-shot watch it is
   * registered again after a reconnect, firing `resyncNeeded` if the node is gone by then.
   * Errors: `NoNode`; `BadArguments` when the name does not end in a sequence number, and from a
   * member older than this client (it does not know the watch).
   */
  async watchTurn(path: string, watch: Watcher | true, options: RequestOptions = {}): Promise<void> {
    const watcher = watch === true ? this.defaultWatcher : watch;
    await this.call({ op: 'addWatch', path, kind: 'turn' }, options, false, this.registersWatch('turn', path, watcher));
  }

  /**
   * Watches a node (and with `recursive`, every node below it) until closed: an async iterable
   * of events that survives reconnects (missed events are replayed by the member, or announced
   * with one `resyncNeeded` event). `ready` settles when the member has registered the watch.
   */
  watch(path: string, options: WatchOptions = {}): WatchStream {
    return this.persistentWatches.open(path, options.recursive ?? false);
  }

  // -------------------------------------------------------------------------------------------
  // Cluster administration

  /** The cluster's members and current leader. */
  async members(options: RequestOptions = {}): Promise<ClusterMembers> {
    const answer = await this.call({ op: 'listMembers' }, options);
    return { leaderId: answer.leaderId, members: answer.members };
  }

  /** Adds a non-voting member (an observer) that peers reach at `address`. */
  async addLearner(id: string, address: string, options: RequestOptions = {}): Promise<void> {
    await this.call({ op: 'addLearner', memberId: id, address }, options);
  }

  /** Makes a learner a voter. */
  async promote(id: string, options: RequestOptions = {}): Promise<void> {
    await this.call({ op: 'promote', memberId: id }, options);
  }

  /** Removes a member, voter or learner. */
  async removeMember(id: string, options: RequestOptions = {}): Promise<void> {
    await this.call({ op: 'removeMember', memberId: id }, options);
  }

  /** Hands leadership to `id` (or the most up-to-date voter); resolves with the new leader's id. */
  async transferLeadership(id?: string, options: RequestOptions = {}): Promise<string> {
    const answer = await this.call(
      { op: 'transferLeadership', ...(id === undefined ? {} : { memberId: id }) },
      options,
    );
    return answer.leaderId;
  }

  // -------------------------------------------------------------------------------------------

  private watcherOf(watch: WatchOption | undefined): Watcher | undefined {
    if (watch === undefined || watch === false) return undefined;
    return watch === true ? this.defaultWatcher : watch;
  }

  private registersWatch(kind: OneShotKind, path: string, watcher: Watcher | undefined): (() => void) | undefined {
    return watcher === undefined ? undefined : () => this.oneShotWatches.add(kind, path, watcher);
  }
}

export type { MultiResult };
