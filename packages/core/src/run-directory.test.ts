import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, RunMismatchError, ValidationError } from './errors';
import { readJsonlAll } from './jsonl-reader';
import { createRun, openRun, resolvePackageVersions } from './run-directory';
import { useTemporaryDirectories } from './test-support';

const temporaryDirectory = useTemporaryDirectories();
const abcSha256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

/** A clock that moves one second per call, from 2026-01-01T00:00:00Z. */
function steppingClock() {
  let seconds = 0;
  return () => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds++));
}

function setup() {
  const root = temporaryDirectory();
  const train = join(root, 'train.jsonl');
  writeFileSync(train, 'abc');
  const config = { model: 'tiny', optimizer: { lr: 0.001, betas: [0.9, 0.95] } };
  return { root, train, config };
}

describe('createRun', () => {
  it('creates the run folder with config, manifest, checkpoints and input hashes', async () => {
    const { root, train, config } = setup();
    const run = await createRun({ root, name: 'sft-1', config, seed: 42, inputs: { train }, now: steppingClock() });
    expect(run.path).toBe(join(root, 'sft-1'));
    expect(run.resumed).toBe(false);
    expect(JSON.parse(readFileSync(run.configPath, 'utf8'))).toEqual(config);
    expect(existsSync(run.checkpointsPath)).toBe(true);
    const manifest = JSON.parse(readFileSync(run.manifestPath, 'utf8'));
    expect(manifest).toMatchObject({
      formatVersion: 1,
      name: 'sft-1',
      status: 'running',
      seed: 42,
      config,
      inputs: { train: { path: train, sha256: abcSha256, bytes: 3 } },
      createdAt: '2026-01-01T00:00:00.000Z',
      node: process.version,
    });
    expect(manifest.packages['@diffchat/core']).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.history).toEqual([
      { event: 'created', at: '2026-01-01T00:00:00.000Z', packages: manifest.packages },
    ]);
  });

  it('resumes a run with the same settings and records the resume', async () => {
    const { root, train, config } = setup();
    const now = steppingClock();
    const first = await createRun({ root, name: 'r', config, seed: 1, inputs: [train], now });
    await first.fail(new Error('out of memory'));
    expect(first.manifest.status).toBe('failed');
    const again = await createRun({ root, name: 'r', config: { ...config }, seed: '1', inputs: [train], now });
    expect(again.resumed).toBe(true);
    expect(again.manifest.status).toBe('running');
    expect(again.manifest.history.map((event) => [event.event, event.message])).toEqual([
      ['created', undefined],
      ['failed', 'out of memory'],
      ['resumed', undefined],
    ]);
    await expect(createRun({ root, name: 'r', config, seed: 1, inputs: [train], ifExists: 'error' })).rejects.toThrow(
      ConfigError,
    );
  });

  it('refuses to resume with a different seed, config or inputs, listing every difference', async () => {
    const { root, train, config } = setup();
    await createRun({ root, name: 'r', config, seed: 1, inputs: { train } });
    writeFileSync(train, 'abcd');
    const extra = join(root, 'extra.txt');
    writeFileSync(extra, '');
    const changed = { model: 'tiny', optimizer: { lr: 0.0005, betas: [0.9, 0.95] }, warmup: 10 };
    const error = await createRun({ root, name: 'r', config: changed, seed: 2, inputs: { train, extra } }).catch(
      (caught) => caught,
    );
    expect(error).toBeInstanceOf(RunMismatchError);
    expect(error.differences).toEqual([
      'seed: 1 in the run, 2 now',
      'config.optimizer.lr: 0.001 in the run, 0.0005 now',
      'config.warmup: absent in the run, 10 now',
      `input "extra" (${extra}): not in the run, given now`,
      `input "train": content changed (sha256 ba7816bf8f01… of 3 bytes at ${train} in the run, 88d4266fd4e6… of 4 bytes at ${train} now)`,
    ]);
    expect(error.message).toContain(`cannot resume ${join(root, 'r')}`);
  });

  it('resumes a moved run when the keys that name its place are left out of the comparison', async () => {
    const { root, train, config } = setup();
    const before = join(root, 'old', 'r');
    const after = join(root, 'new', 'r');
    await createRun({
      root: join(root, 'old'),
      name: 'r',
      config: { ...config, outputDir: before },
      seed: 1,
      inputs: [train],
    });
    mkdirSync(join(root, 'new'));
    renameSync(before, after);
    const moved = { ...config, outputDir: after };
    await expect(
      createRun({ root: join(root, 'new'), name: 'r', config: moved, seed: 1, inputs: [train] }),
    ).rejects.toThrow(RunMismatchError);
    const resumeIgnores = ['outputDir'];
    const run = await createRun({
      root: join(root, 'new'),
      name: 'r',
      config: moved,
      seed: 1,
      inputs: [train],
      resumeIgnores,
    });
    expect(run.resumed).toBe(true);
    expect(run.manifest.config).toEqual(moved);
    // Only the named keys are exempt: any other change is still refused.
    const changed = { ...moved, model: 'other' };
    const error = await createRun({
      root: join(root, 'new'),
      name: 'r',
      config: changed,
      seed: 1,
      inputs: [train],
      resumeIgnores,
    }).catch((caught) => caught);
    expect(error.differences).toEqual(['config.model: "tiny" in the run, "other" now']);
  });

  it('rejects bad names, missing inputs and folders that are not runs', async () => {
    const { root, config } = setup();
    await expect(createRun({ root, name: '../escape', config, seed: 1 })).rejects.toThrow(/run name/);
    await expect(
      createRun({ root, name: 'r', config, seed: 1, inputs: { train: join(root, 'nope') } }),
    ).rejects.toThrow(/input "train": .*nope does not exist/);
    mkdirSync(join(root, 'other'));
    writeFileSync(join(root, 'other', 'notes.txt'), 'x');
    await expect(createRun({ root, name: 'other', config, seed: 1 })).rejects.toThrow(
      /not a run directory \(found notes.txt\)/,
    );
  });

  it('restarts a creation that crashed before writing its manifest', async () => {
    const { root, config } = setup();
    mkdirSync(join(root, 'r', 'checkpoints'), { recursive: true });
    writeFileSync(join(root, 'r', 'config.json'), '{"partial": tru');
    const run = await createRun({ root, name: 'r', config, seed: 1 });
    expect(run.resumed).toBe(false);
    expect(JSON.parse(readFileSync(run.configPath, 'utf8'))).toEqual(config);
  });
});

