/**
 * Group membership (Curator's GroupMember): this member keeps an ephemeral node under the group
 * path, and a cache of the group tells who else is in.
 */
import type { KeelClient } from '@keel/client';
import { join, validatePath } from '@keel/protocol';
import { TreeCache } from '../cache/tree-cache';
import { PersistentNode } from './persistent-node';

/**
 * ```ts
 * const member = new GroupMember(client, '/groups/indexers', 'indexer-3', 'host-a:9000');
 * await member.start();
 * console.log([...member.getCurrentMembers().keys()]);
 * ```
 */
export class GroupMember {
  private readonly node: PersistentNode;
  private readonly cache: TreeCache;

  constructor(
    client: KeelClient,
    /** The group directory. */
    readonly membershipPath: string,
    /** This member's id (its node's name). */
    readonly thisId: string,
    payload: Uint8Array | string = new Uint8Array(0),
  ) {
    const check = validatePath(membershipPath);
    if (!check.ok) throw check.error;
    this.node = new PersistentNode(client, join(membershipPath, thisId), payload, { mode: 'ephemeral' });
    this.cache = new TreeCache(client, membershipPath, { maxDepth: 1 });
  }

  /** Joins the group and loads the member list; resolves once both are in place. */
  async start(): Promise<void> {
    this.node.start();
    await this.node.waitForInitialCreate();
    await this.cache.start();
  }

  /** Changes this member's payload. */
  setThisData(data: Uint8Array | string): Promise<void> {
    return this.node.setData(data);
  }

  /** Every member's id and payload, this one included. */
  getCurrentMembers(): Map<string, Uint8Array> {
    const members = new Map<string, Uint8Array>();
    for (const [id, node] of this.cache.getCurrentChildren(this.membershipPath) ?? []) members.set(id, node.data);
    return members;
  }

  /** The member id of a member node's path (Curator's idFromPath). */
  idFromPath(path: string): string {
    return path.slice(path.lastIndexOf('/') + 1);
  }

  /** The cache behind the member list, for change events (`changed`, `nodeAdded`, `nodeRemoved`). */
  get membersCache(): TreeCache {
    return this.cache;
  }

  /** Leaves the group. */
  async close(): Promise<void> {
    await this.cache.close();
    await this.node.close();
  }
}
