/**
 * Serialises a snapshot (format: `snapshot-format.ts`) a slice of nodes at a time from a
 * {@link TreeCapture}, so the caller can apply entries between slices and the event loop never
 * holds for the whole tree. Sessions and recent request ids are small and copied at once.
 */
import { snapshotFormatVersion } from '../constants';
import type { Session } from './sessions';
import { nodeRow, sessionRow } from './snapshot-format';
import { SortedNames } from './sorted-names';
import type { TreeCapture } from './tree-capture';

/** What the writer needs besides the tree, all as of the captured revision. */
export interface SnapshotHeader {
  readonly appliedRevision: number;
  /** Every session, sorted by id. */
  readonly sessions: readonly Omit<Session, 'ephemerals'>[];
  /** Recently applied request ids, oldest first. */
  readonly requests: readonly string[];
}

/** A parent whose children are being written: its path and its names, handed out in order. */
interface Level {
  readonly path: string;
  readonly names: SortedNames;
}

/**
 * Depth-first serialisation of a captured tree; call {@link step} until it returns true, then
 * {@link finish} (optionally {@link assemble} first, to copy the result in slices too), or
 * {@link close} to give up. Either ends the capture.
 */
export class SnapshotWriter {
  private readonly parts: Buffer[] = [];
  private readonly stack: Level[] = [];
  private readonly trailer: string;
  private rootWritten = false;
  private nodesWritten = 0;
  /** The result being assembled from `parts`, and how many parts are in it. */
  private result: { bytes: Buffer; offset: number; parts: number } | null = null;

  constructor(
    private readonly capture: TreeCapture,
    header: SnapshotHeader,
    private readonly endCapture: () => void,
  ) {
    // Copied now: sessions and request ids change as entries apply.
    const sessions = JSON.stringify(header.sessions.map(sessionRow));
    this.parts.push(
      Buffer.from(
        `{"v":${snapshotFormatVersion},"appliedRevision":${header.appliedRevision},"sessions":${sessions},"nodes":[`,
      ),
    );
    this.trailer = `],"requests":${JSON.stringify(header.requests)}}`;
  }

  /**
   * Writes up to `count` more nodes, or sorts one run of a large directory's names instead;
   * true once every node is written.
   */
  step(count: number): boolean {
    const rows: unknown[][] = [];
    if (!this.rootWritten) {
      this.rootWritten = true;
      rows.push(this.visit('/'));
    }
    while (rows.length < count) {
      const level = this.stack[this.stack.length - 1];
      if (level === undefined) break;
      // A large directory is sorted a run per call: that run is this call's work.
      if (!level.names.prepare()) break;
      const name = level.names.next();
      if (name === undefined) {
        this.stack.pop();
        continue;
      }
      rows.push(this.visit(level.path === '/' ? `/${name}` : `${level.path}/${name}`));
    }
    if (rows.length > 0) {
      const json = JSON.stringify(rows);
      // Rows of one slice without the brackets, comma-joined to the slices before.
      this.parts.push(Buffer.from(`${this.nodesWritten > 0 ? ',' : ''}${json.slice(1, -1)}`));
      this.nodesWritten += rows.length;
    }
    return this.stack.length === 0;
  }

  /**
   * Copies about `maxBytes` more of the written parts into the result; true once all are in.
   * Only after {@link step} returned true.
   */
  assemble(maxBytes: number): boolean {
    if (!this.rootWritten || this.stack.length > 0) throw new Error('SnapshotWriter: nodes left to write');
    if (this.result === null) {
      this.parts.push(Buffer.from(this.trailer));
      let size = 0;
      for (const part of this.parts) size += part.byteLength;
      this.result = { bytes: Buffer.allocUnsafe(size), offset: 0, parts: 0 };
    }
    const result = this.result;
    let copied = 0;
    while (result.parts < this.parts.length && copied < maxBytes) {
      const part = this.parts[result.parts++]!;
      part.copy(result.bytes, result.offset);
      result.offset += part.byteLength;
      copied += part.byteLength;
    }
    return result.parts === this.parts.length;
  }

  /** The snapshot's bytes; only after {@link step} returned true. */
  finish(): Uint8Array {
    while (!this.assemble(Number.POSITIVE_INFINITY)) {}
    const bytes = this.result!.bytes;
    this.close();
    return bytes;
  }

  /** Ends the capture (the tree stops recording pre-images for it) and drops what was written. */
  close(): void {
    this.parts.length = 0;
    this.endCapture();
  }

  private visit(path: string): unknown[] {
    const node = this.capture.nodeAt(path);
    if (node === undefined) throw new Error(`SnapshotWriter: captured child ${path} has no node`);
    const names = this.capture.childrenOf(path);
    if (names.length > 0) this.stack.push({ path, names: new SortedNames(names) });
    return nodeRow(path, node);
  }
}
