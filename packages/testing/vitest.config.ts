import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Fixtures are run by tests as separate Vitest runs, never directly.
    exclude: ['**/node_modules/**', 'src/__fixtures__/**'],
    // One shared set of emulators for the whole run (dogfooding the package's own global setup).
    globalSetup: ['./src/vitest/test-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/vitest.json' },
  },
});
