/**
 * The standard ZooKeeper lock recipe over any {@link Session}: create an ephemeral sequential
 * node under the lock path, list the children; the lowest sequence holds the lock; every other
 * contender watches only its predecessor (no herd effect) and checks again when it goes.
 * Release deletes the node. The ZooKeeper side of the lock workloads: the textbook recipe, which
 * does what Curator's InterProcessMutex does on the wire (create, list, watch the predecessor,
 * list again after every wake-up), each step waiting for the previous answer.
 */
import type { HeldLock, Mutex, Session } from './session';

const prefix = 'lock-';

/** A sequential-ephemeral mutex on `lockPath` (which must exist) for `session`. */
export function sequentialEphemeralMutex(session: Session, lockPath: string): Mutex {
  return {
    async acquire(): Promise<HeldLock> {
      const own = await session.create(`${lockPath}/${prefix}`, new Uint8Array(0), 'ephemeralSequential');
      const ownName = own.slice(lockPath.length + 1);
      for (;;) {
        const names = (await session.children(lockPath)).filter((name) => name.startsWith(prefix)).sort();
        const at = names.indexOf(ownName);
        if (at < 0) throw new Error(`lock node ${own} vanished (session lost?)`);
        if (at === 0) return { release: () => session.delete(own) };
        const predecessor = `${lockPath}/${names[at - 1]}`;
        let wake: () => void = () => {};
        const gone = new Promise<void>((resolve) => {
          wake = resolve;
        });
        if (await session.existsWatch(predecessor, () => wake())) await gone;
      }
    },
  };
}
