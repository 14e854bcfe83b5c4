/**
 * A three-member Keel Raft cluster in one process, for a first look: members on 127.0.0.1
 * with their logs under `./data/demo-<id>`, a replicated key-value map as the state machine.
 * It proposes a few commands, prints the leader and every member's committed state, then
 * keeps running (printing leader changes) until Ctrl-C, when it stops every member cleanly.
 *
 * Run again and it restarts from the same directories: the state survives.
 */
import { resolve } from 'node:path';
import { NotLeaderError } from '../runtime/errors';
import { encodeKvCommand, type KvCommand, KvStateMachine } from './kv-state-machine';
import { type LocalMember, startLocalCluster, waitForLeader } from './local-cluster';

const ids = ['n1', 'n2', 'n3'];
const dataDir = resolve('data');
const startupWaitMs = 30_000;

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const stateMachines = new Map<string, KvStateMachine>();
  // Directories are ./data/demo-n1 ... so the demo never touches another tool's data.
  const members = await startLocalCluster<string | null>({
    ids,
    baseDir: dataDir,
    clusterSecret: 'keel-demo-secret',
    snapshotEveryEntries: 1_000,
    createStateMachine: (id) => {
      const machine = new KvStateMachine();
      stateMachines.set(id, machine);
      return machine;
    },
    dirFor: (id) => `demo-${id}`,
  });
  for (const member of members.values()) print(`member ${member.id} listening on ${member.url} (log in ${member.dir})`);

  let leader = await waitForLeader(members.values(), startupWaitMs);
  print(`leader: ${leader.id} (term ${leader.node.leaderInfo().term})`);

  const commands: KvCommand[] = [
    { op: 'set', key: 'greeting', value: 'hello from keel' },
    { op: 'incr', key: 'runs' },
    { op: 'incr', key: 'counter', by: 10 },
    { op: 'incr', key: 'counter', by: 5 },
    { op: 'set', key: 'started-at', value: new Date().toISOString() },
  ];
  for (const command of commands) {
    const result = await proposeToLeader(members, command);
    print(`committed ${JSON.stringify(command)} -> ${JSON.stringify(result)}`);
  }

  // A follower answers reads locally after a ReadIndex round, so it sees every write above.
  leader = await waitForLeader(members.values(), startupWaitMs);
  for (const member of members.values()) {
    await member.node.readIndex();
    const machine = stateMachines.get(member.id);
    const state = Object.fromEntries(machine?.entries() ?? []);
    const role = member.node.isLeader() ? 'leader  ' : 'follower';
    print(`${member.id} ${role} applied=${member.node.status().appliedIndex} state=${JSON.stringify(state)}`);
  }

  for (const member of members.values()) {
    member.node.on('leaderChange', ({ leader: next, term }) => {
      if (member.id === next) print(`${member.id} became leader in term ${term}`);
    });
  }
  print('cluster running; press Ctrl-C to stop');

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    print(`${signal}: stopping members...`);
    await Promise.all([...members.values()].map((member) => member.node.stop()));
    print('stopped cleanly');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** Proposes through the current leader, following NotLeader redirects while an election settles. */
async function proposeToLeader(
  members: ReadonlyMap<string, LocalMember<string | null>>,
  command: KvCommand,
): Promise<string | null> {
  const deadline = Date.now() + startupWaitMs;
  for (;;) {
    const leader = await waitForLeader(members.values(), startupWaitMs);
    try {
      return await leader.node.propose(encodeKvCommand(command));
    } catch (error) {
      if (!(error instanceof NotLeaderError) || Date.now() > deadline) throw error;
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
