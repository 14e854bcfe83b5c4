/**
 * Goal: the decoder refuses every kind of bad input with CodecError(BAD_FRAME) and a reason
 * naming the problem, and the encoder refuses messages the decoder would refuse.
 * Method: hand-built frames, each breaking exactly one rule (a named limit, a format rule or
 * a consistency rule), checked against the expected reason; plus every truncation of a
 * valid frame.
 */
import { describe, expect, it } from 'vitest';
import { CodecError, decodeBatch, encodeBatch, encodeMessage } from '../../src/codec';
import {
  forwardedConfContextBytesMax,
  nodeIdBytesMax,
  peerConfMembersMax,
  peerFrameMessagesMax,
  peerMessageEntriesMax,
  readContextBytesMax,
} from '../../src/constants';
import type { Message } from '../../src/core/types';

/** Unsigned LEB128 of a safe integer. */
function v(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}
const utf8 = (text: string) => [...new TextEncoder().encode(text)];
const s = (text: string) => [...v(utf8(text).length), ...utf8(text)];
const frame = (...parts: (number | number[])[]) => new Uint8Array(parts.flat());
/** Version 1, one message. */
const one = (...parts: (number | number[])[]) => frame(1, 1, ...parts);
const head = (tag: number, term = 5) => [tag, ...s('n1'), ...s('n2'), ...v(term)];
const heartbeat = (...rest: number[]) => one(head(7), rest);

function reasonOf(bytes: Uint8Array): string {
  try {
    decodeBatch(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).code).toBe('BAD_FRAME');
    return (error as CodecError).reason;
  }
  throw new Error('frame was accepted');
}

const snapshotBody = (conf: number[], offset: number, total: number, chunk: number[], flags = 0) => [
  ...v(10),
  ...v(2),
  ...conf,
  ...v(offset),
  ...v(total),
  flags,
  ...v(chunk.length),
  ...chunk,
];

