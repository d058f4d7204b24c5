import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // A plugin imports the API as a user's would; in tests that is the source, not the build.
  resolve: { alias: { 'xreg/plugin': fileURLToPath(new URL('./stdlib/plugin/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The JSON report lets .ci/run print the closing "N passed, M failed" line.
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
