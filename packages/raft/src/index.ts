export * from './core/types';
export type { PersistedState, RaftStorage, StateMachine, Transport } from './runtime/interfaces';
