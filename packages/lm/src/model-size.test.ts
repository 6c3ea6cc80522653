import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModelConfig } from './architecture-registry';
import { CONFIG_LIMITS } from './config-fields';
import { loadModelDirectory } from './hub';
import { ModelFormatError } from './model-format-error';
import {
  checkModelDirectorySize,
  checkParameterMemory,
  impliedParameterCount,
  safetensorsElementCount,
} from './model-size';
import { createModel } from './models/causal-lm';
import { saveTinyModel } from './testing/tiny-model';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lm-model-size-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function formatErrorOf(action: () => unknown): ModelFormatError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFormatError);
    return error as ModelFormatError;
  }
  throw new Error('expected a ModelFormatError');
}

/** Every bounded size field, with the limit that applies and the config it sits in. */
const BOUNDED_FIELDS = [
  { modelType: 'gpt2', field: 'n_layer', limit: CONFIG_LIMITS.layers },
  { modelType: 'gpt2', field: 'n_embd', limit: CONFIG_LIMITS.width },
  { modelType: 'gpt2', field: 'n_head', limit: CONFIG_LIMITS.heads },
  { modelType: 'gpt2', field: 'vocab_size', limit: CONFIG_LIMITS.vocabulary },
  { modelType: 'gpt2', field: 'n_positions', limit: CONFIG_LIMITS.positions },
  { modelType: 'gpt2', field: 'n_inner', limit: CONFIG_LIMITS.innerWidth },
  { modelType: 'bloom', field: 'n_layer', limit: CONFIG_LIMITS.layers },
  { modelType: 'bloom', field: 'hidden_size', limit: CONFIG_LIMITS.width },
  { modelType: 'bloom', field: 'n_head', limit: CONFIG_LIMITS.heads },
  { modelType: 'bloom', field: 'vocab_size', limit: CONFIG_LIMITS.vocabulary },
] as const;

describe('config size limits', () => {
  it.each([
    ['gpt2', 'n_layer', 100_000_000],
    ['gpt2', 'vocab_size', 1e12],
    ['gpt2', 'n_embd', 1e9],
    ['bloom', 'n_layer', 100_000_000],
    ['bloom', 'vocab_size', 1e12],
    ['bloom', 'hidden_size', 1e9],
  ])('refuses an absurd %s %s, naming the field', (modelType, field, value) => {
    const error = formatErrorOf(() => parseModelConfig({ model_type: modelType, [field]: value }));
    expect(error.field).toBe(field);
    expect(error.problem).toContain('exceeds the supported maximum');
  });

  it('names the canonical field when an alias holds the absurd value', () => {
    const error = formatErrorOf(() => parseModelConfig({ model_type: 'bloom', num_hidden_layers: 1e8 }));
    expect(error.field).toBe('n_layer');
  });

  it('accepts every size up to its limit and refuses every size above it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BOUNDED_FIELDS),
        fc.integer({ min: 1, max: 2 ** 40 }),
        ({ modelType, field, limit }, value) => {
          const widthField = modelType === 'gpt2' ? 'n_embd' : 'hidden_size';
          const config: Record<string, unknown> = { model_type: modelType, [widthField]: 1024, n_head: 1 };
          config[field] = value;
          // The width must be a multiple of n_head: give a valid head count a width it divides.
          if (field === 'n_head' && value <= CONFIG_LIMITS.width) config[widthField] = value;
          if (field === 'n_head' && value <= limit && value > CONFIG_LIMITS.width) return;
          if (value <= limit) expect(() => parseModelConfig(config)).not.toThrow();
          else expect(formatErrorOf(() => parseModelConfig(config)).field).toBe(field);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('impliedParameterCount', () => {
  it('matches the published sizes of GPT-2 small and BLOOM-560m', () => {
    // transformers reports 124,439,808 parameters for gpt2 and 559,214,592 for bigscience/bloom-560m.
    const gpt2 = parseModelConfig({ model_type: 'gpt2' });
    expect(impliedParameterCount(gpt2.architecture, gpt2.config)).toBe(124_439_808);
    const bloom = parseModelConfig({ model_type: 'bloom', hidden_size: 1024, n_layer: 24, n_head: 16 });
    expect(impliedParameterCount(bloom.architecture, bloom.config)).toBe(559_214_592);
  });

  it('agrees with the formula V C + P C + L (12 C^2 + 13 C) + 2 C for GPT-2', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 2048 }),
        (vocabulary, width, layers, positions) => {
          const { config, architecture } = parseModelConfig({
            model_type: 'gpt2',
            vocab_size: vocabulary,
            n_embd: width,
            n_head: 1,
            n_layer: layers,
            n_positions: positions,
          });
          const expected = (vocabulary + positions) * width + layers * (12 * width ** 2 + 13 * width) + 2 * width;
          expect(impliedParameterCount(architecture, config)).toBe(expected);
        },
      ),
    );
  });
});

