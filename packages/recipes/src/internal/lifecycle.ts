/**
 * The lifecycle every recipe shares (Curator's `latent -> started -> closed`): start once,
 * close once, refuse use outside `started`.
 */
import { RecipeError } from '../errors';

/** Where a recipe is in its life. */
export type LifecycleState = 'latent' | 'started' | 'closed';

/** Guards a recipe's state transitions. */
export class Lifecycle {
  private current: LifecycleState = 'latent';

  constructor(private readonly recipe: string) {}

  get state(): LifecycleState {
    return this.current;
  }

  /** latent -> started; throws `IllegalState` otherwise. */
  start(): void {
    if (this.current !== 'latent') throw new RecipeError('IllegalState', `${this.recipe} cannot be started twice`);
    this.current = 'started';
  }

  /** -> closed; returns false when it was closed already. */
  close(): boolean {
    if (this.current === 'closed') return false;
    this.current = 'closed';
    return true;
  }

  /** Throws `IllegalState` unless started. */
  assertStarted(): void {
    if (this.current !== 'started')
      throw new RecipeError('IllegalState', `${this.recipe} is ${this.current}; call start() first`);
  }
}
