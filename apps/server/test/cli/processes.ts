/**
 * Helpers of the tests that run the built `keel-server` (and `keel-cluster`) as real processes:
 * spawn with a clean environment, read JSON log lines as they come, wait for a line or an exit,
 * find free loopback ports, poll the admin endpoint.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The built CLIs (`npx nx run @keel/server:build` makes them; `npm test` builds first). */
export const keelServerBin = fileURLToPath(new URL('../../dist/cli/keel-server.js', import.meta.url));
export const keelClusterBin = fileURLToPath(new URL('../../dist/cli/keel-cluster.js', import.meta.url));

/** Fails with the command to run when the CLI has not been built. */
export function requireBuilt(bin: string): void {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npx nx run @keel/server:build\` first`);
}

/** One JSON log line (unparsable lines are kept as `{ msg: <the line> }`). */
export type LogLine = Record<string, unknown> & { readonly msg?: unknown };

/** A running process with its output collected. */
export class Proc {
  readonly lines: LogLine[] = [];
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly waiters = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    let partial = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      this.stdout += chunk;
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const part of parts) if (part.trim() !== '') this.lines.push(parseLine(part));
      this.wake();
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.wake();
        resolve({ code, signal });
      });
    });
  }

  /** Waits for a line `match` accepts; fails if the process exits first or after `timeoutMs`. */
  async line(what: string, match: (line: LogLine) => boolean, timeoutMs = 60_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    for (;;) {
      const found = this.lines.find(match);
      if (found !== undefined) return found;
      if (exited) throw new Error(`process exited before ${what}; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout:\n${this.stdout}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Kills the process if it still runs (test cleanup). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }
}

function parseLine(line: string): LogLine {
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null) return parsed as LogLine;
  } catch {
    // Not JSON: keep the text.
  }
  return { msg: line };
}

/** The environment of this process without any KEEL_* variable, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('KEEL_')) env[name] = value;
  return { ...env, ...extra };
}

/** Spawns `node <bin> ...args`. */
export function spawnNode(bin: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Proc {
  return new Proc(
    spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) }),
  );
}

/** A loopback port that was free a moment ago (another process may take it before we do). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** GETs `url` and parses its JSON body; null if nothing answers. */
export async function getJson(url: string): Promise<{ status: number; body: unknown } | null> {
  try {
    const response = await fetch(url);
    return { status: response.status, body: await response.json() };
  } catch {
    return null;
  }
}

/** Polls `condition` every 50 ms until it holds; fails after `timeoutMs` (a ceiling, not a measurement). */
export async function eventually(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
