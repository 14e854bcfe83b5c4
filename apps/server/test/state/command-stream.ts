/**
 * A seeded random stream of state machine commands (creates of every mode, sets, deletes,
 * multis, sessions opening and closing, sweeps, garbage payloads) for the snapshot tests.
 */
import { createModes } from '@keel/protocol';
import { EntryType, mulberry32 } from '@keel/raft';
import { type Command, encodeCommand, type MultiCommandOp } from '../../src';
import { bytes } from './harness';

/** Deterministic, so every run with a seed replays the same stream. */
const random = mulberry32;

const modes = createModes;

/** Paths few enough that commands collide often. */
export const smallPathSpace = ['/a', '/b', '/a/x', '/a/y', '/b/x', '/a/x/1', '/b/x/2', '/c'];

/** Generates entry payloads: mostly valid commands over `paths`. */
export function commandStream(seed: number, count: number, paths = smallPathSpace): Uint8Array[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const sessions = ['s1', 's2', 's3'];
  let time = 1_000;
  const createOp = (): MultiCommandOp => {
    const mode = pick(modes);
    const ttl = mode === 'persistent_ttl' || mode === 'persistent_sequential_ttl';
    return { op: 'create', path: pick(paths), data: bytes(String(next())), mode, ...(ttl ? { ttlMs: 50 } : {}) };
  };
  const version = () => (next() < 0.7 ? -1 : Math.floor(next() * 3));
  const payloads: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    time += Math.floor(next() * 40);
    const roll = next();
    const sessionId = next() < 0.8 ? pick(sessions) : null;
    let command: Command;
    if (roll < 0.05) {
      payloads.push(bytes(next() < 0.5 ? '{"v":1,"c":{"type":"nope"}}' : 'garbage'));
      continue;
    } else if (roll < 0.12) {
      command = { type: 'createSession', sessionId: pick(sessions), secret: 'k', timeoutMs: 5_000, time };
    } else if (roll < 0.17) {
      command = { type: 'closeSession', sessionId: pick(sessions), reason: 'expired', time };
    } else if (roll < 0.2) {
      command = { type: 'sweep', time };
    } else if (roll < 0.55) {
      command = { type: 'create', sessionId, time, ...createOp() } as Command;
    } else if (roll < 0.7) {
      command = { type: 'set', sessionId, time, path: pick(paths), data: bytes(String(i)), expectedVersion: version() };
    } else if (roll < 0.85) {
      command = { type: 'delete', sessionId, time, path: pick(paths), expectedVersion: version() };
    } else {
      const ops: MultiCommandOp[] = [];
      const n = 1 + Math.floor(next() * 4);
      for (let k = 0; k < n; k++) {
        const kind = next();
        if (kind < 0.25) ops.push({ op: 'check', path: pick(paths), expectedVersion: version() });
        else if (kind < 0.55) ops.push(createOp());
        else if (kind < 0.75) ops.push({ op: 'set', path: pick(paths), data: bytes('m'), expectedVersion: version() });
        else ops.push({ op: 'delete', path: pick(paths), expectedVersion: version() });
      }
      command = { type: 'multi', sessionId, time, ops };
    }
    payloads.push(encodeCommand(command));
  }
  return payloads;
}

/** A normal entry at `index`. */
export function entry(index: number, data: Uint8Array) {
  return { term: 1, index, type: EntryType.Normal, data };
}

/** Three levels under a handful of roots: parents gain and lose children all the time. */
export function widePaths(): string[] {
  const paths: string[] = [];
  for (const top of ['a', 'b', 'c', 'd']) {
    paths.push(`/${top}`);
    for (let i = 0; i < 8; i++) {
      paths.push(`/${top}/${i}`);
      for (let k = 0; k < 4; k++) paths.push(`/${top}/${i}/${k}`);
    }
  }
  return paths;
}
