import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from './atomic-write';
import { ValidationError } from './errors';
import { useTemporaryDirectories } from './test-support';

const temporaryDirectory = useTemporaryDirectories();

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temporary file behind', async () => {
    const directory = temporaryDirectory();
    const path = join(directory, 'state.txt');
    writeFileSync(path, 'old contents that are longer');
    await writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]).subarray(1));
    expect([...readFileSync(path)]).toEqual([2, 3]);
    expect(readdirSync(directory)).toEqual(['state.txt']);
  });

  it('writes JSON with a final newline and reads it back through a schema', async () => {
    const path = join(temporaryDirectory(), 'config.json');
    await writeJsonAtomic(path, { lr: 0.001, steps: [1, 2] });
    expect(readFileSync(path, 'utf8')).toBe('{\n  "lr": 0.001,\n  "steps": [\n    1,\n    2\n  ]\n}\n');
    await writeJsonAtomic(path, { lr: 0.001 }, { indent: 0 });
    expect(readFileSync(path, 'utf8')).toBe('{"lr":0.001}\n');
    expect(await readJsonFile(path, z.object({ lr: z.number() }))).toEqual({ lr: 0.001 });
  });

  it('names the file, line and field when reading bad JSON', async () => {
    const path = join(temporaryDirectory(), 'config.json');
    writeFileSync(path, '{\n  "lr": 1,\n}\n');
    await expect(readJsonFile(path, z.unknown())).rejects.toThrow(`${path}:3: invalid JSON`);
    writeFileSync(path, '{"lr": "fast"}');
    const error = await readJsonFile(path, z.object({ lr: z.number() })).catch((caught) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(`${path}: field "lr": expected number, received string`);
  });
});

/** Starts a process that rewrites `path` with 16 MiB atomically, over and over, until killed. */
function startRewriter(path: string): ChildProcess {
  const script = join(resolve(path, '..'), 'rewriter.mjs');
  const module = resolve(import.meta.dirname, 'atomic-write.ts');
  writeFileSync(
    script,
    `const { writeFileAtomic } = await import(${JSON.stringify(module)});\n` +
      `const data = new Uint8Array(16 * 1024 * 1024).fill(7);\n` +
      `for (;;) await writeFileAtomic(${JSON.stringify(path)}, data);\n`,
  );
  // node itself (not the tsx launcher, which forks), so the kill reaches the writer.
  return spawn(process.execPath, ['--import', 'tsx', script], { cwd: import.meta.dirname, stdio: 'ignore' });
}

const temporaryFiles = (directory: string) => readdirSync(directory).filter((entry) => entry.endsWith('.tmp'));

describe('writeFileAtomic after killed writers', () => {
  it('removes the temporary files of dead writers of the same target, and only those', async () => {
    const directory = temporaryDirectory();
    const path = join(directory, 'weights.bin');
    const kills = 4;
    for (let kill = 0; kill < kills; kill++) {
      const child = startRewriter(path);
      const exited = new Promise((done) => child.once('exit', done));
      const ownTemporary = new RegExp(`^\\.weights\\.bin\\.${child.pid}\\.`);
      // Kill it as soon as its temporary file appears: writing and syncing 16 MiB takes far longer than a poll.
      for (
        let polls = 0;
        polls < 2000 && !temporaryFiles(directory).some((entry) => ownTemporary.test(entry));
        polls++
      ) {
        await sleep(2);
      }
      child.kill('SIGKILL');
      await exited;
      // The killed writer left its temporary file (else the test proves nothing); each writer
      // starts by removing those of the writers killed before it, so they do not pile up.
      expect(temporaryFiles(directory)).toEqual([expect.stringMatching(ownTemporary)]);
    }
    const otherTarget = '.other.bin.999999999.0123456789ab.tmp';
    const liveWriter = `.weights.bin.${process.ppid}.0123456789ab.tmp`;
    writeFileSync(join(directory, otherTarget), 'another file of a dead writer');
    writeFileSync(join(directory, liveWriter), 'a writer that still runs');

    await writeFileAtomic(path, 'final');
    expect(readFileSync(path, 'utf8')).toBe('final');
    expect(temporaryFiles(directory).sort()).toEqual([otherTarget, liveWriter].sort());
  }, 60_000);

  it('keeps the permissions of the file it replaces', async () => {
    const path = join(temporaryDirectory(), 'secret.txt');
    writeFileSync(path, 'old', { mode: 0o600 });
    await writeFileAtomic(path, 'new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
