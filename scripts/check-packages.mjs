#!/usr/bin/env node
// Packs every publishable package (as `pnpm publish` would) and lints the tarball with publint
// (package.json fields, exports, files) and arethetypeswrong (types resolve for import and require).
// Prints one line per package and, as its last line, "N passed, N failed". Run after a build.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const only = process.argv.slice(2);
const packageDirs = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .filter((dir) => !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private)
  .filter((dir) => only.length === 0 || only.some((name) => dir.endsWith(`/${name}`)));

const run = (command, args, cwd) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
const destination = mkdtempSync(join(tmpdir(), 'diffchat-pack-'));
let passed = 0;
let failed = 0;
try {
  for (const dir of packageDirs) {
    const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    try {
      const packed = run('pnpm', ['pack', '--json', '--pack-destination', destination], dir);
      const tarball = JSON.parse(packed.slice(packed.indexOf('{'))).filename;
      run('pnpm', ['exec', 'publint', 'run', tarball, '--strict'], root);
      run('pnpm', ['exec', 'attw', tarball, '--profile', 'node16', '--format', 'ascii', '--no-color'], root);
      console.log(`ok   ${name}`);
      passed += 1;
    } catch (error) {
      console.log(
        `FAIL ${name}\n${error.stdout ?? ''}${error.stderr ?? ''}${error.stdout || error.stderr ? '' : error.message}`,
      );
      failed += 1;
    }
  }
} finally {
  rmSync(destination, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
