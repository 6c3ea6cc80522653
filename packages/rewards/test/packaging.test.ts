import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const coreDirectory = resolve(packageDirectory, '../core');
const lexiconDirectory = resolve(packageDirectory, '../lexicon');
const distDirectory = join(packageDirectory, 'dist');

/** What the light entry may import: its own runtime dependencies and Node built-ins, never a tensor runtime. */
const allowedImports = new Set([
  'wink-nlp',
  'wink-eng-lite-web-model',
  'lru-cache',
  'zod',
  '@diffchat/core',
  '@diffchat/lexicon',
]);
const heavyPackages = ['onnxruntime-node', 'sharp', '@diffchat/lm', '@diffchat/autodiff', '@diffchat/t2i'];

/** Bare specifiers statically imported by a built file and the chunks it pulls in. */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  const found = new Set<string>();
  if (seen.has(file)) return found;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  const patterns = [
    /^\s*import\s[^;]*?from\s*["']([^"']+)["']/gm,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.')) {
        for (const inner of staticImports(resolve(dirname(file), specifier), seen)) found.add(inner);
      } else {
        found.add(specifier);
      }
    }
  }
  return found;
}

function packInto(directory: string, destination: string): string {
  const before = new Set(readdirSync(destination));
  execFileSync('pnpm', ['pack', '--pack-destination', destination], { cwd: directory, stdio: 'pipe' });
  const tarball = readdirSync(destination).find((name) => name.endsWith('.tgz') && !before.has(name));
  if (tarball === undefined) throw new Error(`pnpm pack produced no tarball for ${directory}`);
  return join(destination, tarball);
}

/** Extracts a tarball as node_modules/<name>, then links its third-party dependencies from the workspace store. */
function install(tarball: string, workspaceDirectory: string, project: string): void {
  const staging = mkdtempSync(join(project, 'staging-'));
  execFileSync('tar', ['-xzf', tarball, '-C', staging]);
  const manifest = JSON.parse(readFileSync(join(staging, 'package', 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
  };
  const target = join(project, 'node_modules', manifest.name);
  mkdirSync(dirname(target), { recursive: true });
  execFileSync('mv', [join(staging, 'package'), target]);
  rmSync(staging, { recursive: true });
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    if (dependency.startsWith('@diffchat/')) continue;
    const link = join(project, 'node_modules', dependency);
    if (existsSync(link)) continue;
    mkdirSync(dirname(link), { recursive: true });
    // The store's real path keeps each package's own dependencies next to it, as pnpm laid them out.
    symlinkSync(realpathSync(join(workspaceDirectory, 'node_modules', dependency)), link);
  }
}

// Package-manager shims set NODE_PATH to the workspace store, which would let require() find what is not installed.
const { NODE_PATH: _storePath, ...cleanEnvironment } = process.env;

const record = {
  source: 'a red car on a city street',
  instruction: 'add a dog',
  target: 'a red car on a city street, 8k',
};
// Hand count: required red, car, city street (kept) and dog (missing): coverage 3/4, below the 0.8 threshold.
const expected = { coverage: 0.75, reward: 0, missing: ['dog'], forbidden: [] };

describe('the light entry', () => {
  it('was built', () => {
    expect(existsSync(join(distDirectory, 'index.js')), 'run `pnpm --filter @diffchat/rewards build` first').toBe(true);
  });

  it.each(['index.js', 'index.cjs'])('dist/%s imports no tensor runtime', (file) => {
    const imports = [...staticImports(join(distDirectory, file))].filter((name) => !name.startsWith('node:'));
    expect(imports.filter((name) => !allowedImports.has(name))).toEqual([]);
  });
});

describe('installed alone from the packed tarballs, without the optional peers', () => {
  let project = '';

  beforeAll(() => {
    for (const [name, directory] of [
      ['@diffchat/core', coreDirectory],
      ['@diffchat/lexicon', lexiconDirectory],
    ] as const) {
      if (!existsSync(join(directory, 'dist', 'index.js'))) {
        execFileSync('pnpm', ['--filter', name, 'build'], { cwd: packageDirectory, stdio: 'pipe' });
      }
    }
    project = mkdtempSync(join(tmpdir(), 'diffchat-rewards-install-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    const tarballs = mkdtempSync(join(project, 'tarballs-'));
    install(packInto(packageDirectory, tarballs), packageDirectory, project);
    install(packInto(coreDirectory, tarballs), coreDirectory, project);
    // The lexicon brings its WordNet index inside its tarball; content integrity reads it from there.
    install(packInto(lexiconDirectory, tarballs), lexiconDirectory, project);
  });

  afterAll(() => {
    if (project !== '') rmSync(project, { recursive: true, force: true });
  });

  it('really lacks onnxruntime-node, sharp and the model packages', () => {
    const probe = `for (const name of ${JSON.stringify(heavyPackages)}) { try { require.resolve(name); console.log(name); } catch {} }`;
    expect(
      execFileSync(process.execPath, ['-e', probe], { cwd: project, env: cleanEnvironment, encoding: 'utf8' }),
    ).toBe('');
    expect(realpathSync(createRequire(join(project, 'package.json')).resolve('@diffchat/rewards'))).toContain(
      realpathSync(project),
    );
  });

  it.each([
    ['import', 'score.mjs', "import { contentIntegrity } from '@diffchat/rewards';"],
    ['require', 'score.cjs', "const { contentIntegrity } = require('@diffchat/rewards');"],
  ])('scores content integrity through %s', (_how, file, load) => {
    writeFileSync(
      join(project, file),
      `${load}\nconsole.log(JSON.stringify(contentIntegrity(${JSON.stringify(record)})));\n`,
    );
    const output = execFileSync(process.execPath, [file], { cwd: project, env: cleanEnvironment, encoding: 'utf8' });
    expect(JSON.parse(output)).toMatchObject(expected);
  });
});
