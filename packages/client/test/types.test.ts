// Goal: the public types say what the operations return, so code written against them keeps
// compiling: children() with and without stats, exists() nullable, watch streams of
// WatchedEvent, state names, and typed errors.
// Method: vitest's expectTypeOf (checked by tsc when the project is typechecked); nothing runs
// against a member.
import { describe, expectTypeOf, it } from 'vitest';
import type {
  ChildrenWithStat,
  ConnectionState,
  KeelClient,
  MultiSuccess,
  NodeSnapshot,
  Stat,
  WatchedEvent,
  WatchStream,
} from '../src/index';

describe('public types', () => {
  it('types the results of the operations', () => {
    expectTypeOf<KeelClient['create']>().returns.resolves.toEqualTypeOf<string>();
    expectTypeOf<KeelClient['get']>().returns.resolves.toEqualTypeOf<NodeSnapshot>();
    expectTypeOf<KeelClient['set']>().returns.resolves.toEqualTypeOf<Stat>();
    expectTypeOf<KeelClient['exists']>().returns.resolves.toEqualTypeOf<Stat | null>();
    expectTypeOf<KeelClient['multi']>().returns.resolves.toEqualTypeOf<MultiSuccess[]>();
    expectTypeOf<KeelClient['watch']>().returns.toEqualTypeOf<WatchStream>();
    expectTypeOf<WatchStream>().toMatchTypeOf<AsyncIterable<WatchedEvent>>();
    expectTypeOf<KeelClient['state']>().toEqualTypeOf<ConnectionState>();
    expectTypeOf<KeelClient['sessionId']>().toEqualTypeOf<string | null>();
  });

  it('picks the children result by withStats', () => {
    const names = (client: KeelClient) => client.children('/a');
    const withStats = (client: KeelClient) => client.children('/a', { withStats: true });
    expectTypeOf(names).returns.resolves.toEqualTypeOf<string[]>();
    expectTypeOf(withStats).returns.resolves.toEqualTypeOf<ChildrenWithStat>();
  });

  it('names the connection states', () => {
    expectTypeOf<ConnectionState>().toEqualTypeOf<'connected' | 'suspended' | 'reconnected' | 'lost' | 'closed'>();
  });
});
