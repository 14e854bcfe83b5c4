import { defineConfig } from 'tsup';

// The sibling packages stay external: they are dependencies, resolved at run time.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'cli/keel-server': 'src/cli/keel-server.ts',
    'cli/keel-cluster': 'src/cli/keel-cluster.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
});
