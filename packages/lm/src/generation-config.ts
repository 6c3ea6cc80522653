import { z } from 'zod';
import { positiveInteger, tokenIdField, tokenIdOrList, unitFraction } from './config-fields';
import { validateJson } from './json-file';

/**
 * `generation_config.json` with Hugging Face's field names. Every field is optional (absent means
 * the generator's default); unknown fields such as `transformers_version` are kept.
 */
export const generationConfigSchema = z.looseObject({
  max_new_tokens: positiveInteger.optional(),
  /** Prompt + new tokens; max_new_tokens wins where both are given. */
  max_length: positiveInteger.optional(),
  min_new_tokens: z.number().int().min(0).optional(),
  do_sample: z.boolean().optional(),
  /** Logits are divided by it; must be > 0 (greedy decoding is do_sample: false). */
  temperature: z.number().positive().optional(),
  /** Keep the k most likely tokens; 0 disables. */
  top_k: z.number().int().min(0).optional(),
  top_p: unitFraction.optional(),
  /** Locally typical sampling's mass. */
  typical_p: unitFraction.optional(),
  /** > 1 discourages tokens already in the sequence. */
  repetition_penalty: z.number().positive().optional(),
  /** Bans every token that would repeat an n-gram of this size; 0 disables. */
  no_repeat_ngram_size: z.number().int().min(0).optional(),
  eos_token_id: tokenIdOrList.nullish(),
  pad_token_id: tokenIdField.nullish(),
  bos_token_id: tokenIdField.nullish(),
});

/** A validated generation config. */
export type GenerationConfig = z.output<typeof generationConfigSchema>;

/** Validates a parsed generation_config.json; errors name the file and the field. */
export function parseGenerationConfig(value: unknown, file = 'generation_config.json'): GenerationConfig {
  return validateJson(generationConfigSchema, value, file);
}
