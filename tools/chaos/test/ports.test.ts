// Goal: the ports a chaos cluster keeps across member restarts are distinct, free, and below the
// kernel's ephemeral range, so no outgoing connection can take one while its member is down.
// Method: reserve real ports, then bind each one again; read the range from /proc where present.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralPortsStart, freePorts, loopbackHost } from '../src/cluster/ports';

describe('freePorts', () => {
  it('returns distinct free ports below the ephemeral range', async () => {
    const ports = await freePorts(12);
    expect(new Set(ports).size).toBe(12);
    for (const port of ports) {
      expect(port).toBeLessThan(ephemeralPortsStart());
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, loopbackHost, () => resolve());
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
