// A service instance in its own process, for test/discovery.test.ts: registers itself with
// ServiceDiscovery (built client and recipes), prints "registered", then runs until killed.
// Arguments: <servers comma-separated> <base path> <service name> <instance id> <session timeout ms>.
import { connect } from '@keel/client';
import { ServiceDiscovery, serviceInstance } from '@keel/recipes';

const [servers, basePath, name, id, sessionTimeoutMs] = process.argv.slice(2);
const client = await connect({ servers: servers.split(','), sessionTimeoutMs: Number(sessionTimeoutMs) });
const discovery = new ServiceDiscovery(client, {
  basePath,
  thisInstance: serviceInstance({ name, id, address: '127.0.0.1', port: 8080, payload: { pid: process.pid } }),
});
await discovery.start();
process.stdout.write('registered\n');
setInterval(() => undefined, 60_000);
