import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    globalSetup: ['test/global-setup.ts'],
    // A guard against hangs, not a speed check: the command-line tests start a dozen processes each, which takes
    // over a minute when both cores are busy with browsers and databases.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each file gets fresh databases. Three workers on two cores: much of a file's time is spent waiting on the
    // processes it starts (browsers, command-line runs, servers), and CI ran in 809 s with three against 960 s with two.
    maxWorkers: 3,
  },
});
