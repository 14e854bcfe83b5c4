import { defineConfig } from 'tsup';

// Node platform: the CLIs start processes and read files. `shims` gives the CJS build `import.meta.url`.
export default defineConfig({
  entry: { index: 'src/index.ts', 'cli/check': 'src/cli/check.ts', 'cli/chaos': 'src/cli/chaos.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
  shims: true,
});
