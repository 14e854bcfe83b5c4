import { defineConfig } from 'tsup';

// Node platform: the harness spawns processes and writes files. The clients of the systems under
// test stay external (loaded from node_modules at run time, never bundled).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    cli: 'src/cli.ts',
    'generator-worker': 'src/load/generator-worker.ts',
    'floor-cli': 'src/floor/floor-cli.ts',
    'floor-member': 'src/floor/floor-member.ts',
  },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
  external: ['ws', 'etcd3', 'node-zookeeper-client', '@keel/chaos', '@keel/client', '@keel/recipes', '@keel/raft'],
});
