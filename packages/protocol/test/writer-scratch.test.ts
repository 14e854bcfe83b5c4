// Goal: frame writers share scratch buffers (FrameWriter's pool) without one frame ever seeing
// another's bytes: a finished frame is the caller's and stays as it was; a child block written
// while its frame is open does not clobber the frame; frames larger than the scratch (and than
// the largest scratch kept) encode whole; a writer used after finish() touches only its own copy.
// Method: real encoders and decoders; frames held across later encodes are compared byte for
// byte with copies taken when they were made.
import { describe, expect, it } from 'vitest';
import { decodeResponse, defaultLimits, encodeResponse, type ServerMessage } from '../src';
import { FrameWriter } from '../src/codec/writer';

const stat = {
  version: 1,
  childrenVersion: 3,
  createdRevision: 5,
  modifiedRevision: 9,
  childrenRevision: 12,
  createdAt: 1_795_756_284_993,
  modifiedAt: 1_795_756_284_993,
  ephemeralOwner: null,
  dataLength: 0,
  numChildren: 0,
};

function getAnswer(xid: number, bytes: number): ServerMessage {
  const data = new Uint8Array(bytes).map((_, i) => (i * 31 + xid) & 0xff);
  return { type: 'get', xid, revision: xid, data, stat: { ...stat, dataLength: bytes } };
}

describe('FrameWriter scratch buffers', () => {
  it('leaves finished frames alone while later frames of every size are written', () => {
    const sizes = [0, 10, 16 * 1024, 16 * 1024 + 1, 300 * 1024, 5, 3];
    const frames = sizes.map((bytes, xid) => {
      const frame = encodeResponse(getAnswer(xid, bytes));
      return { frame, copy: frame.slice(), xid, bytes };
    });
    for (const { frame, copy, xid, bytes } of frames) {
      expect(frame).toEqual(copy);
      expect(decodeResponse(frame)).toEqual({ ok: true, value: getAnswer(xid, bytes) });
    }
  });

  it('encodes a child list whose block is written while its frame is open', () => {
    // A frozen list of enough names has its block encoded by a second writer, once.
    const children = Object.freeze(Array.from({ length: 40 }, (_, i) => `child-${i}`));
    const message: ServerMessage = { type: 'children', xid: 1, revision: 2, children, stat };
    const first = encodeResponse(message);
    const second = encodeResponse(message);
    expect(second).toEqual(first);
    expect(decodeResponse(first)).toEqual({ ok: true, value: { ...message, children: [...children] } });
  });

  it('writes on after finish() into its own copy only', () => {
    const early = new FrameWriter(defaultLimits);
    early.u8(1);
    const finished = early.finish();
    const other = new FrameWriter(defaultLimits);
    other.u8(7);
    other.u8(8);
    early.u8(2);
    expect(other.finish()).toEqual(new Uint8Array([7, 8]));
    expect(finished).toEqual(new Uint8Array([1]));
    expect(early.finish()).toEqual(new Uint8Array([1, 2]));
  });
});
