/**
 * Membership changes, one server at a time: the byte encoding stored in `EntryType.Config`
 * entries, and the validated application of a change to a `ConfState`.
 *
 * Encoding (big-endian): `version u8 (=1) | kind u8 | body | hasContext u8 | [len u32 | bytes]`
 * where a node id is `len u16 | utf8` and the bootstrap body is `voters u16 | ids | learners u16 | ids`.
 */
import type { ConfChange, ConfState, NodeId } from './types';

const FORMAT_VERSION = 1;
const KIND_CODES = { bootstrap: 0, addVoter: 1, addLearner: 2, promoteLearner: 3, removeNode: 4 } as const;
const KIND_BY_CODE = ['bootstrap', 'addVoter', 'addLearner', 'promoteLearner', 'removeNode'] as const;
/** Node ids are short operator-chosen names; the bound keeps a bad entry from allocating much. */
const NODE_ID_BYTES_MAX = 1024;

/** The empty membership of a member that has not learned any configuration yet. */
export const emptyConfState: ConfState = { voters: [], learners: [] };

/** True if `id` votes in `conf`. */
export function isVoter(conf: ConfState, id: NodeId): boolean {
  return conf.voters.includes(id);
}

/** True if `id` is a voter or a learner in `conf`. */
export function isMember(conf: ConfState, id: NodeId): boolean {
  return conf.voters.includes(id) || conf.learners.includes(id);
}

/** True if both describe the same membership (order-insensitive). */
export function confStatesEqual(a: ConfState, b: ConfState): boolean {
  const same = (x: readonly NodeId[], y: readonly NodeId[]) =>
    x.length === y.length && [...x].sort().join('\u0000') === [...y].sort().join('\u0000');
  return same(a.voters, b.voters) && same(a.learners, b.learners);
}

/** Result of applying a change: the new membership, or why the change is invalid. */
export type ConfChangeResult =
  | { readonly ok: true; readonly conf: ConfState }
  | { readonly ok: false; readonly error: string };

/** Applies one change to `conf`, refusing changes that make no sense for that membership. */
export function applyConfChange(conf: ConfState, change: ConfChange): ConfChangeResult {
  const fail = (error: string): ConfChangeResult => ({ ok: false, error });
  if (change.kind === 'bootstrap') {
    if (conf.voters.length > 0 || conf.learners.length > 0) return fail('bootstrap on a non-empty configuration');
    const all = [...change.conf.voters, ...change.conf.learners];
    if (change.conf.voters.length === 0) return fail('bootstrap without voters');
    if (new Set(all).size !== all.length) return fail('bootstrap with duplicate members');
    if (all.some((id) => !validNodeId(id))) return fail('bootstrap with an invalid node id');
    return { ok: true, conf: { voters: [...change.conf.voters], learners: [...change.conf.learners] } };
  }
  const node = change.node;
  if (!validNodeId(node)) return fail('invalid node id');
  const voter = conf.voters.includes(node);
  const learner = conf.learners.includes(node);
  switch (change.kind) {
    case 'addVoter':
      if (voter) return fail(`${node} is already a voter`);
      if (learner) return fail(`${node} is a learner; promote it instead`);
      return { ok: true, conf: { voters: [...conf.voters, node], learners: [...conf.learners] } };
    case 'addLearner':
      if (voter || learner) return fail(`${node} is already a member`);
      return { ok: true, conf: { voters: [...conf.voters], learners: [...conf.learners, node] } };
    case 'promoteLearner':
      if (!learner) return fail(`${node} is not a learner`);
      return {
        ok: true,
        conf: { voters: [...conf.voters, node], learners: conf.learners.filter((id) => id !== node) },
      };
    case 'removeNode':
      if (!voter && !learner) return fail(`${node} is not a member`);
      if (voter && conf.voters.length === 1) return fail(`${node} is the last voter`);
      return {
        ok: true,
        conf: { voters: conf.voters.filter((id) => id !== node), learners: conf.learners.filter((id) => id !== node) },
      };
  }
}

function validNodeId(id: NodeId): boolean {
  return typeof id === 'string' && id.length > 0 && textEncoder.encode(id).length <= NODE_ID_BYTES_MAX;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes a change for the `data` of a Config entry. */
export function encodeConfChange(change: ConfChange): Uint8Array {
  const parts: number[] = [FORMAT_VERSION, KIND_CODES[change.kind]];
  const pushU16 = (n: number) => parts.push((n >>> 8) & 0xff, n & 0xff);
  const pushId = (id: NodeId) => {
    const bytes = textEncoder.encode(id);
    if (bytes.length > NODE_ID_BYTES_MAX) throw new Error('node id too long');
    pushU16(bytes.length);
    for (const b of bytes) parts.push(b);
  };
  if (change.kind === 'bootstrap') {
    pushU16(change.conf.voters.length);
    for (const id of change.conf.voters) pushId(id);
    pushU16(change.conf.learners.length);
    for (const id of change.conf.learners) pushId(id);
  } else {
    pushId(change.node);
  }
  const context = change.context;
  const head = new Uint8Array(parts.length + 1 + (context ? 4 : 0));
  head.set(parts);
  if (!context) return head;
  head[parts.length] = 1;
  new DataView(head.buffer).setUint32(parts.length + 1, context.length);
  const out = new Uint8Array(head.length + context.length);
  out.set(head);
  out.set(context, head.length);
  return out;
}

/** Decodes a Config entry's data; returns null for anything malformed (never throws). */
export function decodeConfChange(data: Uint8Array): ConfChange | null {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  const u8 = (): number | null => (at + 1 <= data.length ? view.getUint8(at++) : null);
  const u16 = (): number | null => {
    if (at + 2 > data.length) return null;
    const v = view.getUint16(at);
    at += 2;
    return v;
  };
  const id = (): NodeId | null => {
    const len = u16();
    if (len === null || len === 0 || at + len > data.length) return null;
    try {
      const s = textDecoder.decode(data.subarray(at, at + len));
      at += len;
      return s;
    } catch {
      return null;
    }
  };
  const ids = (): NodeId[] | null => {
    const count = u16();
    if (count === null) return null;
    const out: NodeId[] = [];
    for (let i = 0; i < count; i++) {
      const one = id();
      if (one === null) return null;
      out.push(one);
    }
    return out;
  };
  if (u8() !== FORMAT_VERSION) return null;
  const code = u8();
  const kind = code === null ? undefined : KIND_BY_CODE[code];
  if (kind === undefined) return null;
  let change: ConfChange;
  if (kind === 'bootstrap') {
    const voters = ids();
    const learners = voters === null ? null : ids();
    if (voters === null || learners === null) return null;
    change = { kind, conf: { voters, learners } };
  } else {
    const node = id();
    if (node === null) return null;
    change = { kind, node };
  }
  const hasContext = u8();
  if (hasContext === 0) return at === data.length ? change : null;
  if (hasContext !== 1 || at + 4 > data.length) return null;
  const len = view.getUint32(at);
  at += 4;
  if (at + len !== data.length) return null;
  return { ...change, context: data.slice(at, at + len) };
}
