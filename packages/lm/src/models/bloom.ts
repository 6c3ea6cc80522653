import {
  add,
  cast,
  gather,
  gelu,
  layerNormalization,
  mul,
  reshape,
  type SeededRandom,
  type SymbolicTensor,
  split,
  sub,
  transpose,
  unsqueeze,
} from '@diffchat/autodiff';
import { type BloomConfig, bloomArchitecture } from '../bloom-architecture';
import {
  type CausalLanguageModelDefinition,
  denseProjection,
  type ForwardInputs,
  type ForwardOutputs,
  type Projection,
  type WeightSource,
} from './model-definition';
import { causalSelfAttention, cumulativeSum, type KeyValue, keyMaskOf } from './transformer-layers';

// BLOOM (BigScience 2022) as in transformers' BloomForCausalLM: no position embedding but ALiBi biases on the
// attention scores, a LayerNorm right after the word embedding, fused query_key_value laid out per head as
// (head, q|k|v, hs), GELU (tanh) MLP, output projection tied to the word embedding. Linear weights are [out, in].
// Shapes: B batch, S new tokens, P cached tokens, T = P + S, C = hidden_size, nh heads, hs = C / nh.

/**
 * ALiBi slopes as transformers' build_alibi_tensor computes them: a geometric sequence starting at
 * 2^(-8/n) for the largest power of two n <= heads, then, for the remaining heads, every other slope of the
 * sequence for 2n.
 */
export function alibiSlopes(heads: number): number[] {
  const closestPowerOfTwo = 2 ** Math.floor(Math.log2(heads));
  const base = 2 ** -(2 ** -(Math.log2(closestPowerOfTwo) - 3));
  const slopes = Array.from({ length: closestPowerOfTwo }, (_, index) => base ** (index + 1));
  if (closestPowerOfTwo !== heads) {
    const extraBase = 2 ** -(2 ** -(Math.log2(2 * closestPowerOfTwo) - 3));
    const remaining = Math.min(closestPowerOfTwo, heads - closestPowerOfTwo);
    for (let index = 0; index < remaining; index++) slopes.push(extraBase ** (2 * index + 1));
  }
  return slopes;
}

/**
 * ALiBi bias (B, nh, 1, T): slope(head) x the key's position among the unmasked positions of its row, so a
 * left-padded row is biased exactly like the same row unpadded.
 */
function alibi(config: BloomConfig, attentionMask: SymbolicTensor): SymbolicTensor {
  const graph = attentionMask.graph;
  const mask = cast(attentionMask, 'float32'); // (B, T)
  const positions = mul(sub(cumulativeSum(mask), 1), mask); // (B, T)
  const slopes = graph.constant(alibiSlopes(config.n_head), 'float32', [config.n_head, 1, 1]); // (nh, 1, 1)
  return mul(unsqueeze(positions, [1, 2]), slopes); // (B, nh, 1, T)
}

function attention(
  config: BloomConfig,
  project: Projection,
  prefix: string,
  x: SymbolicTensor,
  keyMask: SymbolicTensor,
  bias: SymbolicTensor,
  past: KeyValue | undefined,
  separateCache: boolean,
) {
  const heads = config.n_head;
  const headSize = config.hidden_size / heads;
  const fused = project(x, `${prefix}.query_key_value.weight`, `${prefix}.query_key_value.bias`, 'out-in'); // (B, S, 3C)
  const perHead = reshape(fused, [0, 0, heads, 3, headSize]); // (B, S, nh, 3, hs)
  const [query, key, value] = split(perHead, [1, 1, 1], 3).map(
    (part) => transpose(reshape(part, [0, 0, heads, headSize]), [0, 2, 1, 3]), // (B, nh, S, hs)
  );
  const { output, present } = causalSelfAttention(query!, key!, value!, past, {
    keyMask,
    scale: 1 / Math.sqrt(headSize),
    bias,
    separateCache,
  }); // (B, S, C)
  return { output: project(output, `${prefix}.dense.weight`, `${prefix}.dense.bias`, 'out-in'), present };
}

function mlp(project: Projection, prefix: string, x: SymbolicTensor): SymbolicTensor {
  const hidden = gelu(project(x, `${prefix}.dense_h_to_4h.weight`, `${prefix}.dense_h_to_4h.bias`, 'out-in')); // (B, S, 4C)
  return project(hidden, `${prefix}.dense_4h_to_h.weight`, `${prefix}.dense_4h_to_h.bias`, 'out-in'); // (B, S, C)
}

function layerNorm(config: BloomConfig, w: WeightSource, prefix: string, x: SymbolicTensor): SymbolicTensor {
  return layerNormalization(x, w(`${prefix}.weight`), w(`${prefix}.bias`), { epsilon: config.layer_norm_epsilon });
}

function forward(config: BloomConfig, w: WeightSource, inputs: ForwardInputs): ForwardOutputs {
  const keyMask = keyMaskOf(inputs.attentionMask); // (B, 1, 1, T)
  const bias = alibi(config, inputs.attentionMask); // (B, nh, 1, T)
  const project = inputs.project ?? denseProjection(w);
  // x: (B, S, C), normalised word embedding
  let x = layerNorm(
    config,
    w,
    'transformer.word_embeddings_layernorm',
    gather(w('transformer.word_embeddings.weight'), inputs.inputIds),
  );
  const presents: KeyValue[] = [];
  for (let layer = 0; layer < config.n_layer; layer++) {
    const prefix = `transformer.h.${layer}`;
    const normed = layerNorm(config, w, `${prefix}.input_layernorm`, x);
    const attended = attention(
      config,
      project,
      `${prefix}.self_attention`,
      normed,
      keyMask,
      bias,
      inputs.past?.[layer],
      inputs.separateCache === true,
    );
    x = add(config.apply_residual_connection_post_layernorm ? normed : x, attended.output);
    const normed2 = layerNorm(config, w, `${prefix}.post_attention_layernorm`, x);
    x = add(config.apply_residual_connection_post_layernorm ? normed2 : x, mlp(project, `${prefix}.mlp`, normed2));
    presents.push(attended.present);
  }
  return { hidden: layerNorm(config, w, 'transformer.ln_f', x), presents };
}

function initialValues(
  config: BloomConfig,
  name: string,
  shape: readonly number[],
  random: SeededRandom,
): Float32Array {
  const values = new Float32Array(shape.reduce((product, size) => product * size, 1));
  if (/layernorm\.weight$|ln_f\.weight$/.test(name)) return values.fill(1);
  if (name.endsWith('.bias')) return values;
  return random.fillNormal(values, 0, config.initializer_range);
}

/** BLOOM, registered under `model_type` "bloom". */
export const bloomModel: CausalLanguageModelDefinition<BloomConfig> = {
  architecture: bloomArchitecture,
  usesPositionIds: false,
  forward,
  outputProjection: (config) => ({
    name: config.tie_word_embeddings ? 'transformer.word_embeddings.weight' : 'lm_head.weight',
    layout: 'out-in', // (V, C)
  }),
  initialValues,
};
