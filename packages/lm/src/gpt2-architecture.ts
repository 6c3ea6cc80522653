import { z } from 'zod';
import type { ArchitectureDefinition, TensorSpec } from './architecture-definition';
import { boundedSize, CONFIG_LIMITS, dropoutRate, tokenIdField, tokenIdOrList } from './config-fields';

/**
 * `config.json` of a GPT-2 model with Hugging Face's field names and defaults (GPT2Config). Unknown
 * fields are kept, so a config read and written again loses nothing. Sizes are bounded by
 * {@link CONFIG_LIMITS}.
 */
export const gpt2ConfigSchema = z
  .looseObject({
    model_type: z.literal('gpt2'),
    vocab_size: boundedSize(CONFIG_LIMITS.vocabulary).default(50257),
    /** Longest sequence: rows of the learned position embedding. */
    n_positions: boundedSize(CONFIG_LIMITS.positions).default(1024),
    /** Width of the residual stream. */
    n_embd: boundedSize(CONFIG_LIMITS.width).default(768),
    n_layer: boundedSize(CONFIG_LIMITS.layers).default(12),
    n_head: boundedSize(CONFIG_LIMITS.heads).default(12),
    /** Width of the MLP's hidden layer; null means 4 * n_embd. */
    n_inner: boundedSize(CONFIG_LIMITS.innerWidth).nullable().default(null),
    activation_function: z
      .enum(['gelu_new', 'gelu', 'gelu_pytorch_tanh', 'gelu_fast', 'relu', 'silu'])
      .default('gelu_new'),
    resid_pdrop: dropoutRate.default(0.1),
    embd_pdrop: dropoutRate.default(0.1),
    attn_pdrop: dropoutRate.default(0.1),
    layer_norm_epsilon: z.number().positive().default(1e-5),
    initializer_range: z.number().positive().default(0.02),
    /** Divide attention scores by sqrt(head size). */
    scale_attn_weights: z.boolean().default(true),
    scale_attn_by_inverse_layer_idx: z.boolean().default(false),
    bos_token_id: tokenIdField.nullable().default(50256),
    eos_token_id: tokenIdOrList.nullable().default(50256),
    pad_token_id: tokenIdField.nullish(),
    /** The output projection reuses the token embedding (no separate lm_head.weight). */
    tie_word_embeddings: z.boolean().default(true),
  })
  .refine((config) => config.n_embd % config.n_head === 0, {
    path: ['n_head'],
    message: 'n_embd must be divisible by n_head',
  });

/** A validated GPT-2 config (canonical field names, defaults filled in). */
export type Gpt2Config = z.output<typeof gpt2ConfigSchema>;

/**
 * Tensors of GPT2LMHeadModel with Hugging Face's names and shapes. The linear layers are Conv1D, so
 * their weights are stored [in, out].
 */
function gpt2Tensors(config: Gpt2Config): TensorSpec[] {
  const width = config.n_embd;
  const inner = config.n_inner ?? 4 * width;
  const tensors: TensorSpec[] = [
    { name: 'transformer.wte.weight', shape: [config.vocab_size, width] },
    { name: 'transformer.wpe.weight', shape: [config.n_positions, width] },
  ];
  for (let layer = 0; layer < config.n_layer; layer++) {
    const prefix = `transformer.h.${layer}`;
    tensors.push(
      { name: `${prefix}.ln_1.weight`, shape: [width] },
      { name: `${prefix}.ln_1.bias`, shape: [width] },
      { name: `${prefix}.attn.c_attn.weight`, shape: [width, 3 * width] },
      { name: `${prefix}.attn.c_attn.bias`, shape: [3 * width] },
      { name: `${prefix}.attn.c_proj.weight`, shape: [width, width] },
      { name: `${prefix}.attn.c_proj.bias`, shape: [width] },
      { name: `${prefix}.ln_2.weight`, shape: [width] },
      { name: `${prefix}.ln_2.bias`, shape: [width] },
      { name: `${prefix}.mlp.c_fc.weight`, shape: [width, inner] },
      { name: `${prefix}.mlp.c_fc.bias`, shape: [inner] },
      { name: `${prefix}.mlp.c_proj.weight`, shape: [inner, width] },
      { name: `${prefix}.mlp.c_proj.bias`, shape: [width] },
    );
  }
  tensors.push({ name: 'transformer.ln_f.weight', shape: [width] }, { name: 'transformer.ln_f.bias', shape: [width] });
  // Tied models may still store the (identical) output projection.
  tensors.push({ name: 'lm_head.weight', shape: [config.vocab_size, width], optional: config.tie_word_embeddings });
  return tensors;
}

/**
 * Files saved from GPT2Model (e.g. the `gpt2` repository) lack the `transformer.` prefix, and older
 * ones store the causal mask buffers `attn.bias` / `attn.masked_bias`, which are not weights.
 */
function gpt2CanonicalName(name: string): string | null {
  if (/\.attn\.(masked_)?bias$/.test(name)) return null;
  if (name === 'lm_head.weight' || name.startsWith('transformer.')) return name;
  return `transformer.${name}`;
}

/** GPT-2: learned positions, pre-LayerNorm blocks, GELU MLP, tied embeddings. */
export const gpt2Architecture: ArchitectureDefinition<Gpt2Config> = {
  modelType: 'gpt2',
  configSchema: gpt2ConfigSchema,
  configAliases: {
    hidden_size: 'n_embd',
    max_position_embeddings: 'n_positions',
    num_attention_heads: 'n_head',
    num_hidden_layers: 'n_layer',
  },
  dimensions: (config) => ({
    vocabSize: config.vocab_size,
    hiddenSize: config.n_embd,
    layers: config.n_layer,
    heads: config.n_head,
    maxPositions: config.n_positions,
  }),
  tensors: gpt2Tensors,
  canonicalTensorName: gpt2CanonicalName,
};
