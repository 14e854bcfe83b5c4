/**
 * Goal: the binary snapshot format round-trips every field, refuses every malformed input with
 * a typed error (never a wrong tree), and members still load snapshots of the first (JSON)
 * format.
 * Method: restore and compare snapshot bytes; corruptions are built with the format's own row
 * writers so each test breaks exactly one rule; JSON snapshots are written from a decoded state
 * in the first format's layout, and one is a literal file of that format.
 */
import { describe, expect, it } from 'vitest';
import { CoordinationStateMachine } from '../../src';
import { rootNode, type TreeNode } from '../../src/state/data-tree';
import { dataBytes } from '../../src/state/node-data';
import { CorruptSnapshotError, SnapshotByteWriter } from '../../src/state/snapshot-bytes';
import {
  type DecodedSnapshot,
  decodeSnapshot,
  type SnapshotHeader,
  writeNodeRow,
  writeSnapshotEnd,
  writeSnapshotHeader,
} from '../../src/state/snapshot-format';
import { commandStream, entry } from './command-stream';
import { bytes, Harness } from './harness';

function node(fields: Partial<TreeNode> = {}): TreeNode {
  return { ...rootNode(), createdRevision: 1, modifiedRevision: 1, childrenRevision: 1, ...fields };
}

const header: SnapshotHeader = {
  appliedRevision: 9,
  sessions: [{ id: 's1', secret: 'x', timeoutMs: 1_000, createdAt: 5, owner: null, sequence: 0 }],
  requests: ['r1'],
};

/** Row: depth, name, node, owner number. */
type Row = [number, string, TreeNode, number];

/** A snapshot of these rows; `count` overrides the node count at the end. */
function snapshotOf(rows: Row[], count = rows.length, trailing: number[] = []): Uint8Array {
  const out = new SnapshotByteWriter();
  writeSnapshotHeader(out, header);
  for (const [depth, name, n, owner] of rows) writeNodeRow(out, depth, name, n, owner);
  writeSnapshotEnd(out, count);
  return Buffer.concat([...out.take(), Buffer.from(trailing)]);
}

const root: Row = [0, '', node(), 0];

