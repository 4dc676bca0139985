import { sep } from 'node:path';
import { defineConfig } from 'tsup';

// The package's own name: dist/vitest/ loads the main entry through it (a self-reference, which
// Node resolves through the exports map), so both entries share one copy of the module state
// (the set of live child processes that the exit handlers kill). Bundled into each entry, the
// CommonJS build would carry two copies of it.
const MAIN_ENTRY = '@tributary/testing';
const VITEST_DIR = `${sep}src${sep}vitest${sep}`;
// What src/vitest/ may import from the rest of the package: modules the main entry re-exports.
const FROM_MAIN_ENTRY = new Set(['../local-aws.js']);

const vitestEntryUsesMainEntry = {
  name: 'vitest-entry-uses-main-entry',
  setup(build: {
    onResolve(
      options: { filter: RegExp },
      callback: (args: { path: string; importer: string }) => unknown,
    ): void;
  }) {
    build.onResolve({ filter: /^\.\.\// }, ({ path, importer }) => {
      if (!importer.includes(VITEST_DIR)) return undefined;
      if (FROM_MAIN_ENTRY.has(path)) return { path: MAIN_ENTRY, external: true };
      return {
        errors: [
          {
            text: `${importer} imports ${path}: src/vitest/ may only import modules the main entry re-exports (${[...FROM_MAIN_ENTRY].join(', ')}); add it there and to FROM_MAIN_ENTRY`,
          },
        ],
      };
    });
  },
};

export default defineConfig({
  entry: { index: 'src/index.ts', 'vitest/index': 'src/vitest/index.ts' },
  format: ['esm', 'cjs'],
  // Resolve types the way the package's tsconfig does (vitest's types live behind its exports map).
  dts: { compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  // import.meta.url (used to find emulator packages) in the CommonJS build.
  shims: true,
  esbuildPlugins: [vitestEntryUsesMainEntry],
});
