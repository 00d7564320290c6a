import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests wait on events (a claim answered, a page shown); these caps only end a test that hangs.
    // They are wide because a busy machine (another suite beside this one) slows every event.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Browser and integration tests start real servers on port 0; two cores suit two forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