describe('binary snapshot format', () => {
  it('round-trips long, non-ASCII and large fields byte for byte', () => {
    const h = new Harness();
    h.time = 2 ** 45 + 3; // past 32 bits, as epoch milliseconds are
    h.openSession('s1');
    const long = `n${'é'.repeat(50)}${'x'.repeat(200)}`;
    h.create(`/${long}`, { data: 'x'.repeat(5_000) });
    h.create(`/${long}/𝄞clef`, { data: 'small' });
    h.create('/e', { mode: 'ephemeral', session: 's1' });
    h.create('/t', { mode: 'persistent_ttl', ttlMs: 2 ** 33 });
    for (let i = 0; i < 300; i++) h.set('/t', String(i));
    const snapshot = h.machine.snapshotNow();
    const restored = new CoordinationStateMachine();
    restored.restore(snapshot);
    expect(restored.snapshotNow()).toEqual(snapshot);
    expect(new TextDecoder().decode(restored.get(`/${long}`)?.data)).toBe('x'.repeat(5_000));
    expect(restored.children(`/${long}`)?.children).toEqual(['𝄞clef']);
    expect(restored.get('/t')?.stat).toEqual(h.stat('/t'));
    expect(restored.session('s1')?.ephemerals).toEqual(new Set(['/e']));
  });

  it('restored node data does not share the snapshot buffer', () => {
    const h = new Harness();
    h.create('/a', { data: 'abc' });
    const snapshot = Buffer.from(h.machine.snapshotNow());
    const restored = new CoordinationStateMachine();
    restored.restore(snapshot);
    snapshot.fill(0);
    expect(new TextDecoder().decode(restored.get('/a')?.data)).toBe('abc');
  });

  it('a well-formed hand-written snapshot decodes', () => {
    const decoded = decodeSnapshot(snapshotOf([root, [1, 'a', node(), 0], [2, 'b', node(), 0], [1, 'c', node(), 0]]));
    expect([...decoded.nodes.keys()]).toEqual(['/', '/a', '/a/b', '/c']);
    const top = decoded.nodes.get('/');
    expect([...(top?.children.keys() ?? [])]).toEqual(['a', 'c']);
    // A parent holds its children's nodes, not copies: a snapshot walks the tree through them.
    expect(top?.children.get('a')).toBe(decoded.nodes.get('/a'));
    expect(decoded.nodes.get('/a')?.children.get('b')).toBe(decoded.nodes.get('/a/b'));
    expect(decoded.requests).toEqual(['r1']);
  });

  const corruptions: { name: string; bytes: () => Uint8Array; message: RegExp }[] = [
    { name: 'no rows', bytes: () => snapshotOf([]), message: /no root/ },
    { name: 'a row before the root', bytes: () => snapshotOf([[1, 'a', node(), 0]]), message: /depth 1/ },
    { name: 'a second root', bytes: () => snapshotOf([root, root]), message: /second root/ },
    { name: 'a row two levels down', bytes: () => snapshotOf([root, [2, 'a', node(), 0]]), message: /depth 2/ },
    { name: 'a name with a slash', bytes: () => snapshotOf([root, [1, 'a/b', node(), 0]]), message: /bad name "a\/b"/ },
    { name: 'an empty name', bytes: () => snapshotOf([root, [1, '', node(), 0]]), message: /bad name ""/ },
    { name: 'a dot name', bytes: () => snapshotOf([root, [1, '..', node(), 0]]), message: /bad path/ },
    {
      name: 'a repeated path',
      bytes: () => snapshotOf([root, [1, 'a', node(), 0], [1, 'b', node(), 0], [1, 'a', node(), 0]]),
      message: /repeated path "\/a"/,
    },
    {
      name: 'an owner that is no session',
      bytes: () => snapshotOf([root, [1, 'e', node({ kind: 'ephemeral' }), 2]]),
      message: /bad owner at \/e/,
    },
    {
      name: 'an ephemeral without an owner',
      bytes: () => snapshotOf([root, [1, 'e', node({ kind: 'ephemeral' }), 0]]),
      message: /owner mismatch/,
    },
    {
      name: 'a persistent node with an owner',
      bytes: () => snapshotOf([root, [1, 'p', node(), 1]]),
      message: /owner mismatch/,
    },
    {
      name: 'a child of an ephemeral',
      bytes: () => snapshotOf([root, [1, 'e', node({ kind: 'ephemeral' }), 1], [2, 'c', node(), 0]]),
      message: /child of ephemeral/,
    },
    { name: 'a node count that differs', bytes: () => snapshotOf([root], 2), message: /node count/ },
    { name: 'bytes after the end', bytes: () => snapshotOf([root], 1, [0]), message: /after the end/ },
    {
      name: 'an unknown kind',
      bytes: () => {
        const good = snapshotOf([root]);
        // The root's kind byte follows its depth (1), name length (0) and the header.
        const at = Buffer.from(good).indexOf(Buffer.from([1, 0, 0, 0]), 1);
        const bad = Uint8Array.from(good);
        bad[at + 2] = 9;
        return bad;
      },
      message: /bad kind/,
    },
    { name: 'not JSON and not binary', bytes: () => bytes('{'), message: /not UTF-8 JSON/ },
    { name: 'empty', bytes: () => new Uint8Array(0), message: /not UTF-8 JSON/ },
  ];
  for (const { name, bytes: make, message } of corruptions) {
    it(`${name}: CorruptSnapshotError`, () => {
      const data = make();
      expect(() => decodeSnapshot(data)).toThrow(CorruptSnapshotError);
      expect(() => decodeSnapshot(data)).toThrow(message);
    });
  }

  it('every truncation of a real snapshot is refused and leaves the state as it was', () => {
    const h = new Harness();
    h.openSession('s1');
    h.create('/a', { data: 'x'.repeat(300) });
    h.create('/a/e', { mode: 'ephemeral', session: 's1' });
    h.create('/t', { mode: 'persistent_ttl', ttlMs: 10 });
    const good = h.machine.snapshotNow();
    const target = new Harness();
    target.create('/other');
    const before = target.machine.snapshotNow();
    for (let length = 0; length < good.length; length++) {
      expect(() => target.machine.restore(good.subarray(0, length)), `cut at ${length}`).toThrow(CorruptSnapshotError);
    }
    expect(target.machine.snapshotNow()).toEqual(before);
  });
});

