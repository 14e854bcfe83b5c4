/**
 * The event emitter of a recipe that says nothing once it is closed, as Curator's caches are
 * silent after close: a read in flight at close() can still answer or fail afterwards, and
 * close() does not wait for every read. Every event goes through `emit`, so this is the one
 * check, whatever path the late answer takes.
 */
import { EventEmitter } from 'eventemitter3';

/** An EventEmitter whose `emit` does nothing once {@link isClosed} is true. */
export abstract class QuietAfterClose<Events extends EventEmitter.ValidEventTypes> extends EventEmitter<Events> {
  /** Whether the recipe was closed. */
  protected abstract isClosed(): boolean;

  override emit<T extends EventEmitter.EventNames<Events>>(
    event: T,
    ...args: EventEmitter.EventArgs<Events, T>
  ): boolean {
    if (this.isClosed()) return false;
    return super.emit(event, ...args);
  }
}
