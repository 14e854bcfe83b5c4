/**
 * The snapshot format. Two members in the same state produce the same bytes (tests compare
 * states by comparing bytes). Primitives (`uint`, `string`, `bytes`) are those of
 * `snapshot-bytes.ts`:
 *
 * ```
 * u8 2                                  snapshotFormatVersion (version 1, JSON, starts with `{`)
 * uint appliedRevision
 * uint sessions, then per session, sorted by id:
 *   string id | string secret | uint timeoutMs | uint createdAt | string owner ('' for none) | uint sequence
 * uint requests, then each recently applied request id, oldest first: string
 * per node, depth-first from the root, children in code-unit order:
 *   uint depth + 1 (the root first, at depth 0) | string name ('' for the root) | u8 kind
 *   | bytes data | uint version | uint childrenVersion | uint createdRevision
 *   | uint modifiedRevision | uint childrenRevision | uint createdAt | uint modifiedAt
 *   | uint owner (0 for none, else the session's place in the list above + 1)
 *   | uint ttlMs (ttl nodes only)
 * uint 0 | uint node count             nothing follows
 * ```
 *
 * A row names its node by depth and name: its parent is the last row one level up, which is
 * what a depth-first walk produces, so paths are neither repeated nor re-split on restore.
 * Binary rather than the JSON of the first format (still read, `snapshot-json.ts`): a
 * 1,000,000-node tree took about 8 s of CPU to write and 5 s to read as JSON with base64 data.
 *
 * {@link decodeSnapshot} validates everything and builds a fresh tree; it throws
 * {@link CorruptSnapshotError} on a corrupt snapshot.
 */
import { validatePath } from '@keel/protocol';
import { snapshotFormatVersion } from '../constants';
import { type NodeKind, noChildren, type TreeNode } from './data-tree';
import { dataLength } from './node-data';
import type { Session } from './sessions';
import {
  CorruptSnapshotError,
  SnapshotByteReader,
  type SnapshotByteWriter,
  stringBytesBound,
  uintBytesMax,
} from './snapshot-bytes';
import { decodeJsonSnapshot } from './snapshot-json';

/** Node kinds by their byte. Append only: snapshots on disk hold these numbers. */
const kindBytes: readonly NodeKind[] = ['persistent', 'ephemeral', 'container', 'ttl'];

/** A decoded snapshot, ready to install. */
export interface DecodedSnapshot {
  readonly appliedRevision: number;
  /** Every node by path, parents before their children. */
  readonly nodes: Map<string, TreeNode>;
  readonly sessions: readonly Omit<Session, 'ephemerals'>[];
  readonly requests: readonly string[];
}

/** What precedes the rows. */
export interface SnapshotHeader {
  readonly appliedRevision: number;
  /** Every session, sorted by id. */
  readonly sessions: readonly Omit<Session, 'ephemerals'>[];
  /** Recently applied request ids, oldest first. */
  readonly requests: readonly string[];
}

/** Writes the header; returns each session's number in node rows (its `owner` field). */
export function writeSnapshotHeader(out: SnapshotByteWriter, header: SnapshotHeader): Map<string, number> {
  const owners = new Map<string, number>();
  out.reserve(2 * uintBytesMax + 1);
  out.u8(snapshotFormatVersion);
  out.uint(header.appliedRevision);
  out.uint(header.sessions.length);
  for (const session of header.sessions) {
    const owner = session.owner ?? '';
    out.reserve(
      stringBytesBound(session.id) + stringBytesBound(session.secret) + stringBytesBound(owner) + 3 * uintBytesMax,
    );
    out.string(session.id);
    out.string(session.secret);
    out.uint(session.timeoutMs);
    out.uint(session.createdAt);
    out.string(owner);
    out.uint(session.sequence);
    owners.set(session.id, owners.size + 1);
  }
  out.reserve(uintBytesMax);
  out.uint(header.requests.length);
  for (const id of header.requests) {
    out.reserve(stringBytesBound(id));
    out.string(id);
  }
  return owners;
}

/** Writes one node's row; `owner` is its session's number from {@link writeSnapshotHeader}, or 0. */
export function writeNodeRow(
  out: SnapshotByteWriter,
  depth: number,
  name: string,
  node: Readonly<TreeNode>,
  owner: number,
): void {
  out.reserve(stringBytesBound(name) + dataLength(node.data) + 12 * uintBytesMax + 1);
  out.uint(depth + 1);
  out.string(name);
  out.u8(kindBytes.indexOf(node.kind));
  out.data(node.data);
  out.uint(node.version);
  out.uint(node.childrenVersion);
  out.uint(node.createdRevision);
  out.uint(node.modifiedRevision);
  out.uint(node.childrenRevision);
  out.uint(node.createdAt);
  out.uint(node.modifiedAt);
  out.uint(owner);
  if (node.ttlMs !== null) out.uint(node.ttlMs);
}

