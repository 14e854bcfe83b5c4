// Goal: the runtime's small pure helpers behave exactly as RaftNode relies on them.
// Method: table-style checks of the snapshot envelope (round trip, truncation), membership
// changes applied to a configuration, matching forwarded changes, and request waiters (abort,
// timeout, settle once).
import { describe, expect, it } from 'vitest';
import { encodeConfChange } from '../../src/core/conf-change';
import { AbortedError, TimeoutError } from '../../src/runtime/errors';
import { addressOfEntry, changeVisibleIn, confAfterEntry, sameMemberChange } from '../../src/runtime/membership';
import { decodeSnapshotEnvelope, encodeSnapshotEnvelope } from '../../src/runtime/snapshot-envelope';
import { createWaiter } from '../../src/runtime/waiter';

describe('snapshot envelope', () => {
  it('round-trips addresses and application bytes', async () => {
    const addresses = new Map([
      ['n1', 'ws://127.0.0.1:4001'],
      ['ñ2', 'ws://127.0.0.1:4002'],
    ]);
    const appData = new Uint8Array([1, 2, 3, 250]);
    const decoded = decodeSnapshotEnvelope(await encodeSnapshotEnvelope(addresses, appData));
    expect([...decoded.addresses]).toEqual([...addresses]);
    expect([...decoded.appData]).toEqual([...appData]);
  });

  it('copies application data larger than one copy slice intact', async () => {
    const appData = new Uint8Array(20 * 1024 * 1024 + 5).map((_, i) => i % 251);
    const decoded = decodeSnapshotEnvelope(await encodeSnapshotEnvelope(new Map([['n1', 'ws://h:1']]), appData));
    expect(Buffer.from(decoded.appData).equals(Buffer.from(appData))).toBe(true);
  });

  it('takes the application data as chunks and gives the same bytes as one buffer', async () => {
    const appData = new Uint8Array(3 * 1024 * 1024 + 77).map((_, i) => (i * 7) % 253);
    const addresses = new Map([['n1', 'ws://h:1']]);
    // Chunks that cross the copy slices at odd places, and empty ones.
    const cuts = [0, 1, 1, 300_000, 1_048_576, 1_048_577, 2_500_000, appData.length];
    const chunks = cuts.slice(1).map((end, i) => appData.subarray(cuts[i], end));
    const whole = await encodeSnapshotEnvelope(addresses, appData);
    const chunked = await encodeSnapshotEnvelope(addresses, chunks);
    expect(Buffer.from(chunked).equals(Buffer.from(whole))).toBe(true);
    expect(await encodeSnapshotEnvelope(addresses, [])).toEqual(
      await encodeSnapshotEnvelope(addresses, new Uint8Array()),
    );
  });

  it('round-trips an empty address map and empty data', async () => {
    const decoded = decodeSnapshotEnvelope(await encodeSnapshotEnvelope(new Map(), new Uint8Array()));
    expect(decoded.addresses.size).toBe(0);
    expect(decoded.appData.length).toBe(0);
  });

  it('refuses truncated bytes and unknown versions', async () => {
    const bytes = await encodeSnapshotEnvelope(new Map([['n1', 'ws://127.0.0.1:1']]), new Uint8Array());
    expect(() => decodeSnapshotEnvelope(bytes.subarray(0, bytes.length - 3))).toThrow(RangeError);
    const wrongVersion = bytes.slice();
    wrongVersion[0] = 9;
    expect(() => decodeSnapshotEnvelope(wrongVersion)).toThrow(/version/);
  });
});