/** A state in the first format's layout (rows as `snapshot-json.ts` describes them). */
function jsonSnapshot(state: DecodedSnapshot): Uint8Array {
  return bytes(
    JSON.stringify({
      v: 1,
      appliedRevision: state.appliedRevision,
      sessions: state.sessions.map((s) => [s.id, s.secret, s.timeoutMs, s.createdAt, s.owner, s.sequence]),
      nodes: [...state.nodes]
        .reverse()
        .map(([path, n]) => [
          path,
          Buffer.from(dataBytes(n.data)).toString('base64'),
          n.version,
          n.childrenVersion,
          n.createdRevision,
          n.modifiedRevision,
          n.childrenRevision,
          n.createdAt,
          n.modifiedAt,
          n.ephemeralOwner,
          n.kind,
          n.ttlMs,
        ]),
      requests: state.requests,
    }),
  );
}

describe('first (JSON) snapshot format', () => {
  it('a JSON snapshot of a random state restores to the same state (rows in any order)', () => {
    const machine = new CoordinationStateMachine();
    commandStream(7, 600).forEach((data, i) => {
      machine.apply(entry(i + 1, data));
    });
    const binary = machine.snapshotNow();
    const restored = new CoordinationStateMachine();
    restored.restore(jsonSnapshot(decodeSnapshot(binary)));
    expect(restored.snapshotNow()).toEqual(binary);
    expect(restored.listSessions()).toEqual(machine.listSessions());
  });

  it('a file of the first format, with sessions of four fields and no request ids, loads', () => {
    const file = JSON.stringify({
      v: 1,
      appliedRevision: 7,
      sessions: [['s1', 'secret', 10000, 1000]],
      nodes: [
        ['/', '', 0, 2, 0, 0, 3, 0, 0, null, 'persistent', null],
        ['/a', 'b25l', 0, 1, 2, 2, 3, 1000, 1000, null, 'persistent', null],
        ['/a/e', '', 0, 0, 3, 3, 3, 1000, 1000, 's1', 'ephemeral', null],
        ['/t', '', 0, 0, 4, 4, 4, 1000, 1000, null, 'ttl', 10],
      ],
    });
    const machine = new CoordinationStateMachine();
    machine.restore(bytes(file));
    expect(machine.appliedRevision).toBe(7);
    expect(new TextDecoder().decode(machine.get('/a')?.data)).toBe('one');
    expect(machine.children('/')?.children).toEqual(['a', 't']);
    expect(machine.session('s1')?.ephemerals).toEqual(new Set(['/a/e']));
    expect(machine.session('s1')?.owner).toBeNull();
    // And the next snapshot is binary.
    expect(machine.snapshotNow()[0]).toBe(2);
    expect(decodeSnapshot(machine.snapshotNow()).nodes.size).toBe(4);
  });

  it('a corrupt JSON snapshot is refused with CorruptSnapshotError', () => {
    const orphan = JSON.stringify({
      v: 1,
      appliedRevision: 1,
      sessions: [],
      nodes: [
        ['/', '', 0, 0, 0, 0, 0, 0, 0, null, 'persistent', null],
        ['/missing/a', '', 0, 0, 1, 1, 1, 0, 0, null, 'persistent', null],
      ],
    });
    expect(() => decodeSnapshot(bytes(orphan))).toThrow(CorruptSnapshotError);
    expect(() => decodeSnapshot(bytes(orphan))).toThrow(/orphan/);
    expect(() => decodeSnapshot(bytes('{"v":3}'))).toThrow(/unknown version 3/);
  });
});
