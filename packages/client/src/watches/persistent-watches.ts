/**
 * The persistent watches of a client: one registration on the member per path and kind, shared
 * by every stream opened on it, registered again on each new connection from the revision it is
 * known complete up to (its own resume point, see `resume-points.ts`). Routing mirrors the member's: a `persistent` watch sees every event on its path, a
 * `persistentRecursive` one sees created, deleted and dataChanged on its path and below.
 */
import { isKeelError, type NodeWatchEvent, type WatchKind } from '@keel/protocol';
import { newResumePoint, type ResumePoint, type ResumeTracker } from './resume-points';
import type { PersistentKind, StreamEvent } from './watch-event';
import { WatchStream } from './watch-stream';

/** How the registry talks to the member. */
export interface WatchRequester {
  /** Sends an addWatch; `answered` runs with the answer's revision as the answer is dispatched. */
  addWatch(
    path: string,
    kind: WatchKind,
    sinceRevision: number | undefined,
    answered: (revision: number) => void,
  ): Promise<void>;
  removeWatch(path: string, kind: WatchKind): Promise<void>;
}

interface Registration {
  readonly path: string;
  readonly kind: PersistentKind;
  readonly streams: Set<WatchStream>;
  readonly resume: ResumePoint;
  /** Settles when the member first confirms the watch, or refuses it. */
  readonly ready: Promise<void>;
  readonly confirm: () => void;
  readonly refuse: (error: unknown) => void;
}

// A lost connection or session is not a refusal: the next connection registers the watch again.
const isConnectionLoss = (error: unknown): boolean =>
  isKeelError(error, 'ConnectionLoss') || isKeelError(error, 'SessionExpired');

const keyOf = (kind: WatchKind, path: string): string => `${kind}\u0000${path}`;

/** Persistent and persistent-recursive watches, by path. */
export class PersistentWatches {
  private readonly registrations = new Map<string, Registration>();

  constructor(
    private readonly requester: WatchRequester,
    private readonly resumes: ResumeTracker,
  ) {}

  /** Opens a stream on `path`; registers the watch on the member unless one of the same kind is there. */
  open(path: string, recursive: boolean): WatchStream {
    const kind: PersistentKind = recursive ? 'persistentRecursive' : 'persistent';
    const key = keyOf(kind, path);
    let registration = this.registrations.get(key);
    if (registration === undefined) {
      const created = newRegistration(path, kind);
      registration = created;
      this.registrations.set(key, created);
      this.requester
        .addWatch(path, kind, undefined, (revision) => this.resumes.answered(created.resume, undefined, revision))
        .then(created.confirm, (error: unknown) => {
          if (!isConnectionLoss(error)) this.refuse(key, created, error);
        });
    }
    const stream = new WatchStream(path, recursive, registration.ready, (closing) => this.close(key, closing));
    registration.streams.add(stream);
    return stream;
  }

  /**
   * Delivers a change event to the streams it concerns. `replay` numbers the replay sequence of
   * a replayed event (null for a live one), so streams can drop what they already delivered.
   */
  dispatch(event: NodeWatchEvent, replay: number | null): void {
    // A turn is news for a turn watch alone: nothing changed at its path.
    if (event.event === 'turn') return;
    const watched: StreamEvent = { type: event.event, path: event.path, revision: event.revision };
    this.deliver(keyOf('persistent', event.path), watched, replay);
    if (event.event === 'childrenChanged') return;
    for (const path of selfAndAncestors(event.path)) {
      this.deliver(keyOf('persistentRecursive', path), watched, replay);
    }
  }

  /** Tells the streams of one registration that events were lost. */
  resync(kind: PersistentKind, path: string, revision: number): void {
    this.deliver(keyOf(kind, path), { type: 'resyncNeeded', path, revision }, null);
  }

  private deliver(key: string, event: StreamEvent, replay: number | null): void {
    const registration = this.registrations.get(key);
    if (registration === undefined) return;
    this.resumes.delivered(registration.resume, event.revision);
    for (const stream of registration.streams) stream.push(event, replay);
  }

  /**
   * Registers every watch again on a new connection, asking for the events after its resume
   * point (`sinceRevision`, the client's, for a watch no member confirmed yet). A refusal other than a lost connection (which the next connection retries)
   * ends the streams with the error.
   */
  reregister(sinceRevision: number): void {
    for (const [key, registration] of this.registrations) {
      const since = registration.resume.through ?? sinceRevision;
      this.requester
        .addWatch(registration.path, registration.kind, since, (revision) =>
          this.resumes.answered(registration.resume, since, revision),
        )
        .then(registration.confirm, (error: unknown) => {
          if (!isConnectionLoss(error)) this.refuse(key, registration, error);
        });
    }
  }

  private refuse(key: string, registration: Registration, error: unknown): void {
    if (this.registrations.get(key) === registration) this.registrations.delete(key);
    this.resumes.forget(registration.resume);
    registration.refuse(error);
    for (const stream of registration.streams) stream.fail(error);
  }

  /** Ends every stream (the client closed). */
  endAll(): void {
    for (const registration of this.registrations.values()) {
      for (const stream of registration.streams) stream.end();
    }
    this.registrations.clear();
  }

  /** How many registrations are on the member. */
  get size(): number {
    return this.registrations.size;
  }

  private async close(key: string, stream: WatchStream): Promise<void> {
    const registration = this.registrations.get(key);
    if (registration === undefined || !registration.streams.delete(stream)) return;
    if (registration.streams.size > 0) return;
    this.registrations.delete(key);
    this.resumes.forget(registration.resume);
    try {
      await this.requester.removeWatch(registration.path, registration.kind);
    } catch {
      // Already gone on the member (NoWatcher), or the connection or client is gone with it.
    }
  }
}

function newRegistration(path: string, kind: PersistentKind): Registration {
  let confirm: () => void = () => {};
  let refuse: (error: unknown) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    confirm = resolve;
    refuse = reject;
  });
  // Streams observe `ready` themselves; an unobserved refusal is not an unhandled rejection.
  ready.catch(() => {});
  return { path, kind, streams: new Set(), resume: newResumePoint(), ready, confirm, refuse };
}

/** The path and its ancestors up to `/`. */
function selfAndAncestors(path: string): string[] {
  const paths = [path];
  let end = path.lastIndexOf('/');
  while (end > 0) {
    paths.push(path.slice(0, end));
    end = path.lastIndexOf('/', end - 1);
  }
  if (path !== '/') paths.push('/');
  return paths;
}
