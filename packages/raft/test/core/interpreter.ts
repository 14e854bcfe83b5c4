/**
 * Runs scenario scripts against a `Cluster`. A script is a sequence of blocks:
 *
 *     # optional comments
 *     > command args
 *     expected output line
 *     ...
 *
 * After every command each member's Ready is handled (persist, queue messages, apply), and
 * what happened is printed. `runScenario` returns the script rewritten with actual output.
 */
import { Raft } from '../../src/core/raft';
import type { ConfChange, NodeId, SubmitResult } from '../../src/core/types';
import { Cluster, formatConf, formatEntry, type NodeOptions } from './harness';

const encoder = new TextEncoder();

interface Block {
  readonly comments: string[];
  readonly command: string;
  readonly expected: string[];
}

export function parseScenario(text: string): Block[] {
  const blocks: Block[] = [];
  let comments: string[] = [];
  let current: { comments: string[]; command: string; expected: string[] } | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.startsWith('> ')) {
      current = { comments, command: line.slice(2).trim(), expected: [] };
      blocks.push(current);
      comments = [];
    } else if (line.startsWith('#') || line === '') {
      if (line !== '') comments.push(line);
      if (line === '') current = null;
    } else if (current !== null) {
      current.expected.push(line);
    } else {
      throw new Error(`scenario: output line outside a block: ${line}`);
    }
  }
  return blocks;
}

/** Runs a script; returns the text with actual outputs (equal to the input when it passes). */
export function runScenario(text: string): string {
  const cluster = new Cluster();
  const parts: string[] = [];
  for (const block of parseScenario(text)) {
    let output: string[];
    try {
      output = execute(cluster, block.command);
    } catch (error) {
      output = [...cluster.takeOutput(), `error: ${(error as Error).message}`];
    }
    if (output.length === 0) output = ['ok'];
    parts.push([...block.comments, `> ${block.command}`, ...output].join('\n'));
  }
  return `${parts.join('\n\n')}\n`;
}

function parseArgs(words: readonly string[]): { positional: string[]; named: Map<string, string> } {
  const positional: string[] = [];
  const named = new Map<string, string>();
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq > 0) named.set(word.slice(0, eq), word.slice(eq + 1));
    else positional.push(word);
  }
  return { positional, named };
}

function list(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .replace(/[()]/g, '')
    .split(',')
    .filter((s) => s.length > 0);
}

