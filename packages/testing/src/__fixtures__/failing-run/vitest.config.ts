import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['failing.test.ts'],
    globalSetup: ['./global-setup.ts'],
    hookTimeout: 120_000,
  },
});
