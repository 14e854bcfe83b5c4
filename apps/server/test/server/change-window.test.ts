// Goal: the window of recent changes keeps exactly the changes after `completeAfter`, bounded
// by revisions and by events, and answers what a watch missed by ZooKeeper's matching rules.
// Method: a real ChangeWindow fed hand-written change events at increasing revisions.
import { describe, expect, it } from 'vitest';
import { ChangeWindow } from '../../src/server/change-window';
import type { ChangeEvent } from '../../src/state/results';

const change = (type: ChangeEvent['type'], path: string, revision: number): ChangeEvent => ({ type, path, revision });

describe('ChangeWindow', () => {
  it('reaches back the configured number of revisions', () => {
    const window = new ChangeWindow(3, 100);
    for (let revision = 1; revision <= 6; revision++) window.record(revision, [change('dataChanged', '/a', revision)]);
    expect(window.completeAfter).toBe(3);
    expect(window.reaches(2)).toBe(false);
    expect(window.reaches(3)).toBe(true);
    expect(window.missed('/a', 'persistent', 3).map((c) => c.revision)).toEqual([4, 5, 6]);
    expect(window.size).toBe(3);
  });

  it('drops whole revisions, oldest first, to stay within the event bound', () => {
    const window = new ChangeWindow(1000, 4);
    window.record(1, [change('created', '/a', 1), change('childrenChanged', '/', 1)]);
    window.record(2, [change('created', '/b', 2), change('childrenChanged', '/', 2)]);
    window.record(3, [change('deleted', '/a', 3)]);
    expect(window.completeAfter).toBe(1);
    expect(window.size).toBe(3);
    expect(window.reaches(0)).toBe(false);
  });

  it('matches by kind: one-shot sees one, recursive sees below but not childrenChanged', () => {
    const window = new ChangeWindow(100, 100);
    window.record(1, [change('created', '/x/y', 1), change('childrenChanged', '/x', 1)]);
    window.record(2, [change('dataChanged', '/x', 2)]);
    window.record(3, [change('dataChanged', '/xy', 3), change('deleted', '/x', 3)]);
    expect(window.missed('/x', 'persistentRecursive', 0).map((c) => `${c.type} ${c.path}`)).toEqual([
      'created /x/y',
      'dataChanged /x',
      'deleted /x',
    ]);
    expect(window.missed('/x', 'children', 0).map((c) => c.type)).toEqual(['childrenChanged']);
    expect(window.missed('/x', 'data', 1).map((c) => c.revision)).toEqual([2]);
    expect(window.missed('/x', 'exists', 2).map((c) => c.type)).toEqual(['deleted']);
  });

  it('forgets everything on reset (a snapshot skipped over the changes)', () => {
    const window = new ChangeWindow(100, 100);
    window.record(1, [change('created', '/a', 1)]);
    window.reset(50);
    expect(window.reaches(1)).toBe(false);
    expect(window.reaches(50)).toBe(true);
    expect(window.missed('/a', 'persistent', 50)).toEqual([]);
  });
});
