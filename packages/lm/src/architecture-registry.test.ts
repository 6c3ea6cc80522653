import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getArchitecture, parseModelConfig, registerArchitecture, supportedModelTypes } from './architecture-registry';
import { parseGenerationConfig } from './generation-config';
import { ModelFormatError } from './model-format-error';

/** config.json of the `gpt2` repository (field values as published). */
const gpt2Json = {
  activation_function: 'gelu_new',
  architectures: ['GPT2LMHeadModel'],
  attn_pdrop: 0.1,
  bos_token_id: 50256,
  embd_pdrop: 0.1,
  eos_token_id: 50256,
  initializer_range: 0.02,
  layer_norm_epsilon: 1e-5,
  model_type: 'gpt2',
  n_ctx: 1024,
  n_embd: 768,
  n_head: 12,
  n_layer: 12,
  n_positions: 1024,
  resid_pdrop: 0.1,
  task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
  vocab_size: 50257,
};

/** config.json of `bigscience/bloom-560m`, which spells hidden_size as n_embed. */
const bloom560mJson = {
  apply_residual_connection_post_layernorm: false,
  architectures: ['BloomForCausalLM'],
  attention_dropout: 0.0,
  attention_softmax_in_fp32: true,
  bias_dropout_fusion: true,
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_dropout: 0.0,
  initializer_range: 0.02,
  layer_norm_epsilon: 1e-5,
  masked_softmax_fusion: true,
  model_type: 'bloom',
  n_embed: 1024,
  n_inner: null,
  n_layer: 24,
  num_attention_heads: 16,
  offset_alibi: 100,
  pad_token_id: 3,
  pretraining_tp: 1,
  skip_bias_add: true,
  skip_bias_add_qkv: false,
  slow_but_exact: false,
  unk_token_id: 0,
  use_cache: true,
  vocab_size: 250880,
};

const parameterCount = (modelType: string, json: unknown) => {
  const { config, architecture } = parseModelConfig(json);
  expect(architecture.modelType).toBe(modelType);
  return architecture
    .tensors(config)
    .filter((spec) => !spec.optional)
    .reduce((total, spec) => total + spec.shape.reduce((product, size) => product * size, 1), 0);
};

describe('model configs', () => {
  it('reads GPT-2 with its published parameter count (124,439,808)', () => {
    const { config } = parseModelConfig(gpt2Json);
    expect(config.n_inner).toBeNull();
    expect(config.tie_word_embeddings).toBe(true);
    expect(config.task_specific_params).toEqual(gpt2Json.task_specific_params);
    expect(parameterCount('gpt2', gpt2Json)).toBe(124_439_808);
  });

  it('reads BLOOM-560m and BLOOM-1b1 with their aliases and published parameter counts', () => {
    const { config, architecture } = parseModelConfig(bloom560mJson);
    expect(config.hidden_size).toBe(1024);
    expect(config.n_head).toBe(16);
    expect('n_embed' in config).toBe(false);
    expect(architecture.dimensions(config)).toEqual({ vocabSize: 250880, hiddenSize: 1024, layers: 24, heads: 16 });
    expect(parameterCount('bloom', bloom560mJson)).toBe(559_214_592);
    const bloom1b1 = {
      ...bloom560mJson,
      n_embed: undefined,
      hidden_size: 1536,
      num_attention_heads: undefined,
      n_head: 16,
    };
    expect(parameterCount('bloom', JSON.parse(JSON.stringify(bloom1b1)))).toBe(1_065_314_304);
  });

  it('accepts GPT-2 aliases used by newer configs', () => {
    const { config } = parseModelConfig({
      model_type: 'gpt2',
      hidden_size: 64,
      num_hidden_layers: 2,
      num_attention_heads: 4,
    });
    expect([config.n_embd, config.n_layer, config.n_head]).toEqual([64, 2, 4]);
  });

  it('says which field is wrong', () => {
    expect(() => parseModelConfig({ model_type: 'gpt2', n_embd: 10, n_head: 3 }, 'x/config.json')).toThrow(
      'x/config.json: field n_head: n_embd must be divisible by n_head',
    );
    expect(() => parseModelConfig({ model_type: 'gpt2', n_layer: 'two' })).toThrow(/field n_layer/);
    expect(() => parseModelConfig({ model_type: 'bloom', n_head: 8, num_attention_heads: 4 })).toThrow(
      /field num_attention_heads: 4 disagrees with n_head = 8/,
    );
  });

  it('rejects an unknown model_type, listing the supported ones', () => {
    expect(() => parseModelConfig({ model_type: 'llama' })).toThrow(
      'config.json: field model_type: unsupported model_type "llama"; supported: bloom, gpt2',
    );
    expect(() => getArchitecture('llama')).toThrow(/supported: bloom, gpt2/);
  });

  it('never crashes on arbitrary JSON values', () => {
    const nearlyValid = fc.record({
      model_type: fc.oneof(fc.constantFrom('gpt2', 'bloom'), fc.anything()),
      n_embd: fc.anything(),
      n_head: fc.oneof(fc.integer(), fc.anything()),
      eos_token_id: fc.anything(),
      n_embed: fc.anything(),
    });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), nearlyValid), (value) => {
        try {
          parseModelConfig(value);
        } catch (error) {
          expect(error).toBeInstanceOf(ModelFormatError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('registerArchitecture', () => {
  it('adds a model_type and refuses silent replacement', () => {
    const schema = z.looseObject({ model_type: z.literal('toy'), width: z.number().int().positive() });
    registerArchitecture({
      modelType: 'toy',
      configSchema: schema,
      dimensions: (config) => ({ vocabSize: 1, hiddenSize: config.width as number, layers: 1, heads: 1 }),
      tensors: (config) => [{ name: 'w', shape: [config.width as number] }],
    });
    expect(supportedModelTypes()).toContain('toy');
    expect(
      parseModelConfig({ model_type: 'toy', width: 3 }).architecture.tensors({ model_type: 'toy', width: 3 }),
    ).toEqual([{ name: 'w', shape: [3] }]);
    expect(() => registerArchitecture(getArchitecture('toy'))).toThrow(/already registered/);
  });
});

describe('generation config', () => {
  it('reads Hugging Face fields, eos as one id or a list', () => {
    const config = parseGenerationConfig({
      max_new_tokens: 64,
      do_sample: true,
      typical_p: 0.9,
      no_repeat_ngram_size: 3,
      eos_token_id: [2, 7],
      transformers_version: '4.44.0',
    });
    expect(config.eos_token_id).toEqual([2, 7]);
    expect(config.no_repeat_ngram_size).toBe(3);
    expect(config.transformers_version).toBe('4.44.0');
    expect(() => parseGenerationConfig({ top_p: 1.5 })).toThrow(/field top_p/);
    expect(() => parseGenerationConfig({ eos_token_id: [] })).toThrow(/field eos_token_id/);
    expect(() => parseGenerationConfig({ no_repeat_ngram_size: 1.5 })).toThrow(/field no_repeat_ngram_size/);
  });

  it('never crashes on arbitrary JSON values', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.dictionary(fc.constantFrom('top_k', 'eos_token_id', 'temperature', 'no_repeat_ngram_size'), fc.anything()),
        ),
        (value) => {
          try {
            parseGenerationConfig(value);
          } catch (error) {
            expect(error).toBeInstanceOf(ModelFormatError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
