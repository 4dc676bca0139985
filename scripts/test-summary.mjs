// Adds up the vitest JSON reports of every workspace package and prints one closing line.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const group of ['packages', 'examples']) {
  const groupDir = join(root, group);
  if (!existsSync(groupDir)) continue;
  for (const entry of readdirSync(groupDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const manifestPath = join(groupDir, entry.name, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.scripts?.test === undefined) continue;
    const report = join(groupDir, entry.name, '.test-results', 'vitest.json');
    if (!existsSync(report)) {
      missing.push(manifest.name);
      continue;
    }
    const result = JSON.parse(readFileSync(report, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    skipped += result.numPendingTests + result.numTodoTests;
  }
}
if (missing.length > 0) {
  console.error(`no test report from: ${missing.join(', ')}`);
  failed += missing.length;
}
if (passed === 0) {
  console.error('no test ran');
  process.exit(1);
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
