import { afterAll, describe, expect, it } from 'vitest';
import { parseModelConfig } from '../architecture-registry';
import type { WeightTensor } from '../model-directory';
import { alibiSlopes } from './bloom';
import { CausalLM } from './causal-lm';

// An independent float64 BLOOM forward with plain loops, from transformers' BloomModel semantics:
// x = LN(word_embeddings[id]); per block: h = LN_in(x); fused qkv laid out per head as (head, q|k|v, hs);
// scores = q.k / sqrt(hs) + slope(head) * key position; x += dense(attn); x += mlp(LN_post(x)); logits = ln_f(x) E^T.

const CONFIG = { model_type: 'bloom', hidden_size: 48, n_layer: 2, n_head: 6, vocab_size: 61 };
const { config, architecture } = parseModelConfig(CONFIG);
const width = 48;
const heads = 6;
const headSize = width / heads;
const vocabulary = 61;

function randomWeights(seed: number): Map<string, WeightTensor> {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  const weights = new Map<string, WeightTensor>();
  for (const spec of architecture.tensors(config).filter((candidate) => !candidate.optional)) {
    const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    const isNormScale = /layernorm\.weight$|ln_f\.weight$/.test(spec.name);
    for (let index = 0; index < data.length; index++) data[index] = isNormScale ? 1 + 0.4 * next() : 0.6 * next();
    weights.set(spec.name, { shape: spec.shape, data });
  }
  return weights;
}

const weights = randomWeights(11);
const get = (name: string) => weights.get(name)!;

function layerNorm(x: number[], prefix: string): number[] {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
  const scale = get(`${prefix}.weight`).data;
  const bias = get(`${prefix}.bias`).data;
  return x.map((value, index) => ((value - mean) / Math.sqrt(variance + 1e-5)) * scale[index]! + bias[index]!);
}

/** torch.nn.Linear: weight [out][in] row-major. */
function linear(x: number[], prefix: string): number[] {
  const weight = get(`${prefix}.weight`);
  const bias = get(`${prefix}.bias`).data;
  const inputs = weight.shape[1]!;
  return Array.from(bias, (b, out) =>
    x.reduce((sum, value, index) => sum + value * weight.data[out * inputs + index]!, b),
  );
}

function gelu(x: number): number {
  return x * 0.5 * (1 + Math.tanh(0.7978845608028654 * x * (1 + 0.044715 * x * x)));
}

const SLOPES_SIX_HEADS = [0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125];

function referenceLogits(ids: number[]): number[][] {
  const embedding = get('transformer.word_embeddings.weight').data;
  let x = ids.map((id) =>
    layerNorm(Array.from(embedding.subarray(id * width, (id + 1) * width)), 'transformer.word_embeddings_layernorm'),
  );
  for (let layer = 0; layer < 2; layer++) {
    const p = `transformer.h.${layer}`;
    const qkv = x.map((row) => linear(layerNorm(row, `${p}.input_layernorm`), `${p}.self_attention.query_key_value`));
    const pick = (position: number, head: number, part: number) =>
      qkv[position]!.slice((head * 3 + part) * headSize, (head * 3 + part + 1) * headSize);
    const attended = ids.map((_, query) => {
      const merged: number[] = [];
      for (let head = 0; head < heads; head++) {
        const q = pick(query, head, 0);
        const scores: number[] = [];
        for (let key = 0; key <= query; key++) {
          const k = pick(key, head, 1);
          const dot = q.reduce((sum, value, index) => sum + value * k[index]!, 0);
          scores.push(dot / Math.sqrt(headSize) + SLOPES_SIX_HEADS[head]! * key);
        }
        const max = Math.max(...scores);
        const exps = scores.map((score) => Math.exp(score - max));
        const total = exps.reduce((a, b) => a + b, 0);
        for (let index = 0; index < headSize; index++) {
          let value = 0;
          for (let key = 0; key <= query; key++) value += (exps[key]! / total) * pick(key, head, 2)[index]!;
          merged.push(value);
        }
      }
      return linear(merged, `${p}.self_attention.dense`);
    });
    x = x.map((row, index) => row.map((value, column) => value + attended[index]![column]!));
    const mlp = x.map((row) =>
      linear(
        linear(layerNorm(row, `${p}.post_attention_layernorm`), `${p}.mlp.dense_h_to_4h`).map(gelu),
        `${p}.mlp.dense_4h_to_h`,
      ),
    );
    x = x.map((row, index) => row.map((value, column) => value + mlp[index]![column]!));
  }
  return x.map((row) => {
    const final = layerNorm(row, 'transformer.ln_f');
    return Array.from({ length: vocabulary }, (_, token) =>
      final.reduce((sum, value, index) => sum + value * embedding[token * width + index]!, 0),
    );
  });
}

const model = new CausalLM({ config: CONFIG, weights });
afterAll(() => model.dispose());
const ids = [5, 60, 13, 13, 2, 48, 31, 7, 0];

describe('bloom graphs', () => {
  it('use the ALiBi slopes transformers computes, also for head counts that are not powers of two', () => {
    expect(alibiSlopes(8)).toEqual([0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625]);
    expect(alibiSlopes(6)).toEqual(SLOPES_SIX_HEADS);
    expect(alibiSlopes(1)).toEqual([2 ** -8]);
  });

  it('match an independent float64 forward', async () => {
    const { data } = await model.forwardLogits({ inputIds: [ids] });
    const expected = referenceLogits(ids);
    let largest = 0;
    expected.forEach((row, position) => {
      row.forEach((value, token) => {
        largest = Math.max(largest, Math.abs(value - data[position * vocabulary + token]!));
      });
    });
    expect(largest).toBeLessThan(1e-4);
    expect(Math.max(...expected.flat().map(Math.abs))).toBeGreaterThan(0.5);
  });

  it('give the same logits from a full forward, cached decoding, scoring and a left-padded batch', async () => {
    const full = await model.forwardLogits({ inputIds: [ids] });
    const decoder = await model.decoder({ lastPositionOnly: false, cache: 'preallocated' });
    // A cache that grows from 4 slots and one of 4096 slots (the step reads only the filled ones).
    for (const capacity of [4, 4096]) {
      let cache = decoder.emptyCache(1, capacity);
      for (let position = 0; position < ids.length; position++) {
        const output = await decoder.step({
          inputIds: BigInt64Array.of(BigInt(ids[position]!)),
          attentionMask: new BigInt64Array(position + 1).fill(1n),
          sequenceLength: 1,
          cache,
        });
        cache = output.cache;
        for (let token = 0; token < vocabulary; token++) {
          expect(Math.abs(output.logits[token]! - full.data[position * vocabulary + token]!)).toBeLessThan(1e-4);
        }
      }
    }
    const scores = await model.score({ inputIds: [ids] });
    for (let position = 0; position + 1 < ids.length; position++) {
      const row = Array.from(full.data.subarray(position * vocabulary, (position + 1) * vocabulary));
      const max = Math.max(...row);
      const logTotal = Math.log(row.reduce((sum, value) => sum + Math.exp(value - max), 0)) + max;
      expect(Math.abs(scores.logProbs[position]! - (row[ids[position + 1]!]! - logTotal))).toBeLessThan(1e-4);
    }
    const padded = await model.forwardLogits({
      inputIds: [[0, 0, 0, ...ids]],
      attentionMask: [[0, 0, 0, ...ids.map(() => 1)]],
    });
    for (let index = 0; index < ids.length * vocabulary; index++) {
      expect(Math.abs(padded.data[3 * vocabulary + index]! - full.data[index]!)).toBeLessThan(1e-4);
    }
  });
});
