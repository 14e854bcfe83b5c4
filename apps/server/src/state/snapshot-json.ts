/**
 * The first snapshot format, still read so that members upgraded from it can load the snapshots
 * they hold: UTF-8 JSON `{v: 1, appliedRevision, sessions, nodes, requests}`, with sessions as
 * rows `[id, secret, timeoutMs, createdAt, owner, sequence]` and nodes as rows `[path, data
 * (base64), version, childrenVersion, createdRevision, modifiedRevision, childrenRevision,
 * createdAt, modifiedAt, ephemeralOwner, kind, ttlMs]`, in any order. Members now write the
 * binary format (`snapshot-format.ts`).
 */
import { basename, parentOf, validatePath } from '@keel/protocol';
import { type NodeKind, noChildren, type TreeNode } from './data-tree';
import { nodeData } from './node-data';
import type { Session } from './sessions';
import { CorruptSnapshotError } from './snapshot-bytes';
import type { DecodedSnapshot } from './snapshot-format';

/** The `v` of a JSON snapshot. */
export const jsonSnapshotVersion = 1;

const nodeKinds: readonly NodeKind[] = ['persistent', 'ephemeral', 'container', 'ttl'];

function corrupt(message: string): never {
  throw new CorruptSnapshotError(message);
}

function integer(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) corrupt(`${what} is not a count`);
  return value;
}

/** Decodes and validates a JSON snapshot. Throws {@link CorruptSnapshotError} on any inconsistency. */
export function decodeJsonSnapshot(bytes: Uint8Array): DecodedSnapshot {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    corrupt('not UTF-8 JSON');
  }
  if (typeof json !== 'object' || json === null) corrupt('not an object');
  const root = json as Record<string, unknown>;
  if (root.v !== jsonSnapshotVersion) corrupt(`unknown version ${String(root.v)}`);
  const appliedRevision = integer(root.appliedRevision, 'appliedRevision');
  if (!Array.isArray(root.sessions) || !Array.isArray(root.nodes)) corrupt('missing sessions or nodes');

  const sessions: Omit<Session, 'ephemerals'>[] = [];
  const sessionIds = new Set<string>();
  for (const row of root.sessions as unknown[]) {
    // Rows written before session owners existed have four fields.
    if (!Array.isArray(row) || row.length < 4 || row.length > 6) corrupt('bad session row');
    const [id, secret, timeoutMs, createdAt, owner = null, sequence = 0] = row as unknown[];
    if (typeof id !== 'string' || typeof secret !== 'string' || sessionIds.has(id)) corrupt('bad session id or secret');
    if (owner !== null && (typeof owner !== 'string' || owner.length === 0)) corrupt(`bad owner of session ${id}`);
    sessionIds.add(id);
    sessions.push({
      id,
      secret,
      timeoutMs: integer(timeoutMs, 'timeoutMs'),
      createdAt: integer(createdAt, 'createdAt'),
      owner,
      sequence: integer(sequence, 'sequence'),
    });
  }

  const nodes = new Map<string, TreeNode>();
  for (const row of root.nodes as unknown[]) {
    if (!Array.isArray(row) || row.length !== 12) corrupt('bad node row');
    const [path, data, ...rest] = row as unknown[];
    const [version, cversion, created, modified, childrenRev, createdAt, modifiedAt, owner, kind, ttlMs] = rest;
    if (typeof path !== 'string' || !validatePath(path).ok || nodes.has(path)) corrupt('bad node path');
    if (typeof data !== 'string') corrupt(`bad data at ${path}`);
    if (owner !== null && (typeof owner !== 'string' || !sessionIds.has(owner))) corrupt(`bad owner at ${path}`);
    if (!nodeKinds.includes(kind as NodeKind)) corrupt(`bad kind at ${path}`);
    if ((kind === 'ephemeral') !== (owner !== null)) corrupt(`ephemeral owner mismatch at ${path}`);
    if ((kind === 'ttl') !== (ttlMs !== null)) corrupt(`ttl mismatch at ${path}`);
    nodes.set(path, {
      data: nodeData(Buffer.from(data, 'base64')),
      version: integer(version, 'version'),
      childrenVersion: integer(cversion, 'childrenVersion'),
      createdRevision: integer(created, 'createdRevision'),
      modifiedRevision: integer(modified, 'modifiedRevision'),
      childrenRevision: integer(childrenRev, 'childrenRevision'),
      createdAt: integer(createdAt, 'createdAt'),
      modifiedAt: integer(modifiedAt, 'modifiedAt'),
      ephemeralOwner: owner as string | null,
      kind: kind as NodeKind,
      ttlMs: ttlMs === null ? null : integer(ttlMs, 'ttlMs'),
      children: noChildren,
    });
  }
  if (!nodes.has('/')) corrupt('no root');
  for (const [path, node] of nodes) {
    const parentPath = parentOf(path);
    if (parentPath === null) continue;
    const parent = nodes.get(parentPath);
    if (parent === undefined) corrupt(`orphan ${path}`);
    if (parent.kind === 'ephemeral') corrupt(`child of ephemeral at ${path}`);
    if (parent.children === noChildren) parent.children = new Map();
    (parent.children as Map<string, TreeNode>).set(basename(path), node);
  }
  // Absent in snapshots written before request ids existed.
  const requests: string[] = [];
  if (root.requests !== undefined) {
    if (!Array.isArray(root.requests)) corrupt('requests is not an array');
    for (const id of root.requests as unknown[]) {
      if (typeof id !== 'string' || id.length === 0) corrupt('bad request id');
      requests.push(id);
    }
  }
  return { appliedRevision, nodes, sessions, requests };
}