describe('RunDirectory', () => {
  it('appends metrics with a timestamp, across a close and a resume', async () => {
    const { root, config } = setup();
    const now = steppingClock();
    const run = await createRun({ root, name: 'm', config, seed: 1, now });
    await run.logMetrics({ step: 1, loss: 2.5 });
    await run.logMetrics({ step: 2, loss: 2.25 });
    await run.close();
    const resumed = await createRun({ root, name: 'm', config, seed: 1, now });
    await resumed.logMetrics({ step: 3, loss: 2 });
    await resumed.complete();
    const { records } = await readJsonlAll(
      resumed.metricsPath,
      z.object({ step: z.number(), loss: z.number(), time: z.string() }),
    );
    expect(records.map((record) => [record.step, record.loss])).toEqual([
      [1, 2.5],
      [2, 2.25],
      [3, 2],
    ]);
    expect(records[0]?.time).toBe('2026-01-01T00:00:01.000Z');
    expect((await openRun(resumed.path)).manifest.status).toBe('completed');
  });

  it('saves checkpoints atomically, lists complete ones by step and replaces a step saved twice', async () => {
    const { root, config } = setup();
    const run = await createRun({ root, name: 'c', config, seed: 1 });
    expect(await run.latestCheckpoint()).toBeUndefined();
    for (const step of [200, 100, 1000]) {
      await run.saveCheckpoint(step, async (directory) => writeFileSync(join(directory, 'weights.bin'), String(step)));
    }
    await expect(
      run.saveCheckpoint(2000, async () => {
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    mkdirSync(join(run.checkpointsPath, 'step-00003000.partial-1'));
    expect(await run.listCheckpoints()).toEqual([100, 200, 1000]);
    expect(await run.latestCheckpoint()).toEqual({ step: 1000, path: join(run.checkpointsPath, 'step-00001000') });
    await run.saveCheckpoint(200, async (directory) => writeFileSync(join(directory, 'weights.bin'), 'again'));
    expect(readFileSync(join(run.checkpointPath(200), 'weights.bin'), 'utf8')).toBe('again');
    expect(() => run.checkpointPath(-1)).toThrow(ConfigError);
  });

  it('opens a run and names a bad manifest field', async () => {
    const { root, config } = setup();
    const run = await createRun({ root, name: 'o', config, seed: 1 });
    const opened = await openRun(run.path);
    expect(opened.config).toEqual(config);
    const manifest = JSON.parse(readFileSync(run.manifestPath, 'utf8'));
    writeFileSync(run.manifestPath, JSON.stringify({ ...manifest, seed: 1.5, future: 'kept' }));
    await expect(openRun(run.path)).rejects.toThrow(ValidationError);
    await expect(openRun(run.path)).rejects.toThrow(`${run.manifestPath}: field "seed"`);
  });
});

describe('resolvePackageVersions', () => {
  it('reads versions of installed packages and leaves out unknown ones', () => {
    const versions = resolvePackageVersions(['zod', 'no-such-package-xyz'], import.meta.url);
    const zodVersion = JSON.parse(
      readFileSync(join(__dirname, '..', 'node_modules', 'zod', 'package.json'), 'utf8'),
    ).version;
    expect(versions).toEqual({ zod: zodVersion });
  });
});
