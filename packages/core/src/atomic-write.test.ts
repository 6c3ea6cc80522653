import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
