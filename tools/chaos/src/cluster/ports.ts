import { createServer, type Server } from 'node:net';

/** The loopback address every chaos process and proxy binds to. */
export const loopbackHost = '127.0.0.1';

/**
 * Reserves `count` distinct free TCP ports on loopback by binding them all at once, then
 * releasing them. A member keeps its ports across restarts (its peers' proxies and the clients
 * point at them), so they are chosen up front instead of letting each process pick port 0.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, loopbackHost, () => resolve());
      });
    }
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('a reserved port has no TCP address');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