describe('checkParameterMemory', () => {
  const largest = {
    model_type: 'gpt2',
    vocab_size: CONFIG_LIMITS.vocabulary,
    n_embd: CONFIG_LIMITS.width,
    n_layer: CONFIG_LIMITS.layers,
    n_head: 1,
  };

  it('refuses weights larger than memory, with the count and the bytes', () => {
    const { config, architecture } = parseModelConfig({ model_type: 'gpt2', n_layer: 1, n_embd: 8, n_head: 1 });
    const parameters = 50257 * 8 + 1024 * 8 + (12 * 64 + 13 * 8) + 16;
    const error = formatErrorOf(() => checkParameterMemory('config.json', architecture, config, 4 * parameters - 1));
    expect(error.problem).toContain(`implies ${parameters} parameters`);
    expect(error.problem).toContain(`${4 * parameters} bytes`);
    expect(() => checkParameterMemory('config.json', architecture, config, 4 * parameters)).not.toThrow();
  });

  it('stops createModel before it allocates a model at the size limits', () => {
    // 12 x 1024 x 65536^2 parameters: no machine holds them, so the refusal must come before any allocation.
    expect(formatErrorOf(() => createModel(largest)).problem).toMatch(/more than the \d+ bytes of memory/);
  });
});

describe('checkModelDirectorySize', () => {
  it('passes real tiny models, which then load', async () => {
    for (const modelType of ['gpt2', 'bloom'] as const) {
      const directory = join(root, `tiny-${modelType}`);
      await saveTinyModel(directory, { modelType });
      await expect(checkModelDirectorySize(directory)).resolves.toBeUndefined();
      expect((await loadModelDirectory(directory)).config.model_type).toBe(modelType);
    }
  });

  it('names both counts when config.json disagrees with the weights file', async () => {
    const directory = join(root, 'disagreeing');
    const saved = await saveTinyModel(directory, { modelType: 'bloom', layers: 2, hiddenSize: 16 });
    const stored = [...saved.weights.values()].reduce((total, tensor) => total + tensor.data.length, 0);
    const configPath = join(directory, 'config.json');
    const config = JSON.parse(await readFile(configPath, 'utf8'));
    await writeFile(configPath, JSON.stringify({ ...config, n_layer: 3 }));
    const perLayer = 12 * 16 * 16 + 13 * 16;
    const message = `implies ${stored + perLayer} parameters, but model.safetensors holds ${stored}`;
    await expect(checkModelDirectorySize(directory)).rejects.toThrow(message);
    await expect(loadModelDirectory(directory)).rejects.toBeInstanceOf(ModelFormatError);
  });

  it('refuses an absurd config.json beside real weights, naming the field', async () => {
    const directory = join(root, 'absurd');
    await saveTinyModel(directory);
    const configPath = join(directory, 'config.json');
    const config = JSON.parse(await readFile(configPath, 'utf8'));
    for (const [field, value] of [
      ['n_layer', 100_000_000],
      ['vocab_size', 1e12],
      ['n_embd', 1e9],
    ] as const) {
      await writeFile(configPath, JSON.stringify({ ...config, [field]: value }));
      await expect(loadModelDirectory(directory)).rejects.toMatchObject({ name: 'ModelFormatError', field });
    }
  });

  it('refuses a config within the limits whose weights exceed memory', async () => {
    const directory = join(root, 'too-large');
    await saveTinyModel(directory);
    const configPath = join(directory, 'config.json');
    const config = JSON.parse(await readFile(configPath, 'utf8'));
    await writeFile(configPath, JSON.stringify({ ...config, n_layer: 1024, n_embd: 65536, n_head: 1 }));
    await expect(checkModelDirectorySize(directory, 2 ** 34)).rejects.toThrow(/more than the 17179869184 bytes/);
  });
});

describe('safetensorsElementCount', () => {
  it('counts the elements a header declares without reading the data', async () => {
    const file = join(root, 'header-only.safetensors');
    const header = JSON.stringify({
      __metadata__: { format: 'pt' },
      a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
      b: { dtype: 'F16', shape: [5], data_offsets: [24, 34] },
    });
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(header.length));
    // The data section is left out entirely: a reader that touched it would fail.
    await writeFile(file, Buffer.concat([prefix, Buffer.from(header)]));
    expect(await safetensorsElementCount(file)).toBe(11);
    expect(await safetensorsElementCount(file, (name) => name === 'b')).toBe(5);
  });

  it('returns a count or null for arbitrary bytes, never throwing', async () => {
    const file = join(root, 'fuzzed.safetensors');
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), fc.string(), async (tail, json) => {
        const prefix = Buffer.alloc(8);
        prefix.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
        for (const bytes of [Buffer.from(tail), Buffer.concat([prefix, Buffer.from(json), Buffer.from(tail)])]) {
          await writeFile(file, bytes);
          const count = await safetensorsElementCount(file);
          expect(count === null || Number.isSafeInteger(count)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('returns null for a missing file', async () => {
    expect(await safetensorsElementCount(join(root, 'absent.safetensors'))).toBeNull();
  });
});