describe('membership', () => {
  const base = { voters: ['a', 'b', 'c'], learners: [] };
  const url = 'ws://127.0.0.1:9';
  const context = new TextEncoder().encode(url);

  it('follows a learner being added, promoted, then a voter removed', () => {
    const withLearner = confAfterEntry(base, encodeConfChange({ kind: 'addLearner', node: 'd', context }));
    expect(withLearner).toEqual({ voters: ['a', 'b', 'c'], learners: ['d'] });
    const promoted = confAfterEntry(withLearner, encodeConfChange({ kind: 'promoteLearner', node: 'd' }));
    expect(promoted).toEqual({ voters: ['a', 'b', 'c', 'd'], learners: [] });
    expect(confAfterEntry(promoted, encodeConfChange({ kind: 'removeNode', node: 'a' }))).toEqual({
      voters: ['b', 'c', 'd'],
      learners: [],
    });
  });

  it('leaves the membership unchanged for garbage or an invalid change', () => {
    expect(confAfterEntry(base, new Uint8Array([7, 7, 7]))).toBe(base);
    expect(confAfterEntry(base, encodeConfChange({ kind: 'promoteLearner', node: 'zz' }))).toBe(base);
  });

  it('reads the address a change carries', () => {
    expect(addressOfEntry(encodeConfChange({ kind: 'addLearner', node: 'd', context }))).toEqual({ node: 'd', url });
    expect(addressOfEntry(encodeConfChange({ kind: 'promoteLearner', node: 'd' }))).toBeNull();
    expect(addressOfEntry(new Uint8Array([1]))).toBeNull();
  });

  it('matches a forwarded change with the applied one: kind, member and address bytes', () => {
    const forwarded = { kind: 'addLearner', node: 'd', context } as const;
    expect(sameMemberChange(forwarded, { kind: 'addLearner', node: 'd', context: context.slice() })).toBe(true);
    expect(sameMemberChange(forwarded, { kind: 'addLearner', node: 'd' })).toBe(false);
    expect(sameMemberChange(forwarded, { kind: 'addLearner', node: 'd', context: new Uint8Array([1]) })).toBe(false);
    expect(sameMemberChange(forwarded, { kind: 'addVoter', node: 'd', context })).toBe(false);
    expect(sameMemberChange(forwarded, { kind: 'addLearner', node: 'e', context })).toBe(false);
    expect(sameMemberChange({ kind: 'removeNode', node: 'a' }, { kind: 'removeNode', node: 'a' })).toBe(true);
    expect(sameMemberChange({ kind: 'removeNode', node: 'a' }, { kind: 'bootstrap', conf: base })).toBe(false);
  });

  it('tells whether a configuration shows the effect a change asks for (after a snapshot)', () => {
    const conf = { voters: ['a', 'b'], learners: ['l'] };
    expect(changeVisibleIn(conf, { kind: 'addLearner', node: 'l' })).toBe(true);
    expect(changeVisibleIn(conf, { kind: 'addLearner', node: 'a' })).toBe(true);
    expect(changeVisibleIn(conf, { kind: 'addLearner', node: 'x' })).toBe(false);
    expect(changeVisibleIn(conf, { kind: 'promoteLearner', node: 'l' })).toBe(false);
    expect(changeVisibleIn(conf, { kind: 'addVoter', node: 'b' })).toBe(true);
    expect(changeVisibleIn(conf, { kind: 'removeNode', node: 'x' })).toBe(true);
    expect(changeVisibleIn(conf, { kind: 'removeNode', node: 'l' })).toBe(false);
  });
});

describe('waiter', () => {
  it('settles once and reports it', async () => {
    let settles = 0;
    const { promise, waiter } = createWaiter<number>({ onSettle: () => settles++ });
    waiter.resolve(1);
    waiter.reject(new Error('late'));
    waiter.resolve(2);
    await expect(promise).resolves.toBe(1);
    expect(waiter.settled).toBe(true);
    expect(settles).toBe(1);
  });

  it('rejects with AbortedError when the signal fires, even if already aborted', async () => {
    const controller = new AbortController();
    const first = createWaiter<void>({ signal: controller.signal });
    controller.abort();
    await expect(first.promise).rejects.toBeInstanceOf(AbortedError);
    const second = createWaiter<void>({ signal: controller.signal });
    await expect(second.promise).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('rejects with TimeoutError when the timeout passes', async () => {
    const { promise } = createWaiter<void>({ timeout: { ms: 5, what: 'thing' } });
    await expect(promise).rejects.toBeInstanceOf(TimeoutError);
  });

  it('arms a timeout later (a request forwarded to the leader), never on a settled waiter', async () => {
    const later = createWaiter<void>();
    later.waiter.armTimeout(5, 'forwarded thing');
    await expect(later.promise).rejects.toThrow(/forwarded thing did not complete within 5 ms/);
    const settled = createWaiter<void>();
    settled.waiter.resolve();
    settled.waiter.armTimeout(1, 'x');
    await expect(settled.promise).resolves.toBeUndefined();
  });
});
