import { afterAll, describe, expect, it } from 'vitest';
import { parseModelConfig } from '../architecture-registry';
import { positionIdsFromMask } from '../generation/decoder-session';
import type { WeightTensor } from '../model-directory';
import { CausalLM } from './causal-lm';

// An independent float64 GPT-2 forward, written from the GPT-2 paper / transformers' GPT2Model semantics with
// plain loops: x = wte[id] + wpe[pos]; per block x += proj(attn(ln_1(x))), x += mlp(ln_2(x)); logits = ln_f(x) wte^T.

const CONFIG = { model_type: 'gpt2', n_embd: 32, n_layer: 2, n_head: 4, n_positions: 24, vocab_size: 53 };
const { config } = parseModelConfig(CONFIG);

function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

function randomWeights(seed: number): Map<string, WeightTensor> {
  const next = seededUniform(seed);
  const weights = new Map<string, WeightTensor>();
  for (const spec of tensorSpecs()) {
    const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    const isNormScale = /ln_\w+\.weight$|ln_f\.weight$/.test(spec.name);
    for (let index = 0; index < data.length; index++) data[index] = isNormScale ? 1 + 0.4 * next() : 0.6 * next();
    weights.set(spec.name, { shape: spec.shape, data });
  }
  return weights;
}

function tensorSpecs() {
  return parseModelConfig(CONFIG)
    .architecture.tensors(config)
    .filter((spec) => !spec.optional);
}

type Matrix = number[][];

function tensorRows(weights: Map<string, WeightTensor>, name: string): Matrix {
  const tensor = weights.get(name)!;
  const [rows, columns] = tensor.shape.length === 2 ? tensor.shape : [1, tensor.shape[0]!];
  return Array.from({ length: rows! }, (_, row) =>
    Array.from(tensor.data.subarray(row * columns!, (row + 1) * columns!)),
  );
}

function vector(weights: Map<string, WeightTensor>, name: string): number[] {
  return Array.from(weights.get(name)!.data);
}

function layerNorm(x: number[], scale: number[], bias: number[]): number[] {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
  return x.map((value, index) => ((value - mean) / Math.sqrt(variance + 1e-5)) * scale[index]! + bias[index]!);
}

/** x [in] times W [in][out] plus b [out]. */
function affine(x: number[], weight: Matrix, bias: number[]): number[] {
  return bias.map((b, out) => x.reduce((sum, value, index) => sum + value * weight[index]![out]!, b));
}

function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

/** Logits [length][vocab] of one unpadded sequence. */
function referenceLogits(weights: Map<string, WeightTensor>, ids: number[]): Matrix {
  const width = config.n_embd as number;
  const heads = config.n_head as number;
  const headSize = width / heads;
  const wte = tensorRows(weights, 'transformer.wte.weight');
  const wpe = tensorRows(weights, 'transformer.wpe.weight');
  let x = ids.map((id, position) => wte[id]!.map((value, index) => value + wpe[position]![index]!));
  for (let layer = 0; layer < (config.n_layer as number); layer++) {
    const p = (name: string) => `transformer.h.${layer}.${name}`;
    const normed = x.map((row) => layerNorm(row, vector(weights, p('ln_1.weight')), vector(weights, p('ln_1.bias'))));
    const qkv = normed.map((row) =>
      affine(row, tensorRows(weights, p('attn.c_attn.weight')), vector(weights, p('attn.c_attn.bias'))),
    );
    const attended = ids.map((_, query) => {
      const merged: number[] = [];
      for (let head = 0; head < heads; head++) {
        const q = qkv[query]!.slice(head * headSize, (head + 1) * headSize);
        const scores: number[] = [];
        for (let key = 0; key <= query; key++) {
          const k = qkv[key]!.slice(width + head * headSize, width + (head + 1) * headSize);
          scores.push(q.reduce((sum, value, index) => sum + value * k[index]!, 0) / Math.sqrt(headSize));
        }
        const max = Math.max(...scores);
        const exps = scores.map((score) => Math.exp(score - max));
        const total = exps.reduce((a, b) => a + b, 0);
        for (let index = 0; index < headSize; index++) {
          let value = 0;
          for (let key = 0; key <= query; key++)
            value += (exps[key]! / total) * qkv[key]![2 * width + head * headSize + index]!;
          merged.push(value);
        }
      }
      return affine(merged, tensorRows(weights, p('attn.c_proj.weight')), vector(weights, p('attn.c_proj.bias')));
    });
    x = x.map((row, index) => row.map((value, column) => value + attended[index]![column]!));
    const normed2 = x.map((row) => layerNorm(row, vector(weights, p('ln_2.weight')), vector(weights, p('ln_2.bias'))));
    const mlp = normed2.map((row) => {
      const hidden = affine(row, tensorRows(weights, p('mlp.c_fc.weight')), vector(weights, p('mlp.c_fc.bias'))).map(
        gelu,
      );
      return affine(hidden, tensorRows(weights, p('mlp.c_proj.weight')), vector(weights, p('mlp.c_proj.bias')));
    });
    x = x.map((row, index) => row.map((value, column) => value + mlp[index]![column]!));
  }
  const final = x.map((row) =>
    layerNorm(row, vector(weights, 'transformer.ln_f.weight'), vector(weights, 'transformer.ln_f.bias')),
  );
  return final.map((row) =>
    wte.map((embedding) => embedding.reduce((sum, value, index) => sum + value * row[index]!, 0)),
  );
}

