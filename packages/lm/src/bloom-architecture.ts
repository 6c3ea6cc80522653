import { z } from 'zod';
import type { ArchitectureDefinition, TensorSpec } from './architecture-definition';
import { boundedSize, CONFIG_LIMITS, dropoutRate, positiveInteger, tokenIdField, tokenIdOrList } from './config-fields';

/**
 * `config.json` of a BLOOM model with Hugging Face's field names and defaults (BloomConfig). Real
 * hub files also write `n_embed` for hidden_size, `num_hidden_layers` and `num_attention_heads`;
 * those aliases are renamed before validation. Unknown fields are kept. Sizes are bounded by
 * {@link CONFIG_LIMITS}.
 */
export const bloomConfigSchema = z
  .looseObject({
    model_type: z.literal('bloom'),
    vocab_size: boundedSize(CONFIG_LIMITS.vocabulary).default(250880),
    /** Width of the residual stream. */
    hidden_size: boundedSize(CONFIG_LIMITS.width).default(64),
    n_layer: boundedSize(CONFIG_LIMITS.layers).default(2),
    n_head: boundedSize(CONFIG_LIMITS.heads).default(8),
    layer_norm_epsilon: z.number().positive().default(1e-5),
    initializer_range: z.number().positive().default(0.02),
    apply_residual_connection_post_layernorm: z.boolean().default(false),
    hidden_dropout: dropoutRate.default(0),
    attention_dropout: dropoutRate.default(0),
    pretraining_tp: positiveInteger.default(1),
    slow_but_exact: z.boolean().default(false),
    bos_token_id: tokenIdField.nullable().default(1),
    eos_token_id: tokenIdOrList.nullable().default(2),
    pad_token_id: tokenIdField.nullish(),
    tie_word_embeddings: z.boolean().default(true),
  })
  .refine((config) => config.hidden_size % config.n_head === 0, {
    path: ['n_head'],
    message: 'hidden_size must be divisible by n_head',
  });

/** A validated BLOOM config (canonical field names, defaults filled in). */
export type BloomConfig = z.output<typeof bloomConfigSchema>;

/**
 * Tensors of BloomForCausalLM with Hugging Face's names and shapes. Linear weights are stored
 * [out, in]; query_key_value is fused, per head interleaved as (head, q|k|v, head size).
 * BLOOM has no position embedding: ALiBi biases the attention scores instead.
 */
function bloomTensors(config: BloomConfig): TensorSpec[] {
  const width = config.hidden_size;
  const tensors: TensorSpec[] = [
    { name: 'transformer.word_embeddings.weight', shape: [config.vocab_size, width] },
    { name: 'transformer.word_embeddings_layernorm.weight', shape: [width] },
    { name: 'transformer.word_embeddings_layernorm.bias', shape: [width] },
  ];
  for (let layer = 0; layer < config.n_layer; layer++) {
    const prefix = `transformer.h.${layer}`;
    tensors.push(
      { name: `${prefix}.input_layernorm.weight`, shape: [width] },
      { name: `${prefix}.input_layernorm.bias`, shape: [width] },
      { name: `${prefix}.self_attention.query_key_value.weight`, shape: [3 * width, width] },
      { name: `${prefix}.self_attention.query_key_value.bias`, shape: [3 * width] },
      { name: `${prefix}.self_attention.dense.weight`, shape: [width, width] },
      { name: `${prefix}.self_attention.dense.bias`, shape: [width] },
      { name: `${prefix}.post_attention_layernorm.weight`, shape: [width] },
      { name: `${prefix}.post_attention_layernorm.bias`, shape: [width] },
      { name: `${prefix}.mlp.dense_h_to_4h.weight`, shape: [4 * width, width] },
      { name: `${prefix}.mlp.dense_h_to_4h.bias`, shape: [4 * width] },
      { name: `${prefix}.mlp.dense_4h_to_h.weight`, shape: [width, 4 * width] },
      { name: `${prefix}.mlp.dense_4h_to_h.bias`, shape: [width] },
    );
  }
  tensors.push({ name: 'transformer.ln_f.weight', shape: [width] }, { name: 'transformer.ln_f.bias', shape: [width] });
  // Tied models may still store the (identical) output projection.
  tensors.push({ name: 'lm_head.weight', shape: [config.vocab_size, width], optional: config.tie_word_embeddings });
  return tensors;
}

/** Files saved from BloomModel (e.g. `bigscience/bloom-560m`) lack the `transformer.` prefix. */
function bloomCanonicalName(name: string): string | null {
  if (name === 'lm_head.weight' || name.startsWith('transformer.')) return name;
  return `transformer.${name}`;
}

/** BLOOM: ALiBi attention, fused query_key_value, LayerNorm after the word embeddings. */
export const bloomArchitecture: ArchitectureDefinition<BloomConfig> = {
  modelType: 'bloom',
  configSchema: bloomConfigSchema,
  configAliases: { n_embed: 'hidden_size', num_hidden_layers: 'n_layer', num_attention_heads: 'n_head' },
  dimensions: (config) => ({
    vocabSize: config.vocab_size,
    hiddenSize: config.hidden_size,
    layers: config.n_layer,
    heads: config.n_head,
  }),
  tensors: bloomTensors,
  canonicalTensorName: bloomCanonicalName,
};
