import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Browser and integration tests start real servers on port 0; two cores suit two forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
