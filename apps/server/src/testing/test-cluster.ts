import type { KeelServer } from '../server/keel-server';
import type { KeelServerOptions } from '../server/options';
import { startMembers, waitForLeader } from './members';
import { tempDir } from './temp-dir';

/**
 * In-process members that own a temporary directory: what a test starts in its set-up and
 * stops in its tear-down with one call each. Each member's data directory is `<dir>/<id>`.
 */
export class TestCluster {
  private constructor(
    /** The temporary directory holding the members' data directories. */
    readonly dir: string,
    /**
     * The running members, in the order of their ids. A test may replace or add members here
     * (a restarted or joining one) so that {@link TestCluster.stop} stops them too.
     */
    readonly servers: KeelServer[],
    private readonly removeDir: () => Promise<void>,
  ) {}

  /**
   * Creates a temporary directory named after `prefix` and starts one member per id in it as
   * {@link startMembers} does (one id: a single-member cluster), waiting until they agree on a
   * leader. If they do not start, the directory is removed before the error is thrown.
   */
  static async start(
    ids: readonly string[],
    overrides: Partial<KeelServerOptions> = {},
    prefix = 'keel-test-',
  ): Promise<TestCluster> {
    const temp = await tempDir(prefix);
    try {
      return new TestCluster(temp.dir, await startMembers(temp.dir, ids, overrides), temp.cleanup);
    } catch (error) {
      await temp.cleanup();
      throw error;
    }
  }

  /** Waits until one member leads and every member knows it; returns it. */
  leader(): Promise<KeelServer> {
    return waitForLeader(this.servers);
  }

  /** Stops every member in {@link TestCluster.servers} (stopping one twice is harmless), then removes the directory. */
  async stop(): Promise<void> {
    for (const server of this.servers) await server.stop();
    await this.removeDir();
  }
}
