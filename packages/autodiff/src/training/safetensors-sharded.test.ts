import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsError, writeSafetensors } from './safetensors';
import { readShardedSafetensors, SAFETENSORS_INDEX_FILE } from './safetensors-sharded';

const tensor = (shape: number[], values: number[]) => ({ shape, data: new Float32Array(values) });

/** Three shards as transformers lays them out, each tensor's values written out by hand. */
const shards = {
  'model-00001-of-00003.safetensors': new Map([
    ['embed.weight', tensor([2, 2], [1, 2, 3, 4])],
    ['embed.bias', tensor([2], [-1, 0.5])],
  ]),
  'model-00002-of-00003.safetensors': new Map([['h.0.weight', tensor([3], [1e-3, -7, 2 ** 20])]]),
  'model-00003-of-00003.safetensors': new Map([
    ['head.weight', tensor([1, 2], [Number.NaN, Number.NEGATIVE_INFINITY])],
    ['unlisted', tensor([1], [9])],
  ]),
};

const weightMap = {
  'head.weight': 'model-00003-of-00003.safetensors',
  'embed.weight': 'model-00001-of-00003.safetensors',
  'h.0.weight': 'model-00002-of-00003.safetensors',
  'embed.bias': 'model-00001-of-00003.safetensors',
};

describe('readShardedSafetensors', () => {
  let directory = '';
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'safetensors-sharded-'));
    for (const [file, tensors] of Object.entries(shards)) {
      await writeSafetensors(join(directory, file), tensors, { shard: file });
    }
    await writeFile(
      join(directory, SAFETENSORS_INDEX_FILE),
      JSON.stringify({ metadata: { total_size: 48 }, weight_map: weightMap }),
    );
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  /** A checkpoint directory holding the three shards and the given index text. */
  async function withIndex(name: string, index: string): Promise<string> {
    const other = join(directory, name);
    await mkdir(other, { recursive: true });
    for (const file of Object.keys(shards)) {
      await writeSafetensors(join(other, file), shards[file as keyof typeof shards]);
    }
    await writeFile(join(other, SAFETENSORS_INDEX_FILE), index);
    return other;
  }

  it('round-trips three shards in weight_map order, leaving out tensors the map does not list', async () => {
    const { tensors, metadata } = await readShardedSafetensors(directory);
    expect([...tensors.keys()]).toEqual(Object.keys(weightMap));
    for (const [name, file] of Object.entries(weightMap)) {
      const written = shards[file as keyof typeof shards].get(name)!;
      expect(tensors.get(name)).toEqual({ dtype: 'F32', shape: written.shape, data: written.data });
    }
    expect(metadata).toEqual({ shard: 'model-00003-of-00003.safetensors' });
  });

  it('reads only the requested names', async () => {
    const { tensors } = await readShardedSafetensors(directory, { names: ['embed.bias', 'h.0.weight'] });
    expect([...tensors.keys()]).toEqual(['h.0.weight', 'embed.bias']);
    await expect(readShardedSafetensors(directory, { names: ['unlisted'] })).rejects.toThrow(
      `${join(directory, SAFETENSORS_INDEX_FILE)}: weight_map has no tensor "unlisted"`,
    );
  });

  it('names the index and the entry for a malformed map, and the shard for a missing tensor', async () => {
    const cases: [string, object | string, string][] = [
      ['not-json', '{"weight_map": ', 'not valid JSON'],
      ['no-map', { metadata: {} }, 'weight_map must be an object of tensor name -> shard file'],
      ['outside', { weight_map: { w: '../model.safetensors' } }, 'weight_map.w must name a shard file in the same'],
      ['not-string', { weight_map: { w: 3 } }, 'weight_map.w must name a shard file in the same directory, got 3'],
    ];
    for (const [name, index, message] of cases) {
      const other = await withIndex(name, typeof index === 'string' ? index : JSON.stringify(index));
      await expect(readShardedSafetensors(other)).rejects.toThrow(`${join(other, SAFETENSORS_INDEX_FILE)}: ${message}`);
    }
    const wrongShard = await withIndex(
      'wrong-shard',
      JSON.stringify({ weight_map: { 'embed.bias': 'model-00002-of-00003.safetensors' } }),
    );
    await expect(readShardedSafetensors(wrongShard)).rejects.toThrow(
      `${join(wrongShard, 'model-00002-of-00003.safetensors')}: tensor "embed.bias" is not in the file`,
    );
  });

  it('fuzzed indexes give a SafetensorsError or a missing-file error, never another failure', async () => {
    const fuzzed = join(directory, 'fuzzed');
    await mkdir(fuzzed, { recursive: true });
    const shardName = fc.oneof(
      fc.constantFrom(...Object.keys(shards), '', '.', '..', 'a/b', 'missing'),
      fc.jsonValue(),
    );
    const index = fc.oneof(
      fc.record({
        weight_map: fc.oneof(fc.dictionary(fc.string({ maxLength: 12 }), shardName, { maxKeys: 4 }), fc.jsonValue()),
      }),
      fc.jsonValue(),
    );
    const text = fc.oneof(
      index.map((value) => JSON.stringify(value) ?? ''),
      index.chain((value) => {
        const full = JSON.stringify(value) ?? '';
        return fc.nat(full.length).map((length) => full.slice(0, length));
      }),
    );
    for (const [file, tensors] of Object.entries(shards)) await writeSafetensors(join(fuzzed, file), tensors);
    await fc.assert(
      fc.asyncProperty(text, async (indexText) => {
        await writeFile(join(fuzzed, SAFETENSORS_INDEX_FILE), indexText);
        try {
          await readShardedSafetensors(fuzzed);
        } catch (error) {
          if (error instanceof SafetensorsError) return;
          expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
        }
      }),
      { numRuns: 300 },
    );
  });
});
