/**
 * One Keel member as a child process: start, `kill -9`, graceful stop, SIGSTOP / SIGCONT, and
 * restart on the same ports and data directory. Output goes to a log file (appended across
 * restarts) rather than a pipe, so a member never blocks on a full pipe while the harness is busy.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { loopbackHost } from './ports';
import { forgetChild, trackChild } from './teardown';

/** What a member process is doing. */
export type MemberState = 'stopped' | 'running' | 'paused';

/** How to start one member. */
export interface MemberSpec {
  readonly id: string;
  /** The Node script to run (`keel-server.js`). */
  readonly script: string;
  /** Its arguments (everything after the script). */
  readonly args: readonly string[];
  readonly clientPort: number;
  readonly logFile: string;
}

/** A member process failed to start or to become reachable. */
export class MemberStartError extends Error {
  override readonly name = 'MemberStartError';
  constructor(
    readonly memberId: string,
    reason: string,
    readonly logTail: string,
  ) {
    super(`member ${memberId}: ${reason}\n--- last log lines ---\n${logTail}`);
  }
}

/** Longest wait for a started member to accept client connections. */
export const memberStartTimeoutMs = 20_000;
/** Longest wait for a member to exit after SIGTERM before it is killed. */
export const memberStopTimeoutMs = 5_000;

/** A member process that can be killed, paused and restarted. */
export class MemberProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private paused = false;
  /** Times this member was started (restarts included). */
  starts = 0;

  constructor(readonly spec: MemberSpec) {}

  get id(): string {
    return this.spec.id;
  }

  get state(): MemberState {
    if (this.child === null) return 'stopped';
    return this.paused ? 'paused' : 'running';
  }

  /** The process id while running or paused. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** `ws://127.0.0.1:port` where clients connect. */
  get clientUrl(): string {
    return `ws://${loopbackHost}:${this.spec.clientPort}`;
  }

  /** Starts the process and waits until its client port accepts connections. */
  async start(): Promise<void> {
    if (this.child !== null) throw new Error(`member ${this.id} is already running`);
    const log = openSync(this.spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [this.spec.script, ...this.spec.args], {
        stdio: ['ignore', log, log],
        env: { ...process.env, NODE_OPTIONS: '' },
      });
    } finally {
      closeSync(log);
    }
    this.child = child;
    this.paused = false;
    this.starts++;
    trackChild(child);
    let exitedEarly: string | null = null;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        exitedEarly = `exited (code ${code}, signal ${signal})`;
        forgetChild(child);
        if (this.child === child) {
          this.child = null;
          this.paused = false;
        }
        resolve();
      });
    });
    const deadline = Date.now() + memberStartTimeoutMs;
    while (!(await accepts(this.spec.clientPort))) {
      if (exitedEarly !== null) throw new MemberStartError(this.id, exitedEarly, this.logTail());
      if (Date.now() > deadline) {
        await this.kill();
        throw new MemberStartError(this.id, `not reachable after ${memberStartTimeoutMs} ms`, this.logTail());
      }
      await sleep(25);
    }
  }

  /** `kill -9`: no chance to flush anything. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (the member makes its log durable and closes), SIGKILL if it takes too long. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    if (this.paused) this.resume();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), memberStopTimeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGSTOP: the process freezes with its sockets open, as in a long GC pause or a VM stall. */
  pause(): void {
    if (this.child === null || this.paused) return;
    this.child.kill('SIGSTOP');
    this.paused = true;
  }

  /** SIGCONT. */
  resume(): void {
    if (this.child === null || !this.paused) return;
    this.child.kill('SIGCONT');
    this.paused = false;
  }

  /** Kills (or stops gracefully) and starts again on the same ports and data directory. */
  async restart(how: 'kill' | 'stop' = 'kill'): Promise<void> {
    if (how === 'kill') await this.kill();
    else await this.stop();
    await this.start();
  }

  /** The last lines of the member's log, for error messages. */
  logTail(lines = 20): string {
    try {
      return readFileSync(this.spec.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether something accepts TCP connections on the loopback `port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, loopbackHost);
  });
}
