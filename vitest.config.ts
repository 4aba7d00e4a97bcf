import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Model-validation tests are CPU-bound simulations; two cores, two forks.
    pool: 'forks',
    maxWorkers: 2,
    // The default console report, plus a JSON report CI reads for its closing summary line.
    reporters: ['default', ['json', { outputFile: 'test-artifacts/vitest-report.json' }]],
  },
});