describe('codec - decoder refuses bad frames', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty input', frame(), /truncated/],
    ['unknown version', frame(2, 1, head(11)), /unknown version/],
    ['empty batch', frame(1, 0), /empty batch/],
    ['message count over the limit', frame(1, v(peerFrameMessagesMax + 1)), /message count over limit/],
    ['message count far beyond the bytes', frame(1, v(1000), head(11)), /truncated/],
    ['varint longer than 8 bytes', frame(1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), /out of range/],
    ['varint above 2^53 - 1', one(11, s('n1'), s('n2'), v(2 ** 53)), /out of range/],
    ['non-minimal varint', one(11, s('n1'), s('n2'), [0x85, 0x00]), /non-minimal/],
    ['unknown message tag 0', one(0, s('n1'), s('n2'), 1), /unknown message tag 0/],
    ['unknown message tag 16', one(16, s('n1'), s('n2'), 1), /unknown message tag 16/],
    ['empty node id', one(11, s(''), s('n2'), 1), /from is not a valid node id/],
    ['control character in node id', one(11, s('n\n1'), s('n2'), 1), /from is not a valid node id/],
    ['node id over the byte limit', one(11, s('x'.repeat(nodeIdBytesMax + 1)), s('n2'), 1), /from length over limit/],
    ['node id that is not UTF-8', one(11, [2, 0xc3, 0x28], s('n2'), 1), /not valid UTF-8/],
    ['encoded surrogate in a node id', one(11, [3, 0xed, 0xa0, 0x80], s('n2'), 1), /not valid UTF-8/],
    ['message to its sender', one(11, s('n1'), s('n1'), 1), /addressed to its sender/],
    ['unknown flag bit', one(head(3), 0b10), /unknown flag bits/],
    ['trailing bytes', one(head(11), 0), /1 trailing bytes/],
    ['truncated heartbeat', heartbeat(1), /truncated/],
    [
      'entry count over the limit',
      one(head(5), v(0), v(0), v(0), v(peerMessageEntriesMax + 1)),
      /entry count over limit/,
    ],
    ['entry count far beyond the bytes', one(head(5), v(0), v(0), v(0), v(60_000), 1, 1, 0, 0), /truncated/],
    ['entry data longer than the frame', one(head(5), v(0), v(0), v(0), v(1), v(5), v(1), 0, v(2 ** 40)), /truncated/],
    ['unknown entry type', one(head(5), v(0), v(0), v(0), v(1), v(5), v(1), 2, v(0)), /unknown entry type/],
    ['entry index gap', one(head(5), v(3), v(1), v(0), v(1), v(1), v(5), 0, v(0)), /not contiguous/],
    [
      'entry term above message term',
      one(head(5, 5), v(0), v(0), v(0), v(1), v(6), v(1), 0, v(0)),
      /above the message/,
    ],
    [
      'entry terms decrease',
      one(head(5, 5), v(0), v(0), v(0), v(2), [...v(3), ...v(1), 0, ...v(0)], [...v(2), ...v(2), 0, ...v(0)]),
      /terms decrease/,
    ],
    ['snapshot index 0', one(head(9), v(0), v(1), v(0), v(0), v(0), v(0), 0, v(0)), /index must be above 0/],
    ['chunk past totalBytes', one(head(9), snapshotBody([...v(0), ...v(0)], 4, 5, [1, 2]), []), /past totalBytes/],
    [
      'member listed twice',
      one(head(9), snapshotBody([...v(1), ...s('n3'), ...v(1), ...s('n3')], 0, 0, [])),
      /listed twice/,
    ],
    ['too many voters', one(head(9), v(10), v(2), v(peerConfMembersMax + 1)), /voter count over limit/],
    [
      'too many members',
      one(
        head(9),
        v(10),
        v(2),
        v(peerConfMembersMax),
        ...Array.from({ length: peerConfMembersMax }, () => s('a')),
        v(1),
      ),
      /member count over limit/,
    ],
    ['context over the limit', one(head(12), s('c'.repeat(readContextBytesMax + 1))), /context length over limit/],
    ['read index below -1', one(head(13), s('c'), [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]), /out of range/],
    ['unknown forward kind', one(head(14), 4), /unknown forward kind 4/],
    ['forward without payloads', one(head(14), 1, v(0)), /forward without payloads/],
    ['forwarded payload count over the limit', one(head(14), 1, v(peerMessageEntriesMax + 1)), /payload count over/],
    ['forwarded payload count beyond the bytes', one(head(14), 1, v(1000), v(1), 7), /truncated/],
    ['empty forwarded payload', one(head(14), 1, v(2), v(0), v(3), 1, 2, 3), /empty forwarded payload/],
    ['forwarded payload longer than the frame', one(head(14), 1, v(1), v(2 ** 40)), /truncated/],
    ['forwarded bootstrap', one(head(14), 2, 0, s('n4'), 0), /unknown membership change/],
    ['unknown membership change', one(head(14), 2, 5, s('n4'), 0), /unknown membership change/],
    ['bad change node', one(head(14), 2, 1, s(''), 0), /change node is not a valid node id/],
    ['unknown change flag', one(head(14), 2, 1, s('n4'), 2), /unknown flag bits/],
    [
      'change context over the limit',
      one(head(14), 2, 2, s('n4'), 1, v(forwardedConfContextBytesMax + 1)),
      /context length over limit/,
    ],
    ['bad transfer target', one(head(14), 3, s('a\u0001')), /transfer target is not a valid node id/],
  ];

  it.each(cases)('%s', (_name, bytes, reason) => {
    expect(reasonOf(bytes)).toMatch(reason);
  });

  it('the hand-built frames are otherwise right: the fixed variants decode', () => {
    expect(decodeBatch(heartbeat(...v(1), ...v(0)))).toEqual([
      { type: 'heartbeat', from: 'n1', to: 'n2', term: 5, commit: 1, readRound: 0 },
    ]);
    expect(
      decodeBatch(
        one(head(5, 5), v(0), v(0), v(0), v(2), [...v(3), ...v(1), 0, ...v(0)], [...v(3), ...v(2), 0, ...v(0)]),
      ),
    ).toHaveLength(1);
    expect(
      decodeBatch(one(head(9), snapshotBody([...v(1), ...s('n3'), ...v(1), ...s('n4')], 3, 5, [1, 2]))),
    ).toHaveLength(1);
    expect(decodeBatch(one(head(14), 1, v(2), v(1), 7, v(1), 8))).toEqual([
      {
        type: 'forward',
        from: 'n1',
        to: 'n2',
        term: 5,
        request: { kind: 'entries', entries: [new Uint8Array([7]), new Uint8Array([8])] },
      },
    ]);
    expect(
      decodeBatch(
        one(head(14), 2, 2, s('n4'), 1, v(forwardedConfContextBytesMax), Array(forwardedConfContextBytesMax).fill(1)),
      ),
    ).toHaveLength(1);
    expect(decodeBatch(one(head(14), 3, s('n3')))).toHaveLength(1);
  });

  it('refuses a frame over the byte limit before reading it', () => {
    const bytes = encodeMessage({ type: 'readIndex', from: 'n1', to: 'n2', term: 1, context: 'x'.repeat(100) });
    expect(() => decodeBatch(bytes, { frameBytesMax: 50 })).toThrow(/exceeds 50/);
  });

  it('refuses input that is not bytes', () => {
    expect(reasonOf('hello' as unknown as Uint8Array)).toMatch(/not bytes/);
  });

  it('refuses every strict prefix of a valid frame', () => {
    const messages: Message[] = [
      { type: 'vote', from: 'n1', to: 'n2', term: 3, lastLogIndex: 200, lastLogTerm: 2, force: false },
      {
        type: 'append',
        from: 'n1',
        to: 'n2',
        term: 3,
        prevIndex: 200,
        prevTerm: 2,
        entries: [{ term: 3, index: 201, type: 0, data: new Uint8Array([9, 9, 9]) }],
        commit: 199,
      },
      { type: 'readIndexResp', from: 'n1', to: 'n2', term: 3, context: 'ctx', index: 5 },
    ];
    const bytes = encodeBatch(messages);
    for (let length = 0; length < bytes.length; length++) {
      expect(() => decodeBatch(bytes.subarray(0, length)), `prefix of ${length} bytes`).toThrow(CodecError);
    }
    expect(decodeBatch(bytes)).toEqual(messages);
  });
});

