// ServiceDiscovery: register instances, query them, pick one with a provider.
// Run: npx tsx --conditions=@keel/source examples/service-discovery.ts
import { RoundRobinStrategy, ServiceDiscovery, serviceInstance } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const client = await connectToKeel();
const discovery = new ServiceDiscovery<{ zone: string }>(client, { basePath: `/examples/${run}/services` });
await discovery.start();
for (const port of [8080, 8081]) {
  await discovery.registerService(
    serviceInstance({
      name: 'api',
      address: '127.0.0.1',
      port,
      payload: { zone: 'eu' },
      uriSpec: '{scheme}://{address}:{port}',
    }),
  );
}
console.log('services:', await discovery.queryForNames());
const provider = discovery.serviceProvider('api', { strategy: new RoundRobinStrategy() });
await provider.start();
for (let i = 0; i < 3; i++) console.log('call', provider.getInstance()?.port);
await discovery.close();
await client.close();
