import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Packs this package as it would be published, installs the tarball into an empty project with npm (offline: the
 * package has no dependencies) and uses it from both module systems through plain `node`.
 */

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const workDirectory = mkdtempSync(join(tmpdir(), 'sampler-typical-install-'));
const projectDirectory = join(workDirectory, 'project');

// Scripts run by pnpm inherit npm_config_* settings meant for the workspace; the consumer project gets none of them.
const cleanEnvironment = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
);

const usage = (load: string) => `${load}
const logits = Float32Array.from([0, -4, 2, -1, 1]);
const kept = (row) => [...row.keys()].filter((id) => row[id] > -Infinity);
const sampler = api.createSampler({ typicalP: 0.5, temperature: 1 });
let error;
try { api.typicalFilter(logits, { mass: 1 }); } catch (caught) { error = caught; }
console.log(JSON.stringify({
  typical: kept(api.typicalFilter(logits, { mass: 0.5 })),
  topP: kept(api.topPFilter(logits, { p: 0.9 })),
  topK: kept(api.topKFilter(logits, { k: 2 })),
  sampled: sampler.sample(logits, () => 0.99).tokenId,
  greedy: sampler.greedy(logits).tokenId,
  error: [error.code, error.field],
}));
`;

describe('the packed tarball', () => {
  beforeAll(() => {
    if (!existsSync(join(packageDirectory, 'dist/index.js')) || !existsSync(join(packageDirectory, 'dist/index.cjs'))) {
      execFileSync('pnpm', ['run', 'build'], { cwd: packageDirectory, stdio: 'pipe' });
    }
    execFileSync('pnpm', ['pack', '--pack-destination', workDirectory], { cwd: packageDirectory, stdio: 'pipe' });
    const tarball = readdirSync(workDirectory).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`pnpm pack wrote no tarball into ${workDirectory}`);
    mkdirSync(projectDirectory);
    writeFileSync(
      join(projectDirectory, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
    );
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', join(workDirectory, tarball)], {
      cwd: projectDirectory,
      env: { ...cleanEnvironment, npm_config_cache: join(workDirectory, 'npm-cache') },
      stdio: 'pipe',
    });
    writeFileSync(join(projectDirectory, 'use.mjs'), usage("import * as api from '@diffchat/sampler-typical';"));
    writeFileSync(join(projectDirectory, 'use.cjs'), usage("const api = require('@diffchat/sampler-typical');"));
    // Packing and installing take seconds alone and much longer on a busy machine.
  }, 240_000);

  afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

  // Hand-computed for logits [0, -4, 2, -1, 1] (see the filter tests): typical order 4, 2, 0, ...; top tokens 2, 4, 0.
  const expected = {
    typical: [2, 4],
    topP: [0, 2, 4],
    topK: [2, 4],
    sampled: 4,
    greedy: 2,
    error: ['SAMPLER_INPUT', 'mass'],
  };

  it.each(['use.mjs', 'use.cjs'])('works when loaded by %s', (script) => {
    const output = execFileSync('node', [script], { cwd: projectDirectory, env: cleanEnvironment, encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual(expected);
  });
});
