import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The crash test and the soak take minutes: `npm run test:chaos` runs them (vitest.chaos.config.ts).
    exclude: ['test/chaos/**', '**/node_modules/**'],
    // e2e tests spawn real processes and the chaos tests run many of them; two cores are all we have.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
