/**
 * The last line of defence against leaked member processes: every child is tracked here and
 * killed with SIGKILL (which also ends a SIGSTOPped process) when the harness process exits for
 * any reason Node still runs handlers for. Clusters tear down properly on their own; this only
 * catches what an exception or a signal skipped.
 */
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  children.clear();
}

/** Tracks `child` until it exits; installs the exit hook on first use. */
export function trackChild(child: ChildProcess): void {
  children.add(child);
  if (hooked) return;
  hooked = true;
  process.once('exit', killAll);
}

/** Stops tracking a child that exited. */
export function forgetChild(child: ChildProcess): void {
  children.delete(child);
}

/** Children still alive (or paused). */
export function trackedChildren(): number {
  return children.size;
}

/**
 * Makes SIGINT / SIGTERM run `cleanup` (tear the cluster down) before exiting with 128 + signal.
 * Returns a function that removes the handlers. For CLIs; test runners handle signals themselves.
 */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\nchaos: ${signal}, tearing the cluster down\n`);
    cleanup()
      .catch(() => {})
      .finally(() => {
        killAll();
        process.exit(signal === 'SIGINT' ? 130 : 143);
      });
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
