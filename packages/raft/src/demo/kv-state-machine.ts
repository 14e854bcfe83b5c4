/**
 * A small replicated key-value map with counters, used by the demo cluster. Commands are JSON
 * so a person can read them in a log dump; the snapshot is the whole map as JSON.
 */
import type { Entry } from '../core/types';
import type { StateMachine } from '../runtime/interfaces';

/** A command the demo proposes. */
export type KvCommand =
  | { readonly op: 'set'; readonly key: string; readonly value: string }
  | { readonly op: 'incr'; readonly key: string; readonly by?: number }
  | { readonly op: 'delete'; readonly key: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a command as an entry payload. */
export function encodeKvCommand(command: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

/** What `apply` returns: the key's value after the command (null once deleted or if invalid). */
export type KvResult = string | null;

/** A string map plus the index of the last applied entry. Deterministic: no clock, no randomness. */
export class KvStateMachine implements StateMachine<KvResult> {
  private map = new Map<string, string>();
  private lastIndex = 0;

  apply(entry: Entry): KvResult {
    this.lastIndex = entry.index;
    let command: KvCommand;
    try {
      command = JSON.parse(decoder.decode(entry.data)) as KvCommand;
    } catch {
      // Garbage is ignored identically on every member, so the state stays equal.
      return null;
    }
    switch (command.op) {
      case 'set':
        this.map.set(command.key, String(command.value));
        return String(command.value);
      case 'incr': {
        const next = String((Number(this.map.get(command.key) ?? '0') || 0) + (command.by ?? 1));
        this.map.set(command.key, next);
        return next;
      }
      case 'delete':
        this.map.delete(command.key);
        return null;
      default:
        return null;
    }
  }

  snapshot(): Uint8Array {
    return encoder.encode(JSON.stringify({ lastIndex: this.lastIndex, entries: [...this.map] }));
  }

  restore(data: Uint8Array): void {
    const parsed = JSON.parse(decoder.decode(data)) as { lastIndex: number; entries: [string, string][] };
    this.map = new Map(parsed.entries);
    this.lastIndex = parsed.lastIndex;
  }

  /** Reads a key locally (call `RaftNode.readIndex()` first for a linearizable read). */
  get(key: string): string | undefined {
    return this.map.get(key);
  }

  /** Every key and value, sorted by key. */
  entries(): [string, string][] {
    return [...this.map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Index of the last applied entry. */
  get appliedIndex(): number {
    return this.lastIndex;
  }
}
