// Goal: an ephemeral node vanishes once its owner dies without closing its session (kill -9),
// after the session timeout, and not at once: right after the kill it is still there.
// Method: the shared three-member cluster of keel-server processes; a separate node process (fixture
// ephemeral-owner.mjs, on the built @keel/client) connects to a follower, creates an ephemeral
// node and waits; the test kills it with SIGKILL, checks the node still exists, then polls
// (through another client, linearizable reads) until the leader has expired the session.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeelClient } from '@keel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clients, type MemberAddress, rolesOf, waitUntil } from './support/cluster';
import { sharedMembers } from './support/shared';

const ownerScript = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ephemeral-owner.mjs');
// The fixture runs in plain node, so it loads the client's build, not its sources.
const clientBuild = join(
  dirname(createRequire(import.meta.url).resolve('@keel/client/package.json')),
  'dist',
  'index.js',
);
/** The members' shortest (default bounds): still long against the moments between the kill and the first check. */
const sessionTimeoutMs = 4_000;

let members: MemberAddress[];
let clients: Clients;
let observer: KeelClient;
let owner: ChildProcess | null = null;

beforeAll(async () => {
  if (!existsSync(clientBuild)) throw new Error(`${clientBuild} is missing: build it (npx nx run @keel/client:build)`);
  members = sharedMembers();
  clients = new Clients(members);
  observer = await clients.on((await rolesOf(members)).leader);
});

afterAll(async () => {
  owner?.kill('SIGKILL');
  await clients?.closeAll();
});

/** Starts the owner process; resolves with what it printed once its node exists. */
function startOwner(servers: string, path: string): Promise<{ sessionId: string; path: string }> {
  const child = spawn(process.execPath, [ownerScript, servers, path, String(sessionTimeoutMs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  owner = child;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line !== undefined) resolve(JSON.parse(line));
    });
    child.once('exit', (code, signal) => reject(new Error(`owner exited (${code ?? signal}): ${stderr}`)));
  });
}

describe('ephemerals of a killed client', () => {
  it('stay until the session times out, then vanish', async () => {
    const { followers } = await rolesOf(members);
    const printed = await startOwner(clients.urlOf(followers[0]), '/owned');
    const stat = await observer.exists('/owned', { linearizable: true });
    expect(stat?.ephemeralOwner).toBe(printed.sessionId);

    const exited = new Promise((resolve) => owner?.once('exit', resolve));
    owner?.kill('SIGKILL');
    await exited;
    // Killed, but the session lives until its timeout: the node is still there.
    await observer.sync('/owned');
    expect((await observer.exists('/owned'))?.ephemeralOwner).toBe(printed.sessionId);

    await waitUntil(
      'the killed owner session expires',
      async () => {
        await observer.sync('/owned');
        return (await observer.exists('/owned')) === null;
      },
      60_000,
    );
  });
});
