import { defineConfig } from 'vitest/config';

// npm run test:stack — end-to-end tests on the native stack (real binaries from .stack/bin/,
// built by `npm run stack:build`). One file at a time: each starts its own stack.
export default defineConfig({
  test: {
    include: ['test/stack/e2e/**/*.e2e.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 240_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
