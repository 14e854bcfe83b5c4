/**
 * The metadata of a node (ZooKeeper's Stat, with revisions in place of zxids).
 * Revisions are Raft log indexes: the entry that made the change.
 */
export interface Stat {
  /** Number of changes to the node's data (ZooKeeper's `version`). */
  readonly version: number;
  /** Number of changes to the node's children (ZooKeeper's `cversion`). */
  readonly childrenVersion: number;
  /** Revision that created the node (`czxid`); lock recipes use it as a fencing token. */
  readonly createdRevision: number;
  /** Revision that last changed the data (`mzxid`). */
  readonly modifiedRevision: number;
  /** Revision that last added or removed a child (`pzxid`). */
  readonly childrenRevision: number;
  /** Creation time, milliseconds since the Unix epoch, as stamped by the leader. */
  readonly createdAt: number;
  /** Time of the last data change, milliseconds since the Unix epoch. */
  readonly modifiedAt: number;
  /** The session that owns an ephemeral node; `null` for every other node. */
  readonly ephemeralOwner: string | null;
  /** Length of the data in bytes. */
  readonly dataLength: number;
  /** Number of children. */
  readonly numChildren: number;
}

/** The numeric fields of a {@link Stat}, in wire order. */
export const statNumberFields = [
  'version',
  'childrenVersion',
  'createdRevision',
  'modifiedRevision',
  'childrenRevision',
  'createdAt',
  'modifiedAt',
  'dataLength',
  'numChildren',
] as const satisfies readonly (keyof Stat)[];
