/**
 * Keeps a connection and its session alive, ZooKeeper's way: ping when nothing was sent for a
 * third of the session timeout, and give up on a connection that sent nothing for two thirds
 * of it (so the client can move elsewhere before the session expires).
 */
import { pingFraction, readTimeoutFraction } from './constants';

/** What the keepalive watches: when the connection last sent and received a frame. */
export interface KeptConnection {
  readonly lastSentAt: number;
  readonly lastReceivedAt: number;
}

/** What the keepalive does. */
export interface KeepaliveActions {
  /** Sends a ping with this timeout. */
  ping(timeoutMs: number): void;
  /** Drops the connection: nothing arrived for too long. */
  drop(reason: string): void;
}

/** The ping timer of one connection. */
export class Keepalive {
  private timer: ReturnType<typeof setInterval> | null = null;

  /** Starts watching `connection` for a session of `sessionTimeoutMs`; stops any previous one. */
  start(connection: KeptConnection, sessionTimeoutMs: number, actions: KeepaliveActions): void {
    this.stop();
    const pingEveryMs = sessionTimeoutMs * pingFraction;
    const readTimeoutMs = sessionTimeoutMs * readTimeoutFraction;
    this.timer = setInterval(() => {
      const now = Date.now();
      if (now - connection.lastReceivedAt > readTimeoutMs) {
        this.stop();
        actions.drop(`nothing from the member for ${Math.round(readTimeoutMs)} ms`);
        return;
      }
      if (now - connection.lastSentAt >= pingEveryMs) actions.ping(readTimeoutMs);
    }, pingEveryMs / 2);
    // The socket, not this timer, decides whether the process stays alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
