/**
 * Goal: every Message variant survives encode -> decode unchanged, batches keep order, and
 * the encoding is canonical (re-encoding a decoded frame gives the same bytes).
 * Method: a table with one or more hand-written cases per variant, including edge values
 * (0, varint boundaries, 2^53 - 1, -1 read index, empty and non-ASCII strings, empty and
 * large payloads), then seeded random batches.
 */
import { describe, expect, it } from 'vitest';
import {
  CodecError,
  decodeBatch,
  decodeMessage,
  encodeBatch,
  encodedMessageSize,
  encodeFrames,
  encodeMessage,
} from '../../src/codec';
import { messageTags } from '../../src/codec/format';
import type { Message } from '../../src/core/types';
import { Gen, seededRandom } from './arbitrary';

const max = Number.MAX_SAFE_INTEGER;
const bytes = (...values: number[]) => new Uint8Array(values);
const big = new Uint8Array(20_000).map((_, i) => i % 251);

const cases: [string, Message][] = [
  ['preVote', { type: 'preVote', from: 'n1', to: 'n2', term: 5, lastLogIndex: 10, lastLogTerm: 4, force: false }],
  ['vote forced', { type: 'vote', from: 'n1', to: 'n2', term: max, lastLogIndex: max, lastLogTerm: max, force: true }],
  ['preVoteResp', { type: 'preVoteResp', from: 'n2', to: 'n1', term: 0, granted: true }],
  ['voteResp', { type: 'voteResp', from: 'n2', to: 'n1', term: 128, granted: false }],
  [
    'append empty (probe)',
    { type: 'append', from: 'a', to: 'b', term: 3, prevIndex: 0, prevTerm: 0, entries: [], commit: 0 },
  ],
  [
    'append entries',
    {
      type: 'append',
      from: 'n1',
      to: 'n3',
      term: 7,
      prevIndex: 16_383,
      prevTerm: 6,
      entries: [
        { term: 6, index: 16_384, type: 0, data: bytes() },
        { term: 7, index: 16_385, type: 1, data: bytes(1, 2, 3) },
        { term: 7, index: 16_386, type: 0, data: big },
      ],
      commit: 16_384,
    },
  ],
  [
    'appendResp reject with hint',
    { type: 'appendResp', from: 'n3', to: 'n1', term: 7, success: false, index: 99, hintIndex: 50, hintTerm: 3 },
  ],
  [
    'appendResp success',
    { type: 'appendResp', from: 'n3', to: 'n1', term: 7, success: true, index: 2 ** 32, hintIndex: 0, hintTerm: 0 },
  ],
  ['heartbeat', { type: 'heartbeat', from: 'n1', to: 'n2', term: 2, commit: 2 ** 31, readRound: 0 }],
  ['heartbeatResp', { type: 'heartbeatResp', from: 'n2', to: 'n1', term: 2, readRound: 127 }],
  ['commit', { type: 'commit', from: 'n1', to: 'n2', term: 2, index: 2 ** 40, logTerm: 2, commit: 2 ** 40 - 1 }],
  [
    'snapshot first chunk',
    {
      type: 'snapshot',
      from: 'n1',
      to: 'n4',
      term: 9,
      meta: { index: 1000, term: 8, conf: { voters: ['n1', 'n2', 'n3'], learners: ['n4'] } },
      offset: 0,
      totalBytes: 1 << 20,
      chunk: big,
      done: false,
    },
  ],
  [
    'snapshot last empty chunk, empty conf',
    {
      type: 'snapshot',
      from: 'n1',
      to: 'n4',
      term: 9,
      meta: { index: 1, term: 1, conf: { voters: [], learners: [] } },
      offset: 5,
      totalBytes: 5,
      chunk: bytes(),
      done: true,
    },
  ],
  [
    'snapshotResp',
    {
      type: 'snapshotResp',
      from: 'n4',
      to: 'n1',
      term: 9,
      snapshotIndex: 1000,
      offset: 4096,
      success: true,
      done: false,
    },
  ],
  [
    'snapshotResp restart',
    { type: 'snapshotResp', from: 'n4', to: 'n1', term: 9, snapshotIndex: 1000, offset: 0, success: false, done: true },
  ],
  ['timeoutNow', { type: 'timeoutNow', from: 'n1', to: 'n2', term: 11 }],
  ['readIndex', { type: 'readIndex', from: 'n2', to: 'n1', term: 4, context: 'read-1' }],
  ['readIndex empty unicode ids', { type: 'readIndex', from: 'ñ-1', to: '节点🚀', term: 4, context: '' }],
  ['readIndexResp', { type: 'readIndexResp', from: 'n1', to: 'n2', term: 4, context: 'r ✓ 🙂', index: 77 }],
  ['readIndexResp failed', { type: 'readIndexResp', from: 'n1', to: 'n2', term: 4, context: 'x', index: -1 }],
  [
    'forward entries',
    {
      type: 'forward',
      from: 'n2',
      to: 'n1',
      term: 4,
      request: { kind: 'entries', entries: [bytes(1), big, bytes(0xff, 0)] },
    },
  ],
  [
    'forward addLearner with address',
    {
      type: 'forward',
      from: 'n3',
      to: 'n1',
      term: max,
      request: {
        kind: 'confChange',
        change: { kind: 'addLearner', node: 'n4', context: new TextEncoder().encode('ws://127.0.0.1:7004') },
      },
    },
  ],
  [
    'forward removeNode, empty context',
    {
      type: 'forward',
      from: 'n3',
      to: 'n1',
      term: 0,
      request: { kind: 'confChange', change: { kind: 'removeNode', node: '节点', context: bytes() } },
    },
  ],
  [
    'forward promote and addVoter without context',
    {
      type: 'forward',
      from: 'n3',
      to: 'n1',
      term: 2,
      request: { kind: 'confChange', change: { kind: 'promoteLearner', node: 'n5' } },
    },
  ],
  [
    'forward addVoter',
    {
      type: 'forward',
      from: 'n3',
      to: 'n1',
      term: 2,
      request: { kind: 'confChange', change: { kind: 'addVoter', node: 'n6' } },
    },
  ],
  ['forward transfer', { type: 'forward', from: 'n2', to: 'n1', term: 9, request: { kind: 'transfer', target: 'n3' } }],
];

