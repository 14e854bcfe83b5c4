/**
 * One view of a client's connection state shared by every recipe on that client: the current
 * state, listeners, and a wait for the connection to come back.
 */
import type { KeelClient } from '@keel/client';
import { ClosedError, SessionExpiredError } from '@keel/protocol';
import { abortError } from '../internal/abort';
import { clientStateOf, onClientState } from '../internal/client-ops';
import type { ConnectionState } from './error-policy';

/** A listener of connection states. */
export type ConnectionStateListener = (state: ConnectionState) => void;

const trackers = new WeakMap<KeelClient, ConnectionTracker>();

/** Tracks one client's connection state. */
export class ConnectionTracker {
  private current: ConnectionState;
  private readonly listeners = new Set<ConnectionStateListener>();
  /** Bumped by every `lost`: a new session began, nodes of older sessions are gone. */
  private sessionEpoch = 0;

  private constructor(client: KeelClient) {
    this.current = clientStateOf(client);
    onClientState(client, (state) => {
      if (state === this.current && state !== 'lost') return;
      this.current = state;
      if (state === 'lost') this.sessionEpoch += 1;
      for (const listener of [...this.listeners]) listener(state);
    });
  }

  /** The tracker of a client (one per client). */
  static of(client: KeelClient): ConnectionTracker {
    let tracker = trackers.get(client);
    if (tracker === undefined) {
      tracker = new ConnectionTracker(client);
      trackers.set(client, tracker);
    }
    return tracker;
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** Counts session losses seen so far. */
  get epoch(): number {
    return this.sessionEpoch;
  }

  /** Whether requests can be sent now. */
  get isConnected(): boolean {
    return this.current === 'connected' || this.current === 'reconnected';
  }

  /** Adds a listener; returns its removal. */
  listen(listener: ConnectionStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves once connected. Rejects with `Closed` if the client closes, with the signal's
   * reason if it fires.
   */
  waitConnected(signal?: AbortSignal): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    if (this.current === 'closed') return Promise.reject(new ClosedError());
    return new Promise((resolve, reject) => {
      const done = () => {
        unlisten();
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        done();
        reject(abortError(signal as AbortSignal));
      };
      const unlisten = this.listen((state) => {
        if (state === 'connected' || state === 'reconnected') {
          done();
          resolve();
        } else if (state === 'closed') {
          done();
          reject(new ClosedError());
        }
      });
      if (signal?.aborted === true) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Resolves at the next state change that is one of `states`; rejects if the signal fires. */
  nextState(states: readonly ConnectionState[], signal?: AbortSignal): Promise<ConnectionState> {
    return new Promise((resolve, reject) => {
      const done = () => {
        unlisten();
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        done();
        reject(abortError(signal as AbortSignal));
      };
      const unlisten = this.listen((state) => {
        if (states.includes(state)) {
          done();
          resolve(state);
        }
      });
      if (signal?.aborted === true) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** The error a recipe raises when its session ended under it. */
export function sessionLostError(path?: string): SessionExpiredError {
  return new SessionExpiredError('the session ended while the recipe was waiting', path === undefined ? {} : { path });
}
