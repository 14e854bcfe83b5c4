/**
 * The queued async iterator behind `client.watch()`: events are pushed by the client's dispatch
 * (synchronously, in arrival order) and pulled by one `for await` loop. It refuses a second
 * iteration, drops replayed events it has already delivered (after a reconnect a member replays
 * each re-registered watch from a revision, so overlapping watches replay the same change more
 * than once), and never grows without bound: past
 * {@link watchEventsQueuedMax} queued events it drops them for one `resyncNeeded`.
 */
import { watchEventsQueuedMax } from '../constants';
import type { StreamEvent } from './watch-event';

type Waiter = {
  readonly resolve: (result: IteratorResult<StreamEvent>) => void;
  readonly reject: (error: unknown) => void;
};

/** A persistent watch as an async iterable of events; `close()` removes the watch. */
export class WatchStream implements AsyncIterableIterator<StreamEvent> {
  /** Settles once the member has registered the watch (rejects if it refused). */
  readonly ready: Promise<void>;
  private readonly queue: StreamEvent[] = [];
  private readonly waiters: Waiter[] = [];
  private iterated = false;
  private done = false;
  private failure: unknown = null;
  private closing: Promise<void> | null = null;
  // The newest revision delivered and how many events of each (type, path) were delivered at
  // it; a replay is checked against them. Live events are never duplicates, so they are only
  // counted: one multi may change the same node twice in one revision.
  private lastRevision = 0;
  private deliveredAtLastRevision = new Map<string, number>();
  private replay: number | null = null;
  private replayedAtLastRevision = new Map<string, number>();

  /** @internal */
  constructor(
    /** The watched path. */
    readonly path: string,
    /** Whether the watch covers every node below `path` too. */
    readonly recursive: boolean,
    ready: Promise<void>,
    private readonly onClose: (stream: WatchStream) => Promise<void>,
  ) {
    this.ready = ready;
    // A refusal is reported through `ready` and the iterator; never as an unhandled rejection.
    ready.catch((error: unknown) => this.fail(error));
  }

  /** Whether the stream has ended (closed, or failed). */
  get closed(): boolean {
    return this.done;
  }

  /**
   * @internal Queues an event. `replay` names the replay sequence a replayed event belongs to
   * (null for a live one); a replayed event already delivered is dropped.
   */
  push(event: StreamEvent, replay: number | null = null): void {
    if (this.done) return;
    if (event.type !== 'resyncNeeded') {
      const key = `${event.type} ${event.path}`;
      if (replay !== null && this.isDuplicate(event.revision, key, replay)) return;
      if (event.revision > this.lastRevision) {
        this.lastRevision = event.revision;
        this.deliveredAtLastRevision = new Map();
        this.replayedAtLastRevision = new Map();
      }
      this.deliveredAtLastRevision.set(key, (this.deliveredAtLastRevision.get(key) ?? 0) + 1);
    }
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve({ value: event, done: false });
      return;
    }
    if (this.queue.length >= watchEventsQueuedMax) {
      this.queue.length = 0;
      this.queue.push({ type: 'resyncNeeded', path: this.path, revision: this.lastRevision });
      return;
    }
    this.queue.push(event);
  }

  private isDuplicate(revision: number, key: string, replay: number): boolean {
    if (revision < this.lastRevision) return true;
    if (revision > this.lastRevision) return false;
    if (replay !== this.replay) {
      this.replay = replay;
      this.replayedAtLastRevision = new Map();
    }
    const replayed = (this.replayedAtLastRevision.get(key) ?? 0) + 1;
    this.replayedAtLastRevision.set(key, replayed);
    return replayed <= (this.deliveredAtLastRevision.get(key) ?? 0);
  }

  /** @internal Ends the stream with an error: queued events are still delivered, then `next()` rejects. */
  fail(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.failure = error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  /** @internal Ends the stream: queued events are still delivered, then iteration finishes. */
  end(): void {
    if (this.done) return;
    this.done = true;
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ value: undefined, done: true });
  }

  /** The next event; waits for one. */
  next(): Promise<IteratorResult<StreamEvent>> {
    const event = this.queue.shift();
    if (event !== undefined) return Promise.resolve({ value: event, done: false });
    if (this.done) {
      return this.failure === null ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(this.failure);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Called when a `for await` loop exits early: closes the watch. */
  async return(): Promise<IteratorResult<StreamEvent>> {
    await this.close();
    return { value: undefined, done: true };
  }

  /** Removes the watch (from the member too, when it was the last on its path) and ends iteration. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    this.queue.length = 0;
    this.end();
    await this.onClose(this);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StreamEvent> {
    if (this.iterated) throw new Error('a watch stream can be iterated only once; call client.watch() again');
    this.iterated = true;
    return this;
  }
}