/** Ends the rows. */
export function writeSnapshotEnd(out: SnapshotByteWriter, nodes: number): void {
  out.reserve(2 * uintBytesMax);
  out.uint(0);
  out.uint(nodes);
}

function corrupt(message: string): never {
  throw new CorruptSnapshotError(message);
}

/** Decodes and validates a snapshot of either format. Throws {@link CorruptSnapshotError}. */
export function decodeSnapshot(bytes: Uint8Array): DecodedSnapshot {
  return bytes[0] === snapshotFormatVersion ? decodeBinarySnapshot(bytes) : decodeJsonSnapshot(bytes);
}

function decodeBinarySnapshot(bytes: Uint8Array): DecodedSnapshot {
  const input = new SnapshotByteReader(bytes, 1);
  const appliedRevision = input.uint('appliedRevision');

  const sessionCount = input.uint('session count');
  const sessions: Omit<Session, 'ephemerals'>[] = [];
  const sessionIds = new Set<string>();
  for (let i = 0; i < sessionCount; i++) {
    const id = input.string('session id');
    if (id === '' || sessionIds.has(id)) corrupt(`bad session id ${JSON.stringify(id)}`);
    sessionIds.add(id);
    const secret = input.string('session secret');
    const timeoutMs = input.uint('timeoutMs');
    const createdAt = input.uint('createdAt');
    const owner = input.string('session owner');
    sessions.push({
      id,
      secret,
      timeoutMs,
      createdAt,
      owner: owner === '' ? null : owner,
      sequence: input.uint('sequence'),
    });
  }

  const requestCount = input.uint('request count');
  const requests: string[] = [];
  for (let i = 0; i < requestCount; i++) {
    const id = input.string('request id');
    if (id === '') corrupt('empty request id');
    requests.push(id);
  }

  const nodes = new Map<string, TreeNode>();
  // The path and node of the last row at each depth: the parents of the next row.
  const pathAt: string[] = [];
  const nodeAt: TreeNode[] = [];
  for (let depthPlusOne = input.uint('row depth'); depthPlusOne !== 0; depthPlusOne = input.uint('row depth')) {
    const depth = depthPlusOne - 1;
    const name = input.string('node name');
    let path = '/';
    let parent: TreeNode | undefined;
    if (depth === 0) {
      if (name !== '' || nodes.size > 0) corrupt('a second root, or a root with a name');
    } else {
      if (depth > pathAt.length) corrupt(`a row at depth ${depth} after one at depth ${pathAt.length - 1}`);
      // An empty name would make the path of the root: checked here, validatePath cannot tell.
      if (name === '' || name.includes('/')) corrupt(`bad name ${JSON.stringify(name)}`);
      const parentPath = pathAt[depth - 1]!;
      parent = nodeAt[depth - 1]!;
      path = parentPath === '/' ? `/${name}` : `${parentPath}/${name}`;
      if (!validatePath(path).ok) corrupt(`bad path ${JSON.stringify(path)}`);
      if (parent.kind === 'ephemeral') corrupt(`child of ephemeral at ${path}`);
    }
    const kind = kindBytes[input.u8('kind')] ?? corrupt(`bad kind at ${path}`);
    const data = input.data('data');
    const version = input.uint('version');
    const childrenVersion = input.uint('childrenVersion');
    const createdRevision = input.uint('createdRevision');
    const modifiedRevision = input.uint('modifiedRevision');
    const childrenRevision = input.uint('childrenRevision');
    const createdAt = input.uint('createdAt');
    const modifiedAt = input.uint('modifiedAt');
    const owner = input.uint('owner');
    const ephemeralOwner = owner === 0 ? null : (sessions[owner - 1]?.id ?? corrupt(`bad owner at ${path}`));
    if ((kind === 'ephemeral') !== (ephemeralOwner !== null)) corrupt(`ephemeral owner mismatch at ${path}`);
    const node: TreeNode = {
      data,
      version,
      childrenVersion,
      createdRevision,
      modifiedRevision,
      childrenRevision,
      createdAt,
      modifiedAt,
      ephemeralOwner,
      kind,
      ttlMs: kind === 'ttl' ? input.uint('ttlMs') : null,
      children: noChildren,
    };
    if (parent !== undefined) {
      if (parent.children === noChildren) parent.children = new Map();
      const children = parent.children as Map<string, TreeNode>;
      // Parents are unique by induction from the root, so a repeated path is a repeated name.
      const before = children.size;
      if (children.set(name, node).size === before) corrupt(`repeated path ${JSON.stringify(path)}`);
    }
    nodes.set(path, node);
    pathAt.length = depth;
    nodeAt.length = depth;
    pathAt.push(path);
    nodeAt.push(node);
  }
  if (input.uint('node count') !== nodes.size) corrupt('node count does not match the rows');
  if (!input.done) corrupt('bytes after the end');
  if (!nodes.has('/')) corrupt('no root');
  return { appliedRevision, nodes, sessions, requests };
}
