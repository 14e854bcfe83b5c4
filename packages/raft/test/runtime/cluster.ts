/**
 * Shared by the runtime tests: real members (RaftNode + WsTransport on 127.0.0.1 + DurableLog
 * in a temp directory) with a digest state machine, torn down after each test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { NodeId } from '../../src/core/types';
import { type LocalMember, startLocalCluster, waitFor } from '../../src/demo/local-cluster';
import { ChecksumStateMachine } from './checksum-state-machine';

export const secret = 'runtime-test-secret';
/** The default tick: elections after 500-1000 ms stay clear of event-loop stalls on a loaded 2-core CI machine. */
export const tickMs = 50;
/** Upper bound of every wait; a test fails when it is exceeded, it never measures time. */
export const waitMs = 30_000;

export type Member = LocalMember<number>;

let cleanups: (() => Promise<void>)[] = [];

/** Registers the teardown of everything `onCleanup` collected; call once per test file. */
export function cleanUpAfterEach(): void {
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups = [];
  });
}

/** Runs `cleanup` after the current test, in reverse order of registration. */
export function onCleanup(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'keel-runtime-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export function sm(member: Member): ChecksumStateMachine {
  return member.stateMachine as ChecksumStateMachine;
}

/** A brand-new cluster of `ids` with checksum state machines, stopped after the test. */
export async function startCluster(
  ids: NodeId[],
  options: { snapshotEveryEntries?: number; requestTimeoutMs?: number; maxPendingRequests?: number } = {},
) {
  const baseDir = await tempDir();
  const members = await startLocalCluster<number>({
    ids,
    baseDir,
    clusterSecret: secret,
    tickMs,
    createStateMachine: () => new ChecksumStateMachine(),
    ...options,
  });
  onCleanup(async () => {
    await Promise.allSettled([...members.values()].map((member) => member.node.stop()));
  });
  return { baseDir, members };
}

/** Waits until every member applied the same entries and reports equal digests. */
export async function waitConverged(list: Member[]): Promise<void> {
  await waitFor(
    'members to converge',
    () => {
      const digests = new Set(list.map((member) => sm(member).digest()));
      const commits = new Set(list.map((member) => member.node.status().appliedIndex));
      return digests.size === 1 && commits.size === 1;
    },
    waitMs,
  );
}

/** Holds every `sync()` of a member's storage until released; released calls run in order. */
export function holdSyncs(member: Member): { release: () => void; held: () => number } {
  const storage = member.storage;
  const original = storage.sync.bind(storage);
  let held: (() => void)[] | null = [];
  storage.sync = () => {
    if (held === null) return original();
    return new Promise<void>((resolve, reject) => {
      held?.push(() => original().then(resolve, reject));
    });
  };
  const release = (): void => {
    const waiting = held ?? [];
    held = null;
    for (const run of waiting) run();
  };
  // A failing test must not leave the members unable to stop.
  onCleanup(async () => release());
  return { release, held: () => held?.length ?? 0 };
}
