import { defineConfig } from 'vitest/config';

/**
 * The long proofs of issue 5 (test/chaos): the crash test (the built CLI killed with SIGKILL at
 * random moments, 50+ runs) and the soak (500 ticks under 20% random faults). `npm test` leaves
 * them out; run them with `npm run test:chaos` (which builds first: the crash test spawns dist/).
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One at a time: each test is timing-sensitive load on two cores and owns its simulator.
    fileParallelism: false,
  },
});
