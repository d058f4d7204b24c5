import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The JSON report lets .ci/run print the closing "N passed, M failed" line.
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
