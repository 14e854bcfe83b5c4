/**
 * Goal: membership changes are validated, applied one server at a time and survive encoding.
 * Method: table tests of `applyConfChange`, round trips through the byte encoding, and
 * malformed byte strings that must decode to null instead of throwing.
 */
import { describe, expect, it } from 'vitest';
import { applyConfChange, decodeConfChange, emptyConfState, encodeConfChange } from '../../src/core/conf-change';
import type { ConfChange, ConfState } from '../../src/core/types';

const conf: ConfState = { voters: ['a', 'b'], learners: ['l'] };

describe('conf change', () => {
  it.each([
    [
      { kind: 'addVoter', node: 'c' },
      { voters: ['a', 'b', 'c'], learners: ['l'] },
    ],
    [
      { kind: 'addLearner', node: 'm' },
      { voters: ['a', 'b'], learners: ['l', 'm'] },
    ],
    [
      { kind: 'promoteLearner', node: 'l' },
      { voters: ['a', 'b', 'l'], learners: [] },
    ],
    [
      { kind: 'removeNode', node: 'a' },
      { voters: ['b'], learners: ['l'] },
    ],
    [
      { kind: 'removeNode', node: 'l' },
      { voters: ['a', 'b'], learners: [] },
    ],
  ] as const)('applies %j', (change, expected) => {
    expect(applyConfChange(conf, change as ConfChange)).toEqual({ ok: true, conf: expected });
  });

  it.each([
    { kind: 'addVoter', node: 'a' },
    { kind: 'addVoter', node: 'l' },
    { kind: 'addLearner', node: 'b' },
    { kind: 'promoteLearner', node: 'a' },
    { kind: 'promoteLearner', node: 'zz' },
    { kind: 'removeNode', node: 'zz' },
    { kind: 'addVoter', node: '' },
    { kind: 'bootstrap', conf: { voters: ['x'], learners: [] } },
  ] as const)('refuses %j', (change) => {
    expect(applyConfChange(conf, change as ConfChange).ok).toBe(false);
  });

  it('refuses removing the last voter and bootstraps only an empty configuration', () => {
    expect(applyConfChange({ voters: ['a'], learners: [] }, { kind: 'removeNode', node: 'a' }).ok).toBe(false);
    expect(applyConfChange(emptyConfState, { kind: 'bootstrap', conf: { voters: [], learners: [] } }).ok).toBe(false);
    expect(applyConfChange(emptyConfState, { kind: 'bootstrap', conf: { voters: ['a', 'a'], learners: [] } }).ok).toBe(
      false,
    );
    expect(applyConfChange(emptyConfState, { kind: 'bootstrap', conf })).toEqual({ ok: true, conf });
  });

  it.each<ConfChange>([
    { kind: 'bootstrap', conf: { voters: ['n1', 'n2', 'ünï'], learners: ['n9'] } },
    { kind: 'addVoter', node: 'n4', context: new TextEncoder().encode('ws://127.0.0.1:9000') },
    { kind: 'addLearner', node: 'n5' },
    { kind: 'promoteLearner', node: 'n5', context: new Uint8Array(0) },
    { kind: 'removeNode', node: 'n1' },
  ])('round-trips %j', (change) => {
    expect(decodeConfChange(encodeConfChange(change))).toEqual(change);
  });

  it('decodes malformed bytes to null', () => {
    const good = encodeConfChange({ kind: 'addVoter', node: 'n4', context: new Uint8Array([1, 2, 3]) });
    for (let cut = 0; cut < good.length; cut++) expect(decodeConfChange(good.subarray(0, cut))).toBeNull();
    expect(decodeConfChange(new Uint8Array([1, 99, 0]))).toBeNull();
    expect(decodeConfChange(new Uint8Array([2, 1, 0, 1, 65, 0]))).toBeNull();
    expect(decodeConfChange(new Uint8Array([1, 1, 0, 1, 0xff, 0]))).toBeNull();
    expect(decodeConfChange(new Uint8Array([...good, 0]))).toBeNull();
  });
});
