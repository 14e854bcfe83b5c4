/**
 * The simulator's replicated state machine: a map of registers. Each write entry sets one
 * key, so a read can tell exactly which write it observes (by the index that wrote it).
 * It also tracks the membership, so that the driver can put the right `ConfState` into the
 * snapshots it takes.
 */
import type { ConfChange, ConfState, Entry, Snapshot } from '../core/types';
import { EntryType } from '../core/types';

/** The value of one key and the log index of the write that set it. */
export interface Register {
  readonly value: string;
  readonly index: number;
}

/** A decoded workload write. */
export interface WriteCommand {
  readonly id: number;
  readonly key: string;
  readonly value: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a workload write as entry data. */
export function encodeWrite(command: WriteCommand): Uint8Array {
  return encoder.encode(`w:${command.id}:${command.key}:${command.value}`);
}

/** Decodes entry data written by {@link encodeWrite}; undefined for anything else. */
export function decodeWrite(data: Uint8Array): WriteCommand | undefined {
  const text = decoder.decode(data);
  const parts = text.split(':');
  if (parts.length !== 4 || parts[0] !== 'w') return undefined;
  const [, id, key, value] = parts as [string, string, string, string];
  return { id: Number(id), key, value };
}

/** A short printable identity of an entry, used to compare entries across members. */
export function entryKey(entry: Entry): string {
  return `${entry.term}/${entry.type}/${hex(entry.data)}`;
}

function hex(data: Uint8Array): string {
  let out = '';
  for (const b of data) out += (b < 16 ? '0' : '') + b.toString(16);
  return out;
}

/** Applies a membership change to a configuration (one server at a time). */
export function applyConfChange(conf: ConfState, change: ConfChange): ConfState {
  const drop = (ids: readonly string[], id: string) => ids.filter((x) => x !== id);
  switch (change.kind) {
    case 'bootstrap':
      return change.conf;
    case 'addVoter':
      return { voters: [...drop(conf.voters, change.node), change.node], learners: drop(conf.learners, change.node) };
    case 'addLearner':
      if (conf.voters.includes(change.node)) return conf;
      return { voters: conf.voters, learners: [...drop(conf.learners, change.node), change.node] };
    case 'promoteLearner':
      if (!conf.learners.includes(change.node)) return conf;
      return { voters: [...conf.voters, change.node], learners: drop(conf.learners, change.node) };
    case 'removeNode':
      return { voters: drop(conf.voters, change.node), learners: drop(conf.learners, change.node) };
  }
}

/** Resolves a committed config entry to the change it encodes (the driver knows what it proposed). */
export type ConfResolver = (entry: Entry) => ConfChange | undefined;

/** One member's register map. */
export class KvStateMachine {
  private registers = new Map<string, Register>();
  conf: ConfState = { voters: [], learners: [] };
  appliedIndex = 0;
  appliedTerm = 0;

  constructor(private readonly resolveConf: ConfResolver) {}

  get(key: string): Register | undefined {
    return this.registers.get(key);
  }

  /** Applies one committed entry; returns the write it carried, if any. */
  apply(entry: Entry): WriteCommand | undefined {
    if (entry.index !== this.appliedIndex + 1) {
      throw new Error(`state machine: applying ${entry.index} after ${this.appliedIndex}`);
    }
    this.appliedIndex = entry.index;
    this.appliedTerm = entry.term;
    if (entry.type === EntryType.Config) {
      const change = this.resolveConf(entry);
      if (change !== undefined) this.conf = applyConfChange(this.conf, change);
      return undefined;
    }
    const write = decodeWrite(entry.data);
    if (write !== undefined) this.registers.set(write.key, { value: write.value, index: entry.index });
    return write;
  }

  /** Captures the state as of the last applied entry. */
  snapshot(): Snapshot {
    const keys = [...this.registers.keys()].sort();
    const body = keys.map((k) => {
      const r = this.registers.get(k) as Register;
      return [k, r.value, r.index];
    });
    return {
      meta: { index: this.appliedIndex, term: this.appliedTerm, conf: this.conf },
      data: encoder.encode(JSON.stringify(body)),
    };
  }

  /** Replaces all state with a snapshot's. */
  restore(snapshot: Snapshot): void {
    const body = JSON.parse(decoder.decode(snapshot.data)) as [string, string, number][];
    this.registers = new Map(body.map(([k, value, index]) => [k, { value, index }]));
    this.conf = snapshot.meta.conf;
    this.appliedIndex = snapshot.meta.index;
    this.appliedTerm = snapshot.meta.term;
  }
}
