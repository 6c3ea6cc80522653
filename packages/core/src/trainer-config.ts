import { z } from 'zod';
import { ConfigError } from './errors';
import { validate } from './validation';

/*
 * The options every trainer shares (SFT now, PPO later): how long to train, the optimiser and its schedule,
 * logging, evaluation, checkpoints and the seed. Trainers extend the schema with their own fields
 * (`trainerConfigSchema.extend({...})`), and CLI flags are generated from the same schema through
 * {@link configFields}, so a field, its default, its flag and its documentation cannot drift apart.
 */

const positiveInteger = z.int().positive();
const nonNegativeInteger = z.int().nonnegative();
const nonNegativeNumber = z.number().nonnegative();

/** The shared trainer configuration; unknown keys are rejected so a misspelt option never goes unnoticed. */
export const trainerConfigSchema = z.strictObject({
  maxSteps: nonNegativeInteger
    .default(0)
    .describe('Optimiser steps to take; 0 (the default) runs `epochs` full passes over the training data.'),
  epochs: z
    .number()
    .positive()
    .default(1)
    .describe('Passes over the training data when maxSteps is 0; fractions allowed. Default 1.'),
  batchSize: positiveInteger.default(8).describe('Sequences per micro-batch (one forward/backward run). Default 8.'),
  gradientAccumulationSteps: positiveInteger
    .default(1)
    .describe('Micro-batches whose gradients are combined into one optimiser step. Default 1.'),
  learningRate: nonNegativeNumber.default(5e-5).describe('Peak learning rate of AdamW. Default 5e-5.'),
  schedule: z
    .enum(['cosine', 'constant'])
    .default('cosine')
    .describe('Learning-rate shape after the warm-up: half cosine down to the floor, or constant. Default cosine.'),
  warmupSteps: nonNegativeInteger
    .default(0)
    .describe('Steps of linear warm-up from learningRate/warmupSteps up to learningRate. Default 0.'),
  minLearningRateRatio: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('Floor of the cosine as a fraction of learningRate. Default 0.'),
  weightDecay: nonNegativeNumber
    .default(0)
    .describe('Decoupled AdamW weight decay, applied to matrices only (not biases or norms). Default 0.'),
  adamBeta1: z.number().min(0).lt(1).default(0.9).describe('AdamW first-moment decay. Default 0.9.'),
  adamBeta2: z.number().min(0).lt(1).default(0.999).describe('AdamW second-moment decay. Default 0.999.'),
  adamEpsilon: z.number().positive().default(1e-8).describe('AdamW denominator guard. Default 1e-8.'),
  maxGradNorm: nonNegativeNumber
    .default(1)
    .describe('Clip the global gradient L2 norm to this value; 0 disables clipping. Default 1.'),
  evalEvery: nonNegativeInteger
    .default(100)
    .describe('Evaluate on the held-out split every N optimiser steps (and at the end); 0 disables. Default 100.'),
  checkpointEvery: nonNegativeInteger
    .default(500)
    .describe('Write a checkpoint every N optimiser steps; 0 writes only the final one. Default 500.'),
  keepCheckpoints: positiveInteger
    .default(2)
    .describe('Most recent checkpoints kept on disk; older ones are deleted. Default 2.'),
  logEvery: positiveInteger.default(10).describe('Append a line to metrics.jsonl every N optimiser steps. Default 10.'),
  seed: nonNegativeInteger
    .default(42)
    .describe('Seed of the data order and of every random initialisation. Default 42.'),
  outputDir: z
    .string()
    .min(1)
    .default('runs/train')
    .describe('The run directory (manifest, metrics.jsonl, checkpoints/, final model). Default runs/train.'),
});

/** The resolved shared trainer configuration (every default filled in). */
export type TrainerConfig = z.output<typeof trainerConfigSchema>;

/** What a caller may pass: every field optional. */
export type TrainerConfigInput = z.input<typeof trainerConfigSchema>;

/** One option of a config schema, as a CLI or a documentation generator needs it. */
export interface ConfigField {
  /** Field name in the config object (camelCase). */
  name: string;
  /** Command-line flag: the name in kebab-case with `--`, e.g. `--max-grad-norm`. */
  flag: string;
  /** Value kind. */
  type: 'integer' | 'number' | 'string' | 'boolean' | 'enum' | 'array' | 'object';
  /** Allowed values of an enum. */
  values?: string[];
  /** The default, when the field has one. */
  default?: unknown;
  /** The field's documentation. */
  description: string;
}

function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function fieldType(property: Record<string, unknown>): ConfigField['type'] {
  if (Array.isArray(property.enum)) return 'enum';
  const type = property.type;
  if (type === 'integer' || type === 'number' || type === 'string' || type === 'boolean' || type === 'array') {
    return type;
  }
  return 'object';
}

/**
 * The fields of an object config schema (this one or an extension of it), in declaration order, with their
 * flags, kinds, defaults and descriptions: what a CLI parser or a README table is generated from.
 */
export function configFields(schema: z.ZodObject): ConfigField[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Record<string, unknown>>;
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const field: ConfigField = {
      name,
      flag: `--${kebabCase(name)}`,
      type: fieldType(property),
      description: typeof property.description === 'string' ? property.description : '',
    };
    if (Array.isArray(property.enum)) field.values = property.enum.map(String);
    if ('default' in property) field.default = property.default;
    return field;
  });
}

/**
 * Validates a trainer config (defaults filled in); `source` names where it came from in the error, e.g. a file
 * name or `--flags`. Cross-field rules: the warm-up cannot outlast an explicit step budget.
 * @throws ValidationError naming every bad or unknown field; ConfigError for inconsistent fields.
 */
export function parseTrainerConfig(value: unknown, source = 'trainer config'): TrainerConfig {
  const config = validate(trainerConfigSchema, value ?? {}, source);
  checkTrainerConfig(config, source);
  return config;
}

/** The cross-field checks of {@link parseTrainerConfig}, for trainers that extend the schema. */
export function checkTrainerConfig(config: TrainerConfig, source = 'trainer config'): void {
  if (config.maxSteps > 0 && config.warmupSteps > config.maxSteps) {
    throw new ConfigError(`${source}: warmupSteps (${config.warmupSteps}) exceeds maxSteps (${config.maxSteps})`);
  }
}
