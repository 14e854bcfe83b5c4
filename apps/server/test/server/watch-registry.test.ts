// Goal: the watch registry's matching rules in isolation: which kinds fire on which event,
// one event per owner however many of its watches match, recursive watches by ancestor (the
// root included, a name sharing a prefix excluded), and one-shot removal.
// Method: a real WatchRegistry with string owners fed hand-written change events.
import { describe, expect, it } from 'vitest';
import { WatchRegistry } from '../../src/server/watch-registry';
import type { ChangeEvent } from '../../src/state/results';

function deliveries(registry: WatchRegistry<string>, changes: ChangeEvent[]): string[] {
  const seen: string[] = [];
  registry.dispatch(changes, (owner, event) => seen.push(`${owner} ${event.event} ${event.path}@${event.revision}`));
  return seen;
}

describe('WatchRegistry', () => {
  it('sends one event per owner even when several of its watches match, and drops fired one-shots', () => {
    const registry = new WatchRegistry<string>();
    registry.add('a', '/n', 'data');
    registry.add('a', '/n', 'exists');
    registry.add('a', '/n', 'persistent');
    registry.add('a', '/n', 'children');
    registry.add('b', '/n', 'data');
    expect(deliveries(registry, [{ type: 'dataChanged', path: '/n', revision: 5 }])).toEqual([
      'a dataChanged /n@5',
      'b dataChanged /n@5',
    ]);
    // Left: a's persistent and children watches.
    expect(registry.size).toBe(2);
    expect(deliveries(registry, [{ type: 'childrenChanged', path: '/n', revision: 6 }])).toEqual([
      'a childrenChanged /n@6',
    ]);
    expect(registry.size).toBe(1);
  });

  it('matches recursive watches by ancestor, not by string prefix, and never on childrenChanged', () => {
    const registry = new WatchRegistry<string>();
    registry.add('root', '/', 'persistentRecursive');
    registry.add('tree', '/tree', 'persistentRecursive');
    expect(
      deliveries(registry, [
        { type: 'created', path: '/treehouse', revision: 1 },
        { type: 'childrenChanged', path: '/', revision: 1 },
        { type: 'created', path: '/tree/a/b', revision: 2 },
        { type: 'childrenChanged', path: '/tree/a', revision: 2 },
      ]),
    ).toEqual(['root created /treehouse@1', 'tree created /tree/a/b@2', 'root created /tree/a/b@2']);
    expect(registry.size).toBe(2);
  });

  it('removes one watch, or all of an owner', () => {
    const registry = new WatchRegistry<string>();
    registry.add('a', '/x', 'persistent');
    registry.add('a', '/y', 'exists');
    registry.add('b', '/x', 'persistent');
    expect(registry.remove('a', '/x', 'data')).toBe(false);
    expect(registry.remove('a', '/x', 'persistent')).toBe(true);
    expect(registry.remove('a', '/x', 'persistent')).toBe(false);
    registry.removeAll('a');
    expect(registry.size).toBe(1);
    expect(deliveries(registry, [{ type: 'created', path: '/y', revision: 3 }])).toEqual([]);
  });
});
