import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The crash test and the soak take minutes: `npm run test:chaos` runs them (vitest.chaos.config.ts).
    exclude: ['test/chaos/**', '**/node_modules/**'],
    // e2e tests spawn real processes and the chaos tests run many of them; two cores are all we have.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default is one worker per core but one (so one on two cores), and most of these files wait on cron
    // seconds, sockets and child processes rather than compute: three files at once keep both cores busy. Measured
    // on this machine with others' load on it (rough): one worker ~400 s, two ~205 s, three ~155 s.
    maxWorkers: 3,
    // The files that wait on real seconds start first, with or without vitest's cache of the last run's durations.
    sequence: { sequencer: SlowFirstSequencer },
  },
});
