#!/usr/bin/env node
// Runs every package's tests, typecheck and lint through turbo (building what they depend on first), then prints
// the totals read from each package's vitest JSON report (plus the packaging checks), as the last line: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'apps', 'pipelines'];
const reportPaths = () =>
  roots
    .filter((root) => existsSync(root))
    .flatMap((root) => readdirSync(root).map((name) => join(root, name, '.test-report.json')));

for (const file of reportPaths()) rmSync(file, { force: true });

const extra = process.argv.slice(2);
const turbo = spawnSync(
  'pnpm',
  ['exec', 'turbo', 'run', 'test', 'typecheck', 'lint', '--concurrency=2', '--continue', ...extra],
  {
    stdio: 'inherit',
    env: { TURBO_TELEMETRY_DISABLED: '1', ...process.env },
  },
);

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of reportPaths()) {
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A suite that fails to load counts no tests but is a failure all the same.
  failed += (report.testResults ?? []).filter(
    (suite) => suite.status === 'failed' && suite.assertionResults?.length === 0,
  ).length;
}
// Packaging is part of the suite: every package must pack and pass publint + arethetypeswrong.
const packaging = spawnSync('node', ['scripts/check-packages.mjs'], { encoding: 'utf8' });
process.stdout.write(`${packaging.stdout.split('\n').slice(0, -2).join('\n')}\n`);
const packagingTotals = /(\d+) passed, (\d+) failed/.exec(packaging.stdout.trim().split('\n').at(-1) ?? '');
passed += Number(packagingTotals?.[1] ?? 0);
failed += Number(packagingTotals?.[2] ?? (packaging.status === 0 ? 0 : 1));

const status = turbo.status || packaging.status || 0;
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(status);
