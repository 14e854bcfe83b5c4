/**
 * Test support for code that runs against real Keel members: in-process members on 127.0.0.1
 * with ephemeral ports and temporary data directories (one by one, or as a {@link TestCluster}
 * that owns its directory and stops with one call), a TCP proxy that cuts or stalls
 * connections, and waiting helpers. Exported as `@keel/server/testing`; not part of the server.
 */
export { startMember, startMembers, type TestMemberOptions, waitForLeader } from './members';
export { TcpProxy } from './tcp-proxy';
export { type TempDir, tempDir } from './temp-dir';
export { TestCluster } from './test-cluster';
export { waitFor } from './wait-for';
