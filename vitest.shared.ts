import { defineConfig } from 'vitest/config';

/**
 * The vitest settings every project shares: sibling packages resolve to their sources (the
 * `@keel/source` export condition), and each run writes a JSON report that
 * `scripts/test-all.mjs` sums into CI's last line.
 */
export const projectTestConfig = defineConfig({
  resolve: { conditions: ['@keel/source'] },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/vitest.json' },
  },
});
