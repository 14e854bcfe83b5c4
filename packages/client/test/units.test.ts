// Goal: the pure parts of the client: member lists, reconnection order and backoff, data
// conversion, multi results, and the watch stream's queue rules (duplicates, overflow, misuse).
// Method: table tests with a seeded random source; no sockets.
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, memberRound } from '../src/backoff';
import { watchEventsQueuedMax } from '../src/constants';
import { BadArgumentsError, BadVersionError, isMultiFailure, parseServers, toBytes, toText } from '../src/index';
import { settleMulti, toWireOps } from '../src/multi';
import { WatchStream } from '../src/watches/watch-stream';

/** A seeded random source (a 32-bit LCG): enough to replay the draws of these tests. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('parseServers', () => {
  it.each([
    ['ws://a:1,ws://b:2', ['ws://a:1', 'ws://b:2']],
    [' a:1 , b:2 ,', ['ws://a:1', 'ws://b:2']],
    [['wss://secure:443'], ['wss://secure:443']],
  ] as const)('%j', (input, expected) => {
    expect(parseServers(input)).toEqual(expected);
  });

  it.each([[''], [[]], ['http://a:1'], ['ws://'], [undefined], [[undefined]], [['ws://a:1', 5]], [{}]])(
    'refuses %j',
    (input) => {
      expect(() => parseServers(input as string)).toThrow(BadArgumentsError);
    },
  );
});

describe('reconnection policy', () => {
  it('visits every member once per round, the last-lost one last', () => {
    const random = seeded(7);
    const servers = ['a', 'b', 'c', 'd'];
    for (let round = 0; round < 50; round++) {
      const order = memberRound(servers, random, 'b');
      expect([...order].sort()).toEqual(servers);
      expect(order.at(-1)).toBe('b');
    }
    expect(memberRound(['only'], random, 'only')).toEqual(['only']);
  });

  it('draws delays below a ceiling that doubles up to the maximum', () => {
    const random = seeded(11);
    for (let attempt = 1; attempt < 20; attempt++) {
      const ceiling = Math.min(2_000, 50 * 2 ** (attempt - 1));
      for (let draw = 0; draw < 20; draw++) {
        const delay = backoffDelayMs(attempt, 50, 2_000, random);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
    expect(backoffDelayMs(1, 50, 2_000, () => 0.999_999)).toBe(49);
  });
});

describe('data', () => {
  it('encodes strings as UTF-8 and passes bytes through', () => {
    expect(toBytes('é')).toEqual(new Uint8Array([0xc3, 0xa9]));
    const bytes = new Uint8Array([1, 2]);
    expect(toBytes(bytes)).toBe(bytes);
    expect(toBytes(undefined)).toEqual(new Uint8Array(0));
    expect(toText(toBytes('ünïcödé ✓'))).toBe('ünïcödé ✓');
  });
});

describe('multi', () => {
  it('maps -1 and absent versions to any version', () => {
    expect(
      toWireOps([
        { op: 'set', path: '/a', data: 'x', version: -1 },
        { op: 'delete', path: '/a', version: 3 },
        { op: 'create', path: '/b' },
      ]),
    ).toEqual([
      { op: 'set', path: '/a', data: toBytes('x') },
      { op: 'delete', path: '/a', expectedVersion: 3 },
      { op: 'create', path: '/b', data: new Uint8Array(0), mode: 'persistent' },
    ]);
  });

  it('turns a failed result list into the failing code with every result', () => {
    const results = [
      { op: 'rolledBack' },
      { op: 'error', code: 'BadVersion', message: 'version 2, expected 1', path: '/x' },
    ] as const;
    const settled = settleMulti(results);
    expect(settled).toBeInstanceOf(BadVersionError);
    if (!isMultiFailure(settled)) throw new Error('not a multi failure');
    expect(settled.failedIndex).toBe(1);
    expect(settled.path).toBe('/x');
    expect(settled.results).toBe(results);
    expect(isMultiFailure(new BadVersionError())).toBe(false);
  });
});

describe('WatchStream', () => {
  const open = (): WatchStream => new WatchStream('/w', true, Promise.resolve(), async () => {});

  it('drops replayed events it already delivered, keeps live repeats', async () => {
    const stream = open();
    stream.push({ type: 'created', path: '/w/a', revision: 5 });
    stream.push({ type: 'dataChanged', path: '/w/b', revision: 5 });
    // One multi may create, delete and create again the same node in one revision.
    stream.push({ type: 'deleted', path: '/w/a', revision: 5 });
    stream.push({ type: 'created', path: '/w/a', revision: 5 });
    // A replay after a reconnect overlapping what was delivered, then going further.
    stream.push({ type: 'created', path: '/w/old', revision: 4 }, 1);
    stream.push({ type: 'created', path: '/w/a', revision: 5 }, 1);
    stream.push({ type: 'dataChanged', path: '/w/b', revision: 5 }, 1);
    stream.push({ type: 'deleted', path: '/w/a', revision: 5 }, 1);
    stream.push({ type: 'created', path: '/w/a', revision: 5 }, 1);
    stream.push({ type: 'deleted', path: '/w/a', revision: 6 }, 1);
    // A second registration's replay repeats the same changes again.
    stream.push({ type: 'created', path: '/w/a', revision: 5 }, 2);
    stream.push({ type: 'deleted', path: '/w/a', revision: 6 }, 2);
    stream.push({ type: 'created', path: '/w/c', revision: 7 }, 2);
    stream.end();
    const events: string[] = [];
    for await (const event of stream) events.push(`${event.revision} ${event.type} ${event.path}`);
    expect(events).toEqual([
      '5 created /w/a',
      '5 dataChanged /w/b',
      '5 deleted /w/a',
      '5 created /w/a',
      '6 deleted /w/a',
      '7 created /w/c',
    ]);
  });

  it('replaces an overflowing queue with one resyncNeeded', async () => {
    const stream = open();
    for (let revision = 1; revision <= watchEventsQueuedMax + 5; revision++) {
      stream.push({ type: 'dataChanged', path: '/w', revision });
    }
    const first = await stream.next();
    expect(first.value).toMatchObject({ type: 'resyncNeeded', path: '/w' });
    let count = 0;
    stream.end();
    for await (const _event of stream) count++;
    expect(count).toBe(4);
  });

  it('delivers queued events before a failure, then rejects', async () => {
    const stream = open();
    stream.push({ type: 'created', path: '/w', revision: 1 });
    stream.fail(new Error('refused'));
    expect((await stream.next()).value).toMatchObject({ type: 'created' });
    await expect(stream.next()).rejects.toThrow('refused');
  });
});
