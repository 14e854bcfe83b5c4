import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'sim/cli': 'src/sim/cli.ts',
    'bench/raft-bench': 'src/bench/raft-bench.ts',
    'demo/demo-cluster': 'src/demo/demo-cluster.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
});
