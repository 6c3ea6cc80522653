import {
  add,
  gather,
  gelu,
  layerNormalization,
  mul,
  relu,
  type SeededRandom,
  type SymbolicTensor,
  sigmoid,
  split,
  splitHeads,
} from '@diffchat/autodiff';
import { type Gpt2Config, gpt2Architecture } from '../gpt2-architecture';
import {
  type CausalLanguageModelDefinition,
  denseProjection,
  type ForwardInputs,
  type ForwardOutputs,
  type Projection,
  type WeightSource,
} from './model-definition';
import { causalSelfAttention, type KeyValue, keyMaskOf } from './transformer-layers';

// GPT-2 (Radford et al. 2019) as in transformers' GPT2LMHeadModel: learned positions, pre-LayerNorm blocks,
// GELU (tanh) MLP, output projection tied to the token embedding. Conv1D weights are stored [in, out].
// Shapes: B batch, S new tokens, P cached tokens, T = P + S, C = n_embd, nh heads, hs = C / nh, V vocabulary.

function activation(config: Gpt2Config, x: SymbolicTensor): SymbolicTensor {
  switch (config.activation_function) {
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
    case 'gelu_fast':
      return gelu(x);
    case 'relu':
      return relu(x);
    case 'silu':
      return mul(x, sigmoid(x));
    default:
      // The exact erf GELU needs an op the builder does not have; gelu_new is what GPT-2 checkpoints use.
      throw new Error(`gpt2: activation_function "${config.activation_function}" is not supported`);
  }
}

function attention(
  config: Gpt2Config,
  project: Projection,
  prefix: string,
  x: SymbolicTensor,
  keyMask: SymbolicTensor,
  layer: number,
  past: KeyValue | undefined,
  separateCache: boolean,
) {
  const width = config.n_embd;
  const qkv = project(x, `${prefix}.c_attn.weight`, `${prefix}.c_attn.bias`, 'in-out'); // (B, S, 3C)
  const [query, key, value] = split(qkv, [width, width, width], 2).map((part) => splitHeads(part, config.n_head)); // (B, nh, S, hs)
  let scale = config.scale_attn_weights ? 1 / Math.sqrt(width / config.n_head) : 1;
  if (config.scale_attn_by_inverse_layer_idx) scale /= layer + 1;
  const { output, present } = causalSelfAttention(query!, key!, value!, past, { keyMask, scale, separateCache }); // (B, S, C)
  return { output: project(output, `${prefix}.c_proj.weight`, `${prefix}.c_proj.bias`, 'in-out'), present };
}

function mlp(config: Gpt2Config, project: Projection, prefix: string, x: SymbolicTensor): SymbolicTensor {
  const hidden = activation(config, project(x, `${prefix}.c_fc.weight`, `${prefix}.c_fc.bias`, 'in-out')); // (B, S, 4C)
  return project(hidden, `${prefix}.c_proj.weight`, `${prefix}.c_proj.bias`, 'in-out'); // (B, S, C)
}

function layerNorm(config: Gpt2Config, w: WeightSource, prefix: string, x: SymbolicTensor): SymbolicTensor {
  return layerNormalization(x, w(`${prefix}.weight`), w(`${prefix}.bias`), { epsilon: config.layer_norm_epsilon });
}

function forward(config: Gpt2Config, w: WeightSource, inputs: ForwardInputs): ForwardOutputs {
  if (!inputs.positionIds) throw new Error('gpt2: the forward pass needs position_ids');
  const keyMask = keyMaskOf(inputs.attentionMask); // (B, 1, 1, T)
  const project = inputs.project ?? denseProjection(w);
  // x: (B, S, C) = token embedding + position embedding
  let x = add(
    gather(w('transformer.wte.weight'), inputs.inputIds),
    gather(w('transformer.wpe.weight'), inputs.positionIds),
  );
  const presents: KeyValue[] = [];
  for (let layer = 0; layer < config.n_layer; layer++) {
    const prefix = `transformer.h.${layer}`;
    const attended = attention(
      config,
      project,
      `${prefix}.attn`,
      layerNorm(config, w, `${prefix}.ln_1`, x),
      keyMask,
      layer,
      inputs.past?.[layer],
      inputs.separateCache === true,
    );
    x = add(x, attended.output);
    x = add(x, mlp(config, project, `${prefix}.mlp`, layerNorm(config, w, `${prefix}.ln_2`, x)));
    presents.push(attended.present);
  }
  return { hidden: layerNorm(config, w, 'transformer.ln_f', x), presents };
}

function initialValues(config: Gpt2Config, name: string, shape: readonly number[], random: SeededRandom): Float32Array {
  const values = new Float32Array(shape.reduce((product, size) => product * size, 1));
  if (/\.ln_\w+\.weight$|ln_f\.weight$/.test(name)) return values.fill(1);
  if (name.endsWith('.bias')) return values;
  // GPT-2 scales the projections into the residual stream by 1/sqrt(2 n_layer) so its variance stays put.
  const residual = /\.c_proj\.weight$/.test(name);
  const std = config.initializer_range / (residual ? Math.sqrt(2 * config.n_layer) : 1);
  return random.fillNormal(values, 0, std);
}

/** GPT-2, registered under `model_type` "gpt2". */
export const gpt2Model: CausalLanguageModelDefinition<Gpt2Config> = {
  architecture: gpt2Architecture,
  usesPositionIds: true,
  forward,
  outputProjection: (config) => ({
    name: config.tie_word_embeddings ? 'transformer.wte.weight' : 'lm_head.weight',
    layout: 'out-in', // (V, C)
  }),
  initialValues,
};
