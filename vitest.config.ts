import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/temporary-folder.setup.ts'],
    // Native tree-sitter addons are safest in child processes.
    pool: 'forks',
    testTimeout: 60_000,
  },
});