describe('codec - encoder refuses what the decoder would refuse', () => {
  const base: Message = { type: 'heartbeat', from: 'n1', to: 'n2', term: 1, commit: 0, readRound: 0 };
  const bad = (patch: Record<string, unknown>) => ({ ...base, ...patch }) as unknown as Message;
  const cases: [string, Message, RegExp][] = [
    ['negative term', bad({ term: -1 }), /term must be/],
    ['fractional commit', bad({ commit: 1.5 }), /commit must be/],
    ['NaN', bad({ readRound: Number.NaN }), /readRound must be/],
    ['unsafe integer', bad({ term: 2 ** 53 }), /term must be/],
    ['empty id', bad({ from: '' }), /from is not a valid node id/],
    ['id too long', bad({ to: 'y'.repeat(nodeIdBytesMax + 1) }), /to is not a valid node id/],
    ['control character', bad({ from: 'a\u0000' }), /not a valid node id/],
    ['lone surrogate id', bad({ from: '\ud800' }), /not a valid node id/],
    ['to itself', bad({ to: 'n1' }), /addressed to its sender/],
    ['unknown type', bad({ type: 'gossip' }), /unknown message type/],
    [
      'lone surrogate context',
      { type: 'readIndex', from: 'n1', to: 'n2', term: 1, context: 'a\udc00' },
      /not well-formed Unicode/,
    ],
    ['read index below -1', { type: 'readIndexResp', from: 'n1', to: 'n2', term: 1, context: '', index: -2 }, /index/],
    [
      'entries with a gap',
      {
        type: 'append',
        from: 'n1',
        to: 'n2',
        term: 1,
        prevIndex: 0,
        prevTerm: 0,
        entries: [{ term: 1, index: 2, type: 0, data: new Uint8Array() }],
        commit: 0,
      },
      /not contiguous/,
    ],
    [
      'entry data not bytes',
      {
        type: 'append',
        from: 'n1',
        to: 'n2',
        term: 1,
        prevIndex: 0,
        prevTerm: 0,
        entries: [{ term: 1, index: 1, type: 0, data: 'x' as unknown as Uint8Array }],
        commit: 0,
      },
      /entry data must be a Uint8Array/,
    ],
    ...(
      [
        ['forward without payloads', { kind: 'entries', entries: [] }, /non-empty array/],
        ['forward with an empty payload', { kind: 'entries', entries: [new Uint8Array()] }, /payload is empty/],
        ['forwarded payload not bytes', { kind: 'entries', entries: ['x'] }, /must be a Uint8Array/],
        [
          'forwarded bootstrap',
          { kind: 'confChange', change: { kind: 'bootstrap', conf: { voters: ['a'], learners: [] } } },
          /cannot be forwarded/,
        ],
        [
          'forwarded change context too long',
          {
            kind: 'confChange',
            change: { kind: 'addVoter', node: 'n4', context: new Uint8Array(forwardedConfContextBytesMax + 1) },
          },
          /context longer than/,
        ],
        ['forwarded change without node', { kind: 'confChange', change: { kind: 'addVoter' } }, /change node/],
        ['forwarded transfer to nobody', { kind: 'transfer', target: '' }, /transfer target/],
        ['unknown forward kind', { kind: 'gossip' }, /unknown forward kind/],
        ['forward without request', undefined, /request must be an object/],
      ] as const
    ).map(
      ([name, request, reason]) =>
        [name, { type: 'forward', from: 'n2', to: 'n1', term: 1, request } as unknown as Message, reason] as [
          string,
          Message,
          RegExp,
        ],
    ),
  ];

  it.each(cases)('%s', (_name, message, reason) => {
    let caught: unknown;
    try {
      encodeMessage(message);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CodecError);
    expect((caught as CodecError).code).toBe('UNENCODABLE');
    expect((caught as CodecError).reason).toMatch(reason);
  });

  it('refuses an empty batch and one over the message limit', () => {
    expect(() => encodeBatch([])).toThrow(/empty batch/);
    expect(() => encodeBatch([base, base, base], { frameMessagesMax: 2 })).toThrow(/more than 2 messages/);
    expect(() => encodeBatch([base], { frameBytesMax: 5 })).toThrow(/exceeds 5/);
  });
});
