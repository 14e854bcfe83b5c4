/**
 * A log of inverse actions, so that a multi can apply its operations one by one and, when one
 * fails, put every structure back exactly as it was (all or nothing without copying the tree).
 */
export class UndoLog {
  private actions: (() => void)[] | null = null;

  /** Whether a transaction is open. */
  get active(): boolean {
    return this.actions !== null;
  }

  /** Opens a transaction. Nesting is a programmer error. */
  begin(): void {
    if (this.actions !== null) throw new Error('UndoLog.begin: a transaction is already open');
    this.actions = [];
  }

  /** Records how to undo a change about to be made; a no-op outside a transaction. */
  record(undo: () => void): void {
    this.actions?.push(undo);
  }

  /** Keeps every change since `begin`. */
  commit(): void {
    if (this.actions === null) throw new Error('UndoLog.commit: no open transaction');
    this.actions = null;
  }

  /** Undoes every change since `begin`, newest first. */
  rollback(): void {
    const actions = this.actions;
    if (actions === null) throw new Error('UndoLog.rollback: no open transaction');
    this.actions = null;
    for (let i = actions.length - 1; i >= 0; i--) actions[i]!();
  }
}
