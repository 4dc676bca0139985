// Packaging check for every publishable package: publint passes, and each entry of the exports
// map loads under both `import` and `require` in a plain Node process with the same named exports.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = new URL('..', import.meta.url).pathname;
const packagesDir = join(root, 'packages');
let failures = 0;
let checks = 0;

const loadNames = (cwd, specifier, mode) => {
  const script =
    mode === 'import'
      ? `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort()));`
      : `const m = require(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).sort()));`;
  const args = mode === 'import' ? ['--input-type=module', '-e', script] : ['-e', script];
  return JSON.parse(execFileSync(process.execPath, args, { cwd, encoding: 'utf8' }).trim());
};

for (const entry of readdirSync(packagesDir, { withFileTypes: true })) {
  if (!entry.isDirectory()) continue;
  const dir = join(packagesDir, entry.name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.private) continue;

  const { messages, pkg } = await publint({ pkgDir: dir, level: 'warning', strict: true });
  checks += 1;
  for (const message of messages) {
    failures += 1;
    console.error(`${manifest.name}: publint ${message.type}: ${formatMessage(message, pkg)}`);
  }

  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (target === null || subpath === './package.json' || subpath.includes('*')) continue;
    const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
    try {
      checks += 1;
      const esm = loadNames(dir, specifier, 'import');
      const cjs = loadNames(dir, specifier, 'require');
      if (esm.length === 0) throw new Error('no named exports');
      if (JSON.stringify(esm) !== JSON.stringify(cjs)) {
        throw new Error(`ESM and CJS export different names:\n  esm: ${esm}\n  cjs: ${cjs}`);
      }
      console.log(`${specifier}: import and require load ${esm.length} exports`);
    } catch (error) {
      failures += 1;
      console.error(`${specifier}: ${error.message}`);
    }
  }
}

if (failures > 0) {
  console.error(`packages: ${checks - failures} passed, ${failures} failed`);
  process.exit(1);
}
console.log(`packages: ${checks} checks passed`);
