/**
 * Child processes of the harness (cluster members), tracked by PID so that every one of them is
 * stopped when the run ends: normally, on failure, on Ctrl-C (SIGINT) or SIGTERM. Nothing is
 * ever stopped by name.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, rmSync } from 'node:fs';
import net from 'node:net';
import { sleep } from '../load/clock';

/** A member process started by the harness. */
export interface TrackedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<string>;
}

const running = new Map<number, TrackedProcess>();
/** Directories to remove when a signal ends the run (a normal end removes them itself). */
const scratchDirs = new Set<string>();

/** Removes `dir` if a signal interrupts the run; `forget` it once it is removed normally. */
export function removeOnSignal(dir: string): { forget(): void } {
  scratchDirs.add(dir);
  return { forget: () => scratchDirs.delete(dir) };
}
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when the harness exits without stopping its clusters (an uncaught error).
  process.on('exit', () => {
    for (const pid of running.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  });
}

/**
 * Makes Ctrl-C (SIGINT) and SIGTERM stop every tracked process before exiting. Only the CLI
 * calls this: a library user (a test runner) keeps its own signal handling.
 */
export function stopAllOnSignals(): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // A wrapper (timeout, a terminal) often sends a second signal: one clean-up is enough.
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n${signal}: stopping ${running.size} cluster process(es)\n`);
      stopAll().finally(() => {
        for (const dir of scratchDirs) {
          try {
            rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
          } catch (error) {
            process.stderr.write(`could not remove ${dir}: ${String(error)}\n`);
          }
        }
        process.exit(130);
      });
    });
  }
}

/** Starts `command` with its output appended to `logFile`, and tracks it. */
export function spawnTracked(
  name: string,
  command: string,
  args: readonly string[],
  options: { readonly logFile: string; readonly env?: NodeJS.ProcessEnv; readonly cwd?: string },
): TrackedProcess {
  installExitHook();
  const child = spawn(command, [...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const log = createWriteStream(options.logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const pid = child.pid;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(pid);
      resolve(signal ?? String(code));
    });
  });
  const tracked: TrackedProcess = { name, pid, child, exited };
  running.set(pid, tracked);
  return tracked;
}

/** Whether the process is still running (not yet reaped). */
export function isRunning(tracked: TrackedProcess): boolean {
  return running.has(tracked.pid);
}

/** Stops one process: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(tracked: TrackedProcess, graceMs = 5000): Promise<void> {
  if (!running.has(tracked.pid)) return;
  try {
    process.kill(tracked.pid, 'SIGTERM');
  } catch {
    return;
  }
  const stopped = await Promise.race([tracked.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!stopped) {
    try {
      process.kill(tracked.pid, 'SIGKILL');
    } catch {}
    await tracked.exited;
  }
}

/** Kills one process at once with SIGKILL (failover). */
export async function killProcess(tracked: TrackedProcess): Promise<void> {
  if (!running.has(tracked.pid)) return;
  process.kill(tracked.pid, 'SIGKILL');
  await tracked.exited;
}

/** Stops every tracked process. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running.values()].map((tracked) => stopProcess(tracked)));
}

/** PIDs still running, for checks. */
export function runningPids(): number[] {
  return [...running.keys()];
}

/** Sends `text` to 127.0.0.1:`port` and returns everything the server answers before closing. */
export function tcpExchange(port: number, text: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer from 127.0.0.1:${port}`)));
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(200);
  }
  const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
}
