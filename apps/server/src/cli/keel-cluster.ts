#!/usr/bin/env node
/**
 * `keel-cluster` (`npm run cluster`): starts a cluster of `keel-server` processes on loopback,
 * waits until each one's /health is ready, prints the connection string, forwards the members'
 * logs with their id in front, and stops them all on Ctrl-C / SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  type ClusterOptions,
  clusterUsage,
  connectionString,
  type MemberPlan,
  parseClusterArgs,
  planCluster,
} from './cluster-plan';
import { ConfigError, configExitCode } from './config-errors';
import { formatMemberLine } from './member-log-line';

/** Longest the cluster may take to become ready before the runner gives up. */
const readyWaitMs = 60_000;

/** Pause between two /health polls of a member. */
const healthPollMs = 200;

interface RunningMember {
  readonly plan: MemberPlan;
  readonly child: ChildProcess;
  readonly exited: Promise<number>;
}

function main(): void {
  let options: ClusterOptions | null;
  try {
    options = parseClusterArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n\n${clusterUsage}`);
    process.exitCode = configExitCode;
    return;
  }
  if (options === null) {
    process.stdout.write(clusterUsage);
    return;
  }
  const plan = planCluster(options);
  // One secret per run, shared through the environment so it never shows in `ps`.
  const secret = randomBytes(24).toString('base64url');
  const serverBin = join(dirname(realpathSync(process.argv[1] ?? '.')), 'keel-server.js');
  const members = plan.map((member) => startMember(member, serverBin, secret));
  let stopping = false;

  const stopAll = async (reason: string, exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say(`stopping the cluster (${reason})`);
    for (const member of members) member.child.kill('SIGTERM');
    const codes = await Promise.all(members.map((member) => member.exited));
    const failed = codes.some((code) => code !== 0);
    say(failed ? `stopped; exit codes ${codes.join(', ')}` : 'stopped');
    process.exit(failed ? 1 : exitCode);
  };
  for (const member of members) {
    void member.exited.then((code) => {
      if (!stopping) void stopAll(`${member.plan.id} exited with code ${code}`, 1);
    });
  }
  process.on('exit', () => {
    // The members run in their own process groups (so Ctrl-C reaches only this runner, which
    // stops them in order); never leave them behind if the runner dies another way.
    for (const member of members) if (member.child.exitCode === null) member.child.kill('SIGKILL');
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stopping) {
      void stopAll(signal, 0);
      return;
    }
    say(`second ${signal}: killing the members`);
    for (const member of members) member.child.kill('SIGKILL');
    process.exit(1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  say(`starting ${plan.length} members (data in ${options.dataDir})`);
  waitReady(plan).then(
    () => {
      if (stopping) return;
      say(`cluster ready: ${plan.length} members`);
      for (const member of plan) say(`  ${member.id}: client ${member.clientUrl}  admin ${member.adminUrl}`);
      say(`connection string: ${connectionString(plan)}`);
      say('Ctrl-C stops the cluster');
    },
    (error: unknown) => void stopAll(error instanceof Error ? error.message : String(error), 1),
  );
}

function startMember(plan: MemberPlan, serverBin: string, secret: string): RunningMember {
  const child = spawn(process.execPath, [serverBin, ...plan.args], {
    env: { ...process.env, KEEL_CLUSTER_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const forward = (stream: NodeJS.ReadableStream | null, to: NodeJS.WriteStream): void => {
    if (stream === null) return;
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
      to.write(`${formatMemberLine(plan.id, line)}\n`);
    });
  };
  forward(child.stdout, process.stdout);
  forward(child.stderr, process.stderr);
  const exited = new Promise<number>((resolve) => {
    // A member killed by a signal reports the shell's 128 + signal number.
    child.once('exit', (code, signal) =>
      resolve(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0))),
    );
    child.once('error', (error) => {
      say(`${plan.id} could not start: ${error.message}`);
      resolve(1);
    });
  });
  return { plan, child, exited };
}

async function waitReady(plan: readonly MemberPlan[]): Promise<void> {
  const deadline = Date.now() + readyWaitMs;
  const pending = new Set(plan);
  while (pending.size > 0) {
    for (const member of [...pending]) if (await isReady(member.adminUrl)) pending.delete(member);
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      const names = [...pending].map((member) => member.id).join(', ');
      throw new Error(`not ready within ${readyWaitMs / 1000} s: ${names}`);
    }
    await new Promise((resolve) => setTimeout(resolve, healthPollMs));
  }
}

async function isReady(adminUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${adminUrl}/health`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

function say(message: string): void {
  process.stdout.write(`keel-cluster | ${message}\n`);
}

main();
