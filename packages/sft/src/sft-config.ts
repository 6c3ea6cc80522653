import { checkTrainerConfig, trainerConfigSchema, validate } from '@diffchat/core';
import { z } from 'zod';
import { BUILT_IN_TEMPLATES, promptTemplateSchema } from './template';

/** LoRA options: low-rank adapters on the attention and MLP projections, everything else frozen. */
export const loraConfigSchema = z.strictObject({
  rank: z.int().positive().default(8).describe('Rank r of each adapter (A is [r, in], B is [out, r]). Default 8.'),
  alpha: z.number().positive().default(16).describe('Scale numerator: the update is (alpha / r) B A. Default 16.'),
  dropout: z
    .number()
    .min(0)
    .lt(1)
    .default(0)
    .describe('Dropout ratio on each adapter input during training (seeded per step; off in evaluation). Default 0.'),
  targetModules: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe(
      'Module names to adapt, matched against the end of each module path as PEFT does (e.g. "c_attn"). Default: every attention and MLP projection of the architecture.',
    ),
});

/** Resolved LoRA options. */
export type LoraConfig = z.output<typeof loraConfigSchema>;

/**
 * The SFT configuration: the shared trainer options (defaults as in `trainerConfigSchema`, except `outputDir`,
 * `runs/sft` here) plus the fields below. Unknown keys are rejected.
 */
export const sftConfigSchema = trainerConfigSchema.extend({
  outputDir: z
    .string()
    .min(1)
    .default('runs/sft')
    .describe('The run directory (manifest, metrics.jsonl, checkpoints/, final model). Default runs/sft.'),
  template: z
    .union([z.enum(Object.keys(BUILT_IN_TEMPLATES) as [string, ...string[]]), promptTemplateSchema])
    .default('diffchat')
    .describe(
      'Prompt/completion template: "diffchat", "beautiful-prompt", "text", or {prompt, completion, appendEos}. Default diffchat.',
    ),
  mode: z
    .enum(['completion', 'pretrain'])
    .default('completion')
    .describe(
      'Loss over completion tokens only (prompt masked), or over every token (pre-training). Default completion.',
    ),
  maxLength: z
    .int()
    .min(2)
    .default(256)
    .describe('Longest training sequence in tokens; longer examples lose the end of their completion. Default 256.'),
  packing: z
    .boolean()
    .default(false)
    .describe('Concatenate examples into rows of maxLength tokens instead of padding each. Default false.'),
  evalFraction: z
    .number()
    .min(0)
    .lt(1)
    .default(0.05)
    .describe('Share of the training records held out for evaluation when no eval data is given. Default 0.05.'),
  earlyStoppingPatience: z
    .int()
    .nonnegative()
    .default(0)
    .describe('Stop after this many evaluations without a lower eval loss; 0 never stops early. Default 0.'),
  lora: loraConfigSchema
    .optional()
    .describe('Train low-rank adapters instead of every weight; absent (the default) trains the whole model.'),
});

/** The resolved SFT configuration. */
export type SftConfig = z.output<typeof sftConfigSchema>;

/** SFT options as given: every defaulted field optional. */
export type SftConfigInput = z.input<typeof sftConfigSchema>;

/**
 * Validates an SFT configuration and fills in the defaults.
 * @throws ValidationError naming every bad or unknown field; ConfigError for inconsistent trainer fields.
 */
export function parseSftConfig(value: unknown, source = 'sft config'): SftConfig {
  const config = validate(sftConfigSchema, value ?? {}, source);
  checkTrainerConfig(config, source);
  return config;
}
