import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ValidationError } from '@diffchat/core';
import { CausalLM } from '@diffchat/lm';
import { createTinyModel } from '@diffchat/lm/testing';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  adapterConfigOf,
  findLoraTargets,
  initialLoraWeights,
  type LoraTarget,
  loadLoraAdapter,
  loraDelta,
  mergeLoraAdapter,
  saveLoraAdapter,
} from './lora';

const root = await mkdtemp(join(tmpdir(), 'sft-lora-'));
afterAll(() => rm(root, { recursive: true, force: true }));

function model(modelType: 'gpt2' | 'bloom') {
  const directory = createTinyModel({ modelType, hiddenSize: 16, layers: 2, heads: 2 });
  return new CausalLM({ ...directory, tokenizer: directory.tokenizer });
}

describe('LoRA targets', () => {
  it('finds every attention and MLP projection, with PEFT names and sizes', () => {
    const gpt2 = findLoraTargets('gpt2', model('gpt2').weights);
    expect(gpt2.map((target) => target.module)).toEqual(
      expect.arrayContaining([
        'transformer.h.0.attn.c_attn',
        'transformer.h.0.attn.c_proj',
        'transformer.h.1.mlp.c_fc',
      ]),
    );
    expect(gpt2).toHaveLength(8);
    const attention = gpt2.find((target) => target.module === 'transformer.h.0.attn.c_attn')!;
    expect(attention).toMatchObject({ inputs: 16, outputs: 48, layout: 'in-out' });
    expect(attention.loraA).toBe('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight');
    const bloom = findLoraTargets('bloom', model('bloom').weights, ['query_key_value']);
    expect(bloom.map((target) => target.module)).toEqual([
      'transformer.h.0.self_attention.query_key_value',
      'transformer.h.1.self_attention.query_key_value',
    ]);
    expect(bloom[0]).toMatchObject({ inputs: 16, outputs: 48, layout: 'out-in' });
  });

  it('names a target that matches nothing', () => {
    expect(() => findLoraTargets('gpt2', model('gpt2').weights, ['q_proj'])).toThrow(/"q_proj" matched no projection/);
    expect(() => findLoraTargets('llama', new Map())).toThrow(ConfigError);
  });
});

describe('loraDelta', () => {
  it('is (alpha / r) B A, transposed for Conv1D storage', () => {
    const base: Omit<LoraTarget, 'layout'> = {
      module: 'm',
      weight: 'm.weight',
      inputs: 3,
      outputs: 2,
      loraA: 'a',
      loraB: 'b',
    };
    const a = Float32Array.from([1, 2, 3, 4, 5, 6]); // (r=2, in=3)
    const b = Float32Array.from([1, 0, 1, 1]); // (out=2, r=2)
    // B A = [[1, 2, 3], [5, 7, 9]], scaled by alpha / r = 4 / 2.
    expect([...loraDelta({ ...base, layout: 'out-in' }, a, b, 2, 4)]).toEqual([2, 4, 6, 10, 14, 18]);
    expect([...loraDelta({ ...base, layout: 'in-out' }, a, b, 2, 4)]).toEqual([2, 10, 4, 14, 6, 18]);
  });
});

describe('adapter files', () => {
  it('save, load and merge: merged = base + (alpha / r) B A, other weights untouched', async () => {
    const bloom = model('bloom');
    const targets = findLoraTargets('bloom', bloom.weights);
    const tensors = initialLoraWeights(targets, 2, 7);
    for (const [name, tensor] of tensors) {
      if (name.includes('lora_B')) tensor.data.set(tensor.data.map((_, index) => ((index % 5) - 2) / 10));
    }
    const adapter = {
      config: adapterConfigOf(
        'bloom',
        { rank: 2, alpha: 3, dropout: 0 },
        ['dense', 'query_key_value', 'dense_h_to_4h', 'dense_4h_to_h'],
        null,
      ),
      tensors,
    };
    const folder = join(root, 'adapter');
    await saveLoraAdapter(folder, adapter);
    const loaded = await loadLoraAdapter(folder);
    expect(loaded.config).toEqual(adapter.config);
    expect([...loaded.tensors.keys()].sort()).toEqual([...tensors.keys()].sort());
    const merged = mergeLoraAdapter('bloom', bloom.weights, loaded);
    for (const [name, tensor] of bloom.weights) {
      const target = targets.find((candidate) => candidate.weight === name);
      if (!target) {
        expect(merged.get(name)).toBe(tensor);
        continue;
      }
      const a = tensors.get(target.loraA)!.data;
      const b = tensors.get(target.loraB)!.data;
      for (let o = 0; o < target.outputs; o++) {
        for (let i = 0; i < target.inputs; i++) {
          let product = 0;
          for (let k = 0; k < 2; k++) product += b[o * 2 + k]! * a[k * target.inputs + i]!;
          expect(merged.get(name)!.data[o * target.inputs + i]).toBeCloseTo(
            tensor.data[o * target.inputs + i]! + 1.5 * product,
            6,
          );
        }
      }
    }
  });

  it('starts from the base model: B is zero and A is bounded by 1/sqrt(in)', () => {
    const targets = findLoraTargets('gpt2', model('gpt2').weights, ['c_fc']);
    const tensors = initialLoraWeights(targets, 4, 0);
    for (const target of targets) {
      expect(tensors.get(target.loraB)!.data.every((value) => value === 0)).toBe(true);
      const a = tensors.get(target.loraA)!.data;
      expect(a.every((value) => Math.abs(value) <= 1 / Math.sqrt(target.inputs))).toBe(true);
      expect(new Set(a).size).toBeGreaterThan(a.length / 2);
    }
  });

  it('a corrupt adapter folder gives a named error, never a crash', async () => {
    const folder = join(root, 'fuzz');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, ADAPTER_WEIGHTS_FILE), new Uint8Array(0));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.jsonValue().map((value) => new TextEncoder().encode(JSON.stringify(value))),
          fc.constant(new TextEncoder().encode('{"peft_type":"LORA","r":0,"lora_alpha":1,"target_modules":[]}')),
        ),
        async (bytes) => {
          await writeFile(join(folder, ADAPTER_CONFIG_FILE), bytes);
          const error = await loadLoraAdapter(folder).then(
            () => undefined,
            (caught: unknown) => caught,
          );
          expect(error).toBeInstanceOf(Error);
          expect(
            error instanceof ConfigError || error instanceof ValidationError || /safetensors/i.test(String(error)),
          ).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});