function logSoftmax(row: ArrayLike<number>): number[] {
  const values = Array.from(row);
  const max = Math.max(...values);
  const total = Math.log(values.reduce((sum, value) => sum + Math.exp(value - max), 0)) + max;
  return values.map((value) => value - total);
}

const weights = randomWeights(7);
const model = new CausalLM({ config: CONFIG, weights });
const vocabulary = config.vocab_size as number;
const sequences = [
  [3, 17, 52, 0, 9, 9, 41, 5, 23, 11],
  [44, 2, 30, 7],
];

afterAll(() => model.dispose());

describe('gpt2 graphs', () => {
  it('match an independent float64 forward', async () => {
    for (const ids of sequences) {
      const { data, shape } = await model.forwardLogits({ inputIds: [ids] });
      expect(shape).toEqual([1, ids.length, vocabulary]);
      const expected = referenceLogits(weights, ids);
      let largest = 0;
      expected.forEach((row, position) => {
        row.forEach((value, token) => {
          largest = Math.max(largest, Math.abs(value - data[position * vocabulary + token]!));
        });
      });
      expect(largest).toBeLessThan(1e-4);
      // The logits are not trivially small: the comparison is meaningful.
      expect(Math.max(...expected.flat().map(Math.abs))).toBeGreaterThan(0.5);
    }
  });

  it('give the same logits from a full forward, cached step-by-step decoding and left-padded batches', async () => {
    const ids = sequences[0]!;
    const full = await model.forwardLogits({ inputIds: [ids] });
    for (const mode of ['concatenated', 'preallocated'] as const) {
      const decoder = await model.decoder({ lastPositionOnly: false, cache: mode });
      // A preallocated cache starts too small, so it also grows on the way.
      let cache = decoder.emptyCache(1, 3);
      // Two tokens first, then one at a time: the cache path with a non-empty prompt and with single tokens.
      const chunks = [ids.slice(0, 2), ...ids.slice(2).map((id) => [id])];
      let offset = 0;
      for (const chunk of chunks) {
        const output = await decoder.step({
          inputIds: BigInt64Array.from(chunk, BigInt),
          attentionMask: new BigInt64Array(offset + chunk.length).fill(1n),
          positionIds: BigInt64Array.from(chunk, (_, index) => BigInt(offset + index)),
          sequenceLength: chunk.length,
          cache,
        });
        cache = output.cache;
        for (let index = 0; index < chunk.length * vocabulary; index++) {
          expect(Math.abs(output.logits[index]! - full.data[offset * vocabulary + index]!)).toBeLessThan(1e-4);
        }
        offset += chunk.length;
      }
      expect(cache.length).toBe(ids.length);
    }

    // Left padding: the short row's logits do not depend on the padding in front of it.
    const short = sequences[1]!;
    const pad = ids.length - short.length;
    const mask = [ids.map(() => 1), [...new Array(pad).fill(0), ...short.map(() => 1)]];
    const batch = await model.forwardLogits({
      inputIds: [ids, [...new Array(pad).fill(0), ...short]],
      attentionMask: mask,
    });
    const alone = await model.forwardLogits({ inputIds: [short] });
    for (let position = 0; position < short.length; position++) {
      for (let token = 0; token < vocabulary; token++) {
        const padded = batch.data[(ids.length + pad + position) * vocabulary + token]!;
        expect(Math.abs(padded - alone.data[position * vocabulary + token]!)).toBeLessThan(1e-4);
      }
    }
  });

  it('score sequences with the log-softmax of the forward logits', async () => {
    const scores = await model.score({ inputIds: sequences });
    expect(scores.batch).toBe(2);
    expect(scores.length).toBe(10);
    for (const [row, ids] of sequences.entries()) {
      const expected = referenceLogits(weights, ids).map(logSoftmax);
      for (let position = 0; position + 1 < scores.length; position++) {
        const value = scores.logProbs[row * (scores.length - 1) + position]!;
        if (position + 1 < ids.length)
          expect(Math.abs(value - expected[position]![ids[position + 1]!]!)).toBeLessThan(1e-4);
        else expect(value).toBe(0);
      }
    }
  });

  it('computes position ids as transformers does from a padded mask', () => {
    expect([...positionIdsFromMask([0, 0, 1, 1, 1, 1, 1, 1], 2, 4)]).toEqual([1n, 1n, 0n, 1n, 0n, 1n, 2n, 3n]);
    expect([...positionIdsFromMask([0, 1, 1], 1, 3, 1)]).toEqual([1n]);
  });
});