describe('codec - round trip', () => {
  it.each(cases)('%s', (_name, message) => {
    const frame = encodeMessage(message);
    expect(frame.length).toBe(1 + 1 + encodedMessageSize(message));
    const decoded = decodeMessage(frame);
    expect(decoded).toEqual(message);
    expect(encodeMessage(decoded)).toEqual(frame);
  });

  it('covers every message type', () => {
    const types = new Set(cases.map(([, message]) => message.type));
    expect([...types].sort()).toEqual(Object.keys(messageTags).sort());
  });

  it('a batch of every variant decodes in order', () => {
    const messages = cases.map(([, message]) => message);
    expect(decodeBatch(encodeBatch(messages))).toEqual(messages);
  });

  it('is compact: a heartbeat between short ids takes a handful of bytes', () => {
    const frame = encodeMessage({ type: 'heartbeat', from: 'n1', to: 'n2', term: 3, commit: 100, readRound: 0 });
    expect(frame.length).toBe(12);
  });

  it('decoded payloads are views into the frame (documented: no copy)', () => {
    const message = cases[5]![1];
    const frame = encodeMessage(message);
    const decoded = decodeMessage(frame);
    if (decoded.type !== 'append') throw new Error('expected append');
    const data = decoded.entries[1]!.data;
    expect(data.buffer).toBe(frame.buffer);
    frame[data.byteOffset] = 42;
    expect(data[0]).toBe(42);
  });

  it('decodes from a Buffer slice at a non-zero offset into plain Uint8Arrays', () => {
    const message = cases[5]![1];
    const frame = encodeMessage(message);
    const host = Buffer.alloc(frame.length + 7);
    host.set(frame, 7);
    const decoded = decodeMessage(host.subarray(7));
    expect(decoded).toEqual(message);
    if (decoded.type !== 'append') throw new Error('expected append');
    expect(decoded.entries[2]!.data.constructor).toBe(Uint8Array);
  });

  it('seeded random batches round-trip byte for byte', () => {
    const seed = 0x5eed;
    const gen = new Gen(seededRandom(seed));
    for (let round = 0; round < 500; round++) {
      const messages = gen.batch(20);
      const frame = encodeBatch(messages);
      const decoded = decodeBatch(frame);
      expect(decoded, `seed ${seed} round ${round}`).toEqual(messages);
      expect(encodeBatch(decoded)).toEqual(frame);
    }
  });
});

describe('codec - encodeFrames', () => {
  const heartbeat = (i: number): Message => ({
    type: 'heartbeat',
    from: 'n1',
    to: 'n2',
    term: 1,
    commit: i,
    readRound: 0,
  });

  it('keeps everything in one frame when it fits', () => {
    const messages = Array.from({ length: 100 }, (_, i) => heartbeat(i));
    const { frames, rejected } = encodeFrames(messages);
    expect(frames).toHaveLength(1);
    expect(rejected).toEqual([]);
    expect(decodeBatch(frames[0]!)).toEqual(messages);
  });

  it('splits by message count and by bytes, preserving order', () => {
    const messages = Array.from({ length: 1000 }, (_, i) => heartbeat(i));
    const byCount = encodeFrames(messages, { frameMessagesMax: 64 });
    expect(byCount.frames).toHaveLength(16);
    expect(byCount.messageCounts).toEqual([...Array.from({ length: 15 }, () => 64), 40]);
    expect(byCount.frames.flatMap((frame) => decodeBatch(frame, { frameMessagesMax: 64 }))).toEqual(messages);

    const byBytes = encodeFrames(messages, { frameBytesMax: 500 });
    expect(byBytes.frames.length).toBeGreaterThan(1);
    for (const frame of byBytes.frames) expect(frame.length).toBeLessThanOrEqual(500);
    expect(byBytes.frames.flatMap((frame) => decodeBatch(frame, { frameBytesMax: 500 }))).toEqual(messages);
  });

  it('rejects a message too big for any frame and an invalid one, and sends the rest', () => {
    const huge: Message = {
      type: 'append',
      from: 'n1',
      to: 'n2',
      term: 1,
      prevIndex: 0,
      prevTerm: 0,
      entries: [{ term: 1, index: 1, type: 0, data: new Uint8Array(2000) }],
      commit: 0,
    };
    const invalid = { ...heartbeat(0), term: -1 } as Message;
    const { frames, rejected } = encodeFrames([heartbeat(1), huge, invalid, heartbeat(2)], { frameBytesMax: 1000 });
    expect(rejected.map((r) => r.message)).toEqual([huge, invalid]);
    for (const r of rejected) expect(r.error).toBeInstanceOf(CodecError);
    expect(frames.flatMap((frame) => decodeBatch(frame))).toEqual([heartbeat(1), heartbeat(2)]);
  });
});
