/**
 * Serialises a snapshot (format: `snapshot-format.ts`) a slice of nodes at a time from a
 * {@link TreeCapture}, so the caller can apply entries between slices and the event loop never
 * holds for the whole tree. Sessions and recent request ids are small and copied at once.
 */

import { join } from '@keel/protocol';
import type { TreeNode } from './data-tree';
import { SnapshotByteWriter } from './snapshot-bytes';
import { type SnapshotHeader, writeNodeRow, writeSnapshotEnd, writeSnapshotHeader } from './snapshot-format';
import { SortedNames } from './sorted-names';
import type { CapturedNode, TreeCapture } from './tree-capture';

/** A parent whose children are being written: its path, its live children, and its names in order. */
interface Level {
  readonly path: string;
  readonly live: ReadonlyMap<string, TreeNode>;
  readonly names: SortedNames;
}

/**
 * Depth-first serialisation of a captured tree; call {@link step} until it returns true, then
 * {@link finish}, or {@link close} to give up. Either ends the capture.
 */
export class SnapshotWriter {
  private readonly out = new SnapshotByteWriter();
  private readonly parts: Buffer[] = [];
  private readonly stack: Level[] = [];
  /** Each session's number in node rows. */
  private readonly owners: Map<string, number>;
  private rootWritten = false;
  private nodesWritten = 0;

  constructor(
    private readonly capture: TreeCapture,
    header: SnapshotHeader,
    private readonly endCapture: () => void,
  ) {
    // Written now: sessions and request ids change as entries apply.
    this.owners = writeSnapshotHeader(this.out, header);
  }

  /**
   * Writes up to `count` more nodes, or sorts one run of a large directory's names instead;
   * true once every node is written.
   */
  step(count: number): boolean {
    if (this.rootWritten && this.stack.length === 0) return true;
    let written = 0;
    if (!this.rootWritten) {
      this.rootWritten = true;
      this.visit('/', '', 0, this.capture.root());
      written++;
    }
    while (written < count) {
      const depth = this.stack.length;
      const level = this.stack[depth - 1];
      if (level === undefined) break;
      // A large directory is sorted a run per call: that run is this call's work.
      if (!level.names.prepare()) break;
      const name = level.names.next();
      if (name === undefined) {
        this.stack.pop();
        continue;
      }
      this.visit(level.path, name, depth, this.capture.childOf(level.path, level.live, name));
      written++;
    }
    this.nodesWritten += written;
    const done = this.stack.length === 0;
    if (done) writeSnapshotEnd(this.out, this.nodesWritten);
    for (const chunk of this.out.take()) this.parts.push(chunk);
    return done;
  }

  /**
   * The snapshot's bytes as chunks in order (only after {@link step} returned true), not copied
   * into one buffer: a large tree's would be another copy of the whole snapshot in memory.
   */
  finish(): Buffer[] {
    if (!this.rootWritten || this.stack.length > 0) throw new Error('SnapshotWriter: nodes left to write');
    const parts = this.parts.splice(0);
    this.close();
    return parts;
  }

  /** Ends the capture (the tree stops recording pre-images for it) and drops what was written. */
  close(): void {
    this.parts.length = 0;
    this.endCapture();
  }

  /** Writes the row of `captured`, named `name` under `parentPath` (the root: '/' and ''). */
  private visit(parentPath: string, name: string, depth: number, captured: CapturedNode): void {
    const { node } = captured;
    const owner = node.ephemeralOwner === null ? 0 : this.owners.get(node.ephemeralOwner);
    if (owner === undefined)
      throw new Error(`SnapshotWriter: ${name} under ${parentPath} is owned by ${node.ephemeralOwner}, not a session`);
    writeNodeRow(this.out, depth, name, node, owner);
    // Most nodes are leaves nobody touched since the capture: they need no path of their own.
    if (captured.unchanged && node.children.size === 0) return;
    const path = join(parentPath, name);
    const children = this.capture.childrenOf(path, captured);
    if (children === null) return;
    const names = children.sorted ? SortedNames.presorted(children.names) : new SortedNames(children.names);
    this.stack.push({ path, live: children.live, names });
  }
}
