import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/** The loopback address every chaos process and proxy binds to. */
export const loopbackHost = '127.0.0.1';

/** Ports are drawn from here up to the start of the kernel's ephemeral range. */
const drawnPortsLow = 10_000;
/** Tries per port before giving up (another process may hold a drawn port). */
const drawsPerPort = 50;

/**
 * Reserves `count` distinct free TCP ports on loopback by binding them all at once, then
 * releasing them. A member keeps its ports across restarts (its peers' proxies and the clients
 * point at them), so they are chosen up front instead of letting each process pick port 0.
 * They are drawn below the kernel's ephemeral range: a port from that range (what `listen(0)`
 * returns) could be handed to some client's outgoing connection while its member is down, and
 * the restart then failed with EADDRINUSE.
 */
export async function freePorts(count: number): Promise<number[]> {
  const high = ephemeralPortsStart();
  const reserved = new Map<number, Server>();
  try {
    for (let draws = 0; reserved.size < count; draws++) {
      if (draws >= count * drawsPerPort) {
        throw new Error(`no ${count} free ports between ${drawnPortsLow} and ${high} on ${loopbackHost}`);
      }
      const port = drawnPortsLow + Math.floor(Math.random() * (high - drawnPortsLow));
      if (reserved.has(port)) continue;
      const server = await bound(port);
      if (server !== null) reserved.set(port, server);
    }
    return [...reserved.keys()];
  } finally {
    await Promise.all(
      [...reserved.values()].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }
}

/** A server listening on `port`, or null if the port is taken. */
function bound(port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, loopbackHost, () => resolve(server));
  });
}

/** The first port of the kernel's ephemeral range (Linux), else the IANA default. */
export function ephemeralPortsStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > drawnPortsLow + 1024) return low;
  } catch {
    // Not Linux: fall through.
  }
  return 49_152;
}
