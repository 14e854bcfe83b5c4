// Goal: the watch registry's matching rules in isolation: which kinds fire on which event,
// one event per owner however many of its watches match, recursive watches by ancestor (the
// root included, a name sharing a prefix excluded), one-shot removal, and turn watches (fired
// by a sibling's deletion when their node is the directory's lowest, asked only where they wait).
// Method: a real WatchRegistry with string owners fed hand-written change events; the turn
// oracle is a hand-kept list of each directory's sequential children.
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

  it('still reaches a recursive watch after others were removed one by one and by owner', () => {
    // Dispatch looks at ancestors only while recursive watches exist, so their count must
    // follow every way one goes.
    const registry = new WatchRegistry<string>();
    registry.add('a', '/', 'persistentRecursive');
    registry.add('a', '/', 'persistentRecursive');
    registry.add('b', '/t', 'persistentRecursive');
    registry.add('b', '/t', 'data');
    registry.add('c', '/t/u', 'persistentRecursive');
    expect(registry.remove('a', '/', 'persistentRecursive')).toBe(true);
    registry.removeAll('b');
    expect(deliveries(registry, [{ type: 'created', path: '/t/u/v', revision: 1 }])).toEqual(['c created /t/u/v@1']);
    registry.removeAll('c');
    expect(deliveries(registry, [{ type: 'created', path: '/t/u/w', revision: 2 }])).toEqual([]);
    registry.add('d', '/t', 'persistentRecursive');
    expect(deliveries(registry, [{ type: 'dataChanged', path: '/t/u', revision: 3 }])).toEqual([
      'd dataChanged /t/u@3',
    ]);
  });

  describe('turn watches', () => {
    /** A registry whose turn oracle reads `dirs` (children in sequence order) and counts its calls. */
    function turnRegistry(dirs: Record<string, string[]>) {
      const asked: string[] = [];
      const registry = new WatchRegistry<string>((parent) => {
        asked.push(parent);
        return dirs[parent]?.[0] ?? null;
      });
      const remove = (parent: string, name: string): ChangeEvent => {
        dirs[parent] = (dirs[parent] ?? []).filter((each) => each !== name);
        return { type: 'deleted', path: `${parent}/${name}`, revision: 0 };
      };
      return { registry, asked, remove };
    }

    it('fires turn for the node a deletion leaves lowest, and only then', () => {
      const dirs = { '/lk': ['n-0000000001', 'n-0000000002', 'n-0000000003'] };
      const { registry, remove } = turnRegistry(dirs);
      registry.add('b', '/lk/n-0000000002', 'turn');
      registry.add('c', '/lk/n-0000000003', 'turn');
      // The middle node goes first: c still has a node ahead, b's turn has not come.
      expect(deliveries(registry, [{ ...remove('/lk', 'n-0000000002'), revision: 4 }])).toEqual([
        'b deleted /lk/n-0000000002@4',
      ]);
      expect(deliveries(registry, [{ ...remove('/lk', 'n-0000000001'), revision: 5 }])).toEqual([
        'c turn /lk/n-0000000003@5',
      ]);
      expect(registry.size).toBe(0);
    });

    it('asks for the lowest node only after a deletion in a directory with a turn watch', () => {
      const dirs = { '/lk': ['n-0000000001', 'n-0000000002'], '/other': ['x-0000000001'] };
      const { registry, asked, remove } = turnRegistry(dirs);
      registry.add('b', '/lk/n-0000000002', 'turn');
      deliveries(registry, [
        { type: 'created', path: '/lk/n-0000000009', revision: 1 },
        { type: 'childrenChanged', path: '/lk', revision: 1 },
        { ...remove('/other', 'x-0000000001'), revision: 2 },
      ]);
      expect(asked).toEqual([]);
      registry.removeAll('b');
      deliveries(registry, [{ ...remove('/lk', 'n-0000000001'), revision: 3 }]);
      expect(asked).toEqual([]);
    });

    it('fires every owner waiting on the node once, and forgets a removed turn watch', () => {
      const dirs = { '/lk': ['n-0000000001', 'n-0000000002'] };
      const { registry, asked, remove } = turnRegistry(dirs);
      registry.add('a', '/lk/n-0000000002', 'turn');
      registry.add('b', '/lk/n-0000000002', 'turn');
      registry.add('b', '/lk/n-0000000002', 'data');
      expect(registry.remove('a', '/lk/n-0000000002', 'turn')).toBe(true);
      expect(deliveries(registry, [{ ...remove('/lk', 'n-0000000001'), revision: 7 }])).toEqual([
        'b turn /lk/n-0000000002@7',
      ]);
      // b's data watch stays; no turn watch is left to ask for.
      expect(registry.size).toBe(1);
      deliveries(registry, [{ ...remove('/lk', 'n-0000000002'), revision: 8 }]);
      expect(asked).toEqual(['/lk']);
    });

    it('turns a snapshot install into resyncNeeded and forgets the directory', () => {
      const dirs = { '/lk': ['n-0000000001', 'n-0000000002'] };
      const { registry, asked, remove } = turnRegistry(dirs);
      registry.add('a', '/lk/n-0000000002', 'turn');
      const notified: string[] = [];
      registry.invalidateAll((owner, path, kind) => notified.push(`${owner} ${kind} ${path}`));
      expect(notified).toEqual(['a turn /lk/n-0000000002']);
      expect(registry.size).toBe(0);
      deliveries(registry, [{ ...remove('/lk', 'n-0000000001'), revision: 3 }]);
      expect(asked).toEqual([]);
    });
  });
});
