/**
 * Node helpers shared by the recipes: creating parents, protected (Curator's "protection mode")
 * sequential names, sorting by sequence number, deleting quietly.
 */
import type { KeelClient } from '@keel/client';
import { type CreateMode, isKeelError, parentOf, sequenceOf } from '@keel/protocol';
import { protectedPrefix } from '../constants';
import { createNode, deleteNode } from './client-ops';
import { retrying } from './retry';

const empty = new Uint8Array(0);

/**
 * Creates `path` and its missing ancestors (ZooKeeper's `creatingParentsIfNeeded`). Ancestors are
 * persistent; `path` itself gets `mode` (container for lock and election directories, so the
 * service removes them once empty). An existing node is fine.
 */
export async function ensurePath(
  client: KeelClient,
  path: string,
  mode: CreateMode = 'persistent',
  signal?: AbortSignal,
): Promise<void> {
  if (path === '/') return;
  const ancestors: string[] = [];
  for (let parent = parentOf(path); parent !== null && parent !== '/'; parent = parentOf(parent)) {
    ancestors.unshift(parent);
  }
  for (const ancestor of ancestors) await createIfMissing(client, ancestor, 'persistent', signal);
  await createIfMissing(client, path, mode, signal);
}

async function createIfMissing(client: KeelClient, path: string, mode: CreateMode, signal?: AbortSignal) {
  try {
    await retrying(client, () => createNode(client, path, empty, mode), signal);
  } catch (error) {
    if (!isKeelError(error, 'NodeExists')) throw error;
  }
}

/** Creates a node, creating its parents first if they are missing. */
export async function createWithParents(
  client: KeelClient,
  path: string,
  data: Uint8Array,
  mode: CreateMode,
  parentMode: CreateMode = 'persistent',
): Promise<string> {
  try {
    return await createNode(client, path, data, mode);
  } catch (error) {
    const parent = parentOf(path);
    if (!isKeelError(error, 'NoNode') || parent === null) throw error;
    await ensurePath(client, parent, parentMode);
    return createNode(client, path, data, mode);
  }
}

/** A fresh protection id: `_c_<uuid>-`, the start of every node one protected create makes. */
export function protectedId(): string {
  return `${protectedPrefix}${globalThis.crypto.randomUUID()}-`;
}

/** The name of a node without its protection id, if it has one. */
export function unprotectedName(name: string): string {
  if (!name.startsWith(protectedPrefix)) return name;
  const end = name.indexOf('-', protectedPrefix.length + 36);
  return end < 0 ? name : name.slice(end + 1);
}

/** Children that carry `marker` in their (unprotected) name, sorted by sequence number. */
export function sortedBySequence(children: readonly string[], marker?: string): string[] {
  // Each name's sequence is parsed once, not on every comparison: every lock waiter sorts the
  // whole directory after each wake-up.
  const numbered: { readonly name: string; readonly sequence: number }[] = [];
  for (const name of children) {
    if (marker !== undefined && !unprotectedName(name).startsWith(marker)) continue;
    const sequence = sequenceOf(name);
    if (sequence !== null) numbered.push({ name, sequence });
  }
  return numbered.sort((left, right) => left.sequence - right.sequence).map((entry) => entry.name);
}

/** Deletes a node, ignoring `NoNode`; retries across a dropped connection. */
export async function deleteQuietly(client: KeelClient, path: string, version?: number): Promise<void> {
  try {
    await retrying(client, () => deleteNode(client, path, version));
  } catch (error) {
    if (!isKeelError(error, 'NoNode')) throw error;
  }
}

/** UTF-8 text encoder and decoder shared by the recipes. */
export const utf8 = {
  encode: (text: string): Uint8Array => new TextEncoder().encode(text),
  decode: (bytes: Uint8Array): string => new TextDecoder().decode(bytes),
};
