/**
 * The runtime's own view of membership and peer addresses, as of the last applied entry.
 *
 * The core tracks the configuration it votes and replicates with; the runtime needs the one
 * that matches the state machine (to stamp its snapshots) and the members' addresses, which
 * travel in each change's `context`.
 */
import { applyConfChange, decodeConfChange } from '../core/conf-change';
import type { ConfChange, ConfState, MemberChange, NodeId } from '../core/types';

const decoder = new TextDecoder();

/**
 * The membership after applying a Config entry's payload to `conf`. A payload that does not
 * decode or does not apply leaves the membership unchanged, exactly as the core treats it.
 */
export function confAfterEntry(conf: ConfState, data: Uint8Array): ConfState {
  const change = decodeConfChange(data);
  if (change === null) return conf;
  const result = applyConfChange(conf, change);
  return result.ok ? result.conf : conf;
}

/** The peer address a change carries in its `context` (UTF-8 URL), if any. */
export function addressOf(change: ConfChange): { node: NodeId; url: string } | null {
  if (change.kind === 'bootstrap' || change.context === undefined || change.context.length === 0) {
    return null;
  }
  return { node: change.node, url: decoder.decode(change.context) };
}

/** The peer address carried by a Config entry's payload, if any. */
export function addressOfEntry(data: Uint8Array): { node: NodeId; url: string } | null {
  const change = decodeConfChange(data);
  return change === null ? null : addressOf(change);
}

/** True if both describe the same change (kind, member and address bytes). */
export function sameMemberChange(a: MemberChange, b: ConfChange): boolean {
  if (b.kind === 'bootstrap' || a.kind !== b.kind || a.node !== b.node) return false;
  const x = a.context ?? empty;
  const y = b.context ?? empty;
  return x.length === y.length && x.every((byte, i) => byte === y[i]);
}

/**
 * True if `conf` shows the effect `change` asks for (used when a snapshot skips the entries
 * themselves: the requested membership holds, whoever made it so).
 */
export function changeVisibleIn(conf: ConfState, change: MemberChange): boolean {
  const voter = conf.voters.includes(change.node);
  switch (change.kind) {
    case 'addLearner':
      return voter || conf.learners.includes(change.node);
    case 'addVoter':
    case 'promoteLearner':
      return voter;
    case 'removeNode':
      return !voter && !conf.learners.includes(change.node);
  }
}

const empty = new Uint8Array(0);
