import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serializeSafetensors } from '@diffchat/autodiff';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelDirectory, saveModelDirectory } from './model-directory';
import { ModelFormatError } from './model-format-error';
import { createTinyModel } from './testing/tiny-model';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lm-model-directory-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('saveModelDirectory + readModelDirectory', () => {
  for (const modelType of ['gpt2', 'bloom'] as const) {
    it(`round-trips a ${modelType} model`, async () => {
      const directory = join(root, `round-trip-${modelType}`);
      const model = createTinyModel({ modelType, seed: 3 });
      await saveModelDirectory(directory, { ...model, extraFiles: { 'onnx/README.md': 'later' } });
      expect((await readdir(directory)).sort()).toEqual([
        'config.json',
        'generation_config.json',
        'model.safetensors',
        'onnx',
        'tokenizer.json',
        'tokenizer_config.json',
      ]);
      const loaded = await readModelDirectory(directory);
      expect(loaded.config.model_type).toBe(modelType);
      expect(loaded.generationConfig?.max_new_tokens).toBe(16);
      expect(loaded.metadata.format).toBe('pt');
      expect(loaded.weights.size).toBe(model.weights.size);
      for (const [name, tensor] of model.weights) {
        expect(loaded.weights.get(name)?.shape).toEqual(tensor.shape);
        expect(loaded.weights.get(name)?.data).toEqual(tensor.data);
      }
      expect(loaded.tokenizer.files).toEqual(model.tokenizer);
      expect(loaded.tokenizer.decode(loaded.tokenizer.encode('a cat at night'))).toBe('a cat at night');
    });
  }

  it('replaces an existing directory as a whole and leaves no temporary files', async () => {
    const directory = join(root, 'replace');
    await saveModelDirectory(directory, { ...createTinyModel(), extraFiles: { 'stale.txt': 'old' } });
    await saveModelDirectory(directory, createTinyModel({ seed: 1 }));
    expect(await readdir(directory)).not.toContain('stale.txt');
    expect((await readdir(root)).filter((name) => name.includes('.tmp') || name.includes('.old'))).toEqual([]);
  });

  it('writes nothing when the weights do not match the config', async () => {
    const directory = join(root, 'never-written');
    const model = createTinyModel();
    const weights = new Map(model.weights);
    weights.delete('transformer.ln_f.bias');
    await expect(saveModelDirectory(directory, { ...model, weights })).rejects.toThrow(
      /missing 1 tensor: transformer.ln_f.bias \[16\]/,
    );
    await expect(readdir(directory)).rejects.toThrow();
  });

  it('accepts hub-style names without the transformer. prefix and ignores mask buffers', async () => {
    const directory = join(root, 'hub-names');
    const model = createTinyModel();
    await saveModelDirectory(directory, model);
    const renamed = new Map([...model.weights].map(([name, tensor]) => [name.replace(/^transformer\./, ''), tensor]));
    renamed.set('h.0.attn.bias', { shape: [1, 1, 64, 64], data: new Float32Array(64 * 64) });
    await writeFile(join(directory, 'model.safetensors'), serializeSafetensors(renamed));
    const loaded = await readModelDirectory(directory);
    expect([...loaded.weights.keys()].sort()).toEqual([...model.weights.keys()].sort());
  });
});