function nodeOptions(named: Map<string, string>): NodeOptions {
  const options: { -readonly [K in keyof NodeOptions]: NodeOptions[K] } = {};
  const num = (key: string) => (named.has(key) ? Number(named.get(key)) : undefined);
  const bool = (key: string) => (named.has(key) ? named.get(key) === 'true' : undefined);
  const set = <K extends keyof NodeOptions>(key: K, value: NodeOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('electionTicks', num('election'));
  set('heartbeatTicks', num('heartbeat'));
  set('preVote', bool('prevote'));
  set('checkQuorum', bool('checkquorum'));
  set('leaseReads', bool('lease'));
  set('maxInflightAppends', num('inflight'));
  set('maxEntriesPerAppend', num('max-entries'));
  set('maxAppendBytes', num('max-bytes'));
  set('snapshotChunkBytes', num('chunk'));
  return options;
}

function execute(cluster: Cluster, command: string): string[] {
  const [verb, ...rest] = command.split(/\s+/);
  const { positional, named } = parseArgs(rest);
  const quiet = positional.includes('quiet');
  const arg = (i: number): string => {
    const value = positional[i];
    if (value === undefined) throw new Error(`${verb}: missing argument ${i + 1}`);
    return value;
  };
  switch (verb) {
    case 'add-nodes': {
      // First call: a bootstrapped cluster. With `join`: empty members waiting for a leader.
      const count = Number(arg(0));
      const start = cluster.nodes.size + 1;
      const ids = Array.from({ length: count }, (_, i) => `n${start + i}`);
      const join = positional.includes('join');
      const voters = named.has('voters') ? list(named.get('voters')) : ids;
      const conf = { voters, learners: list(named.get('learners')) };
      for (const [i, id] of ids.entries()) {
        const initial = join
          ? { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] }
          : Raft.bootstrap(conf);
        cluster.add(id, initial, nodeOptions(named), start + i);
      }
      cluster.print(join ? `joined ${ids.join(',')}` : `bootstrapped ${ids.join(',')} ${formatConf(conf)}`);
      break;
    }
    case 'campaign':
      cluster.node(arg(0)).raft.campaign();
      break;
    case 'tick': {
      const times = Number((positional[1] ?? 'x1').replace('x', ''));
      const targets = arg(0) === 'all' ? [...cluster.nodes.keys()] : [arg(0)];
      for (let i = 0; i < times; i++) for (const id of targets) cluster.node(id).raft.tick();
      break;
    }
    case 'propose': {
      const result = cluster.node(arg(0)).raft.propose(encoder.encode(positional.slice(1).join(' ')));
      cluster.print(result.ok ? `proposed ${result.index}@${result.term}` : `refused ${result.reason}`);
      break;
    }
    case 'propose-conf': {
      const kind = arg(1) as ConfChange['kind'];
      const change = { kind, node: arg(2) } as ConfChange;
      const result = cluster.node(arg(0)).raft.proposeConfChange(change);
      cluster.print(result.ok ? `proposed ${result.index}@${result.term}` : `refused ${result.reason}`);
      break;
    }
    case 'transfer': {
      const result = cluster.node(arg(0)).raft.transferLeadership(arg(1));
      cluster.print(result.ok ? 'transfer started' : `refused ${result.reason}`);
      break;
    }
    case 'submit': {
      const result = cluster.node(arg(0)).raft.submit(encoder.encode(positional.slice(1).join(' ')));
      cluster.print(formatSubmit(result));
      break;
    }
    case 'submit-conf': {
      const change = { kind: arg(1), node: arg(2) } as ConfChange;
      cluster.print(formatSubmit(cluster.node(arg(0)).raft.submitConfChange(change)));
      break;
    }
    case 'submit-transfer':
      cluster.print(formatSubmit(cluster.node(arg(0)).raft.submitTransfer(arg(1))));
      break;
    case 'read-index':
      cluster.node(arg(0)).raft.readIndex(arg(1));
      break;
    case 'compact': {
      const snapshot = cluster.node(arg(0)).compact(Number(arg(1)));
      cluster.print(`${arg(0)}: compacted to ${snapshot.meta.index}@${snapshot.meta.term}`);
      break;
    }
    case 'restart':
      cluster.node(arg(0)).restart();
      cluster.print(`${arg(0)}: restarted`);
      break;
    case 'deliver': {
      const from = named.get('from');
      const to = named.get('to');
      const type = named.get('type');
      const drop = new Set<NodeId>(list(named.get('drop')));
      cluster.deliver(
        (m) =>
          (from === undefined || m.from === from) &&
          (to === undefined || m.to === to) &&
          (type === undefined || m.type === type),
        drop,
        quiet,
      );
      break;
    }
    case 'drop-all':
      cluster.print(`dropped ${cluster.network.length} messages`);
      cluster.network = [];
      break;
    case 'stabilize':
      cluster.stabilize(quiet);
      break;
    case 'elapse': {
      // Time passes with a working network: every member ticks, then everything settles.
      const times = Number(arg(0));
      for (let i = 0; i < times; i++) {
        for (const node of cluster.nodes.values()) node.raft.tick();
        cluster.stabilize(true);
      }
      break;
    }
    case 'partition': {
      const groups = rest
        .join(' ')
        .split('|')
        .map((g) =>
          g
            .trim()
            .split(/\s+/)
            .filter((s) => s.length > 0),
        );
      cluster.partition(groups);
      break;
    }
    case 'heal':
      cluster.heal();
      break;
    case 'status':
      for (const id of positional.length > 0 ? positional : [...cluster.nodes.keys()])
        cluster.print(statusLine(cluster, id));
      break;
    case 'progress': {
      const progress = cluster.node(arg(0)).raft.status().progress;
      if (progress === null) cluster.print('not leader');
      else {
        for (const [id, pr] of progress) {
          cluster.print(
            `${id}: ${pr.state} match=${pr.match} next=${pr.next}${pr.inflight > 0 ? ` inflight=${pr.inflight}` : ''}${pr.learner ? ' learner' : ''}`,
          );
        }
      }
      break;
    }
    case 'log': {
      const node = cluster.node(arg(0));
      const status = node.raft.status();
      cluster.print(`snapshot=${status.snapshotIndex} entries:`);
      for (const entry of node.storage.entries) cluster.print(`  ${formatEntry(entry)}`);
      break;
    }
    case 'state':
      cluster.print(
        `${arg(0)}: applied=${cluster.node(arg(0)).appliedIndex} ${JSON.stringify(cluster.node(arg(0)).applied)}`,
      );
      break;
    default:
      throw new Error(`unknown command ${verb}`);
  }
  if (verb !== 'status' && verb !== 'log' && verb !== 'progress' && verb !== 'state') cluster.processAll(quiet);
  return cluster.takeOutput();
}

function statusLine(cluster: Cluster, id: NodeId): string {
  const s = cluster.node(id).raft.status();
  return (
    `${id}: ${s.role} t${s.term} vote=${s.vote ?? '-'} leader=${s.leader ?? '-'} commit=${s.commit} applied=${s.applied} ` +
    `log=[${s.firstIndex},${s.lastIndex}] ${formatConf(s.conf)}${s.transferringTo ? ` transferring=${s.transferringTo}` : ''}`
  );
}

function formatSubmit(result: SubmitResult): string {
  if (!result.ok) return `refused ${result.reason}`;
  if (result.forwardedTo !== null) return `forwarded to ${result.forwardedTo}`;
  return `proposed ${result.index}@${result.term}`;
}
