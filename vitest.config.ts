import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Builds dist/node/ first if the sources changed, so the CLI tests run the current code.
    globalSetup: ['tests/helpers/buildDist.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Model-validation tests are CPU-bound simulations; two cores, two forks.
    pool: 'forks',
    maxWorkers: 2,
    // `npm run test:fast` runs every test not tagged 'slow' (and not tests/e2e/): the edit–test loop.
    tags: [
      {
        name: 'slow',
        description:
          'over ~1.5 s on a loaded 2-core machine: large fabrics (up to 1024 hosts), many seeds, threads, child processes',
      },
    ],
    // The default console report, plus a JSON report CI reads for its closing summary line.
    reporters: ['default', ['json', { outputFile: 'test-artifacts/vitest-report.json' }]],
  },
});