describe('sharded weights', () => {
  it('reads model.safetensors.index.json and its shards', async () => {
    const directory = join(root, 'sharded');
    const model = createTinyModel({ modelType: 'bloom' });
    await saveModelDirectory(directory, model);
    await rm(join(directory, 'model.safetensors'));
    const names = [...model.weights.keys()];
    const shardOf = (index: number) => `model-0000${(index % 2) + 1}-of-00002.safetensors`;
    const weightMap = Object.fromEntries(names.map((name, index) => [name, shardOf(index)]));
    for (const shard of [shardOf(0), shardOf(1)]) {
      const tensors = new Map(
        names.filter((name) => weightMap[name] === shard).map((name) => [name, model.weights.get(name)!]),
      );
      await writeFile(join(directory, shard), serializeSafetensors(tensors, { format: 'pt' }));
    }
    await writeFile(
      join(directory, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
    const loaded = await readModelDirectory(directory);
    expect(loaded.weights.size).toBe(model.weights.size);
    expect(loaded.weights.get(names[1]!)?.data).toEqual(model.weights.get(names[1]!)?.data);
    await writeFile(
      join(directory, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { [names[0]!]: '../x' } }),
    );
    await expect(readModelDirectory(directory)).rejects.toThrow(
      /index.json: field weight_map\..*must name a shard file/,
    );
  });
});

describe('readModelDirectory errors', () => {
  const prepare = async (name: string) => {
    const directory = join(root, name);
    const model = createTinyModel();
    await saveModelDirectory(directory, model);
    return { directory, model };
  };

  it('names a missing directory or file', async () => {
    await expect(readModelDirectory(join(root, 'absent'))).rejects.toThrow(/absent: model directory not found/);
    const { directory } = await prepare('missing-file');
    await rm(join(directory, 'model.safetensors'));
    await expect(readModelDirectory(directory)).rejects.toThrow(/model.safetensors: file not found/);
  });

  it('names the line and column of bad JSON and the field of a bad value', async () => {
    const { directory } = await prepare('bad-json');
    await writeFile(join(directory, 'config.json'), '{\n  "model_type": "gpt2",\n  "n_layer": 2,,\n}');
    await expect(readModelDirectory(directory)).rejects.toThrow(/config.json:3:\d+: invalid JSON/);
    await writeFile(join(directory, 'config.json'), JSON.stringify({ model_type: 'gpt2', n_layer: -1 }));
    await expect(readModelDirectory(directory)).rejects.toThrow(/config.json: field n_layer:/);
  });

  it('lists wrong shapes, dtypes, unexpected and missing tensors', async () => {
    const { directory, model } = await prepare('bad-weights');
    const weights = new Map(model.weights);
    weights.set('transformer.wpe.weight', { shape: [63, 16], data: new Float32Array(63 * 16) });
    weights.set('transformer.h.9.ln_1.weight', { shape: [16], data: new Float32Array(16) });
    weights.delete('transformer.h.1.mlp.c_fc.bias');
    await writeFile(join(directory, 'model.safetensors'), serializeSafetensors(weights));
    const error = await readModelDirectory(directory).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelFormatError);
    const message = (error as Error).message;
    expect(message).toContain('model.safetensors: missing 1 tensor: transformer.h.1.mlp.c_fc.bias [64]');
    expect(message).toContain('tensor transformer.wpe.weight has shape [63, 16], expected [64, 16]');
    expect(message).toContain('unexpected tensor transformer.h.9.ln_1.weight');
  });

  it('rejects integer weights by dtype', async () => {
    const { directory, model } = await prepare('bad-dtype');
    const bytes = serializeSafetensors(model.weights);
    // Rewrite one F32 entry of the header as I32 (same width, so offsets stay valid).
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
    const changed = header.replace('"transformer.ln_f.bias":{"dtype":"F32"', '"transformer.ln_f.bias":{"dtype":"I32"');
    expect(changed).not.toBe(header);
    bytes.set(new TextEncoder().encode(changed), 8);
    await writeFile(join(directory, 'model.safetensors'), bytes);
    await expect(readModelDirectory(directory)).rejects.toThrow(
      /tensor transformer.ln_f.bias has dtype I32, expected one of F32, F16, BF16/,
    );
  });

  it('rejects a tokenizer with more ids than embedding rows', async () => {
    const { directory } = await prepare('small-vocab');
    const config = JSON.parse(await readFile(join(directory, 'config.json'), 'utf8'));
    await writeFile(join(directory, 'config.json'), JSON.stringify({ ...config, vocab_size: 10 }));
    await expect(readModelDirectory(directory)).rejects.toThrow(/beyond the 10 embedding rows/);
  });

  it('turns random or truncated config.json and model.safetensors into ModelFormatError', async () => {
    const { directory } = await prepare('fuzz');
    const config = await readFile(join(directory, 'config.json'));
    const weights = await readFile(join(directory, 'model.safetensors'));
    const damage = fc.oneof(
      fc.record({ file: fc.constant('config.json'), bytes: fc.uint8Array({ maxLength: 64 }) }),
      fc.record({
        file: fc.constant('config.json'),
        bytes: fc.nat({ max: config.length - 1 }).map((cut) => config.subarray(0, cut)),
      }),
      fc.record({
        file: fc.constant('config.json'),
        bytes: fc.jsonValue().map((value) => Buffer.from(JSON.stringify({ model_type: 'gpt2', n_head: value }))),
      }),
      fc.record({
        file: fc.constant('model.safetensors'),
        bytes: fc.nat({ max: weights.length - 1 }).map((cut) => weights.subarray(0, cut)),
      }),
      fc.record({ file: fc.constant('model.safetensors'), bytes: fc.uint8Array({ maxLength: 64 }) }),
    );
    await fc.assert(
      fc.asyncProperty(damage, async ({ file, bytes }) => {
        await writeFile(join(directory, file), bytes);
        try {
          await readModelDirectory(directory);
        } catch (error) {
          expect(error).toBeInstanceOf(ModelFormatError);
        } finally {
          await writeFile(join(directory, 'config.json'), config);
          await writeFile(join(directory, 'model.safetensors'), weights);
        }
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * Runs `saveModelDirectory(target, tiny model seed 2 + version.txt "new")` in a child process whose
 * `killAt`-th file-system change (mkdir, writeFile, rename, rm) kills it with SIGKILL first; 0 never kills.
 * @returns how many changes the save made (when not killed) and whether it was killed
 */
async function saveInChild(target: string, killAt: number): Promise<{ changes: number; killed: boolean }> {
  const script = join(root, 'kill-child.mjs');
  await writeFile(
    script,
    `import { createRequire, syncBuiltinESMExports } from 'node:module';
const promises = createRequire(import.meta.url)('node:fs/promises');
let changes = 0;
for (const name of ['mkdir', 'writeFile', 'rename', 'rm']) {
  const original = promises[name];
  promises[name] = (...args) => {
    if (++changes === ${killAt}) process.kill(process.pid, 'SIGKILL');
    return original(...args);
  };
}
syncBuiltinESMExports();
const { saveModelDirectory } = await import(${JSON.stringify(resolve(import.meta.dirname, 'model-directory.ts'))});
const { createTinyModel } = await import(${JSON.stringify(resolve(import.meta.dirname, 'testing/tiny-model.ts'))});
await saveModelDirectory(${JSON.stringify(target)}, { ...createTinyModel({ seed: 2 }), extraFiles: { 'version.txt': 'new' } });
process.stdout.write(String(changes));
`,
  );
  // node itself (not the tsx launcher, which forks), so the kill stops the saver.
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: import.meta.dirname,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  const signal = await new Promise<NodeJS.Signals | null>((done) =>
    child.once('close', (_code, killed) => done(killed)),
  );
  return { changes: Number(output), killed: signal === 'SIGKILL' };
}

describe('saveModelDirectory killed at any step', () => {
  it('always leaves a complete old or new model, and the next save cleans up', async () => {
    const target = join(root, 'killed', 'model');
    const oldModel = { ...createTinyModel({ seed: 1 }), extraFiles: { 'version.txt': 'old' } };
    const newWeights = createTinyModel({ seed: 2 }).weights;
    // Counted over a replacement, which has more steps than a first save.
    await saveModelDirectory(target, oldModel);
    const { changes, killed } = await saveInChild(target, 0);
    expect(killed).toBe(false);
    // The swap is the last few of these changes; every one of them, and the writes before, gets a kill.
    expect(changes).toBeGreaterThan(4);
    const versions = new Set<string>();
    let sawTargetMissing = false;
    for (let killAt = 1; killAt <= changes; killAt++) {
      await saveModelDirectory(target, oldModel);
      expect((await saveInChild(target, killAt)).killed).toBe(true);
      sawTargetMissing ||= !existsSync(target);
      const loaded = await readModelDirectory(target);
      const version = await readFile(join(target, 'version.txt'), 'utf8');
      versions.add(version);
      const expected = version === 'old' ? oldModel.weights : newWeights;
      for (const [name, tensor] of expected) expect(loaded.weights.get(name)?.data).toEqual(tensor.data);
    }
    // The kills did land between moving the old folder out and the new one in, and on both sides of it.
    expect(sawTargetMissing).toBe(true);
    expect([...versions].sort()).toEqual(['new', 'old']);
    await saveModelDirectory(target, oldModel);
    expect(await readdir(join(root, 'killed'))).toEqual(['model']);
  }, 300_000);
});
