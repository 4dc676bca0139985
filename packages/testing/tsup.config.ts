import { defineConfig } from 'tsup';

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
});
