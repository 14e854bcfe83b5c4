export * from './constants';
export * from './state/commands';
export { CoordinationStateMachine, type CoordinationStateMachineOptions } from './state/coordination-state-machine';
export { type NodeKind, statOf } from './state/data-tree';
export * from './state/results';
export type { Session } from './state/sessions';
