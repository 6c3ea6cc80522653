import { defineConfig } from 'vitest/config';

/** Defaults every package's tests share; a package's vitest.config.ts may extend them. */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
