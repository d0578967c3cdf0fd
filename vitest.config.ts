import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // A guard against hangs, not a speed check: the command-line tests start a dozen processes each, which takes
    // over a minute when both cores are busy with browsers and databases.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each file gets fresh databases; two cores do not gain from more than two workers.
    maxWorkers: 2,
  },
});
