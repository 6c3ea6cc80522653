import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, type PromptPair, validate } from '@diffchat/core';
import { z } from 'zod';
import { generateDefaultPairs, generateSimplePrompts } from './default-pairs';
import {
  DEFAULT_BEAUTIFIER_GENERATION,
  type StageOptions,
  type TrainBeautifierOptions,
  type TrainBeautifierResult,
  trainBeautifier,
} from './train-beautifier';

/** Where `pnpm --filter @diffchat/beautifier train` writes the default beautifier, relative to the working directory. */
export const defaultBeautifierDirectory = join('.cache', 'default-beautifier');

/** File inside the default model folder recording how its training pairs were drawn. */
export const RECIPE_FILE = 'default-beautifier.json';

/** How the default beautifier's pairs are drawn, so a held-out set can avoid them. */
export const defaultRecipeSchema = z.strictObject({
  /** Seed of the training pairs. */
  seed: z.int().nonnegative(),
  /** Number of training pairs. */
  pairs: z.int().positive(),
  /** Seed of held-out prompts (distinct from `seed`). */
  heldOutSeed: z.int().nonnegative(),
  /** Rule-based beautifications tried per simple prompt when the pairs were curated (1: not curated). */
  candidates: z.int().positive().default(1),
  /** Words of the simple prompts (older folders: `curated`). */
  vocabulary: z.enum(['curated', 'open']).default('curated'),
  /** Layout of the beautiful prompts (older folders: `varied`). */
  layout: z.enum(['varied', 'source-first']).default('varied'),
});

/** See {@link defaultRecipeSchema}. */
export type DefaultRecipe = z.output<typeof defaultRecipeSchema>;

/** The default beautifier's data recipe. */
export const DEFAULT_BEAUTIFIER_RECIPE: Readonly<DefaultRecipe> = Object.freeze({
  seed: 0,
  pairs: 8000,
  heldOutSeed: 1,
  candidates: 3,
  vocabulary: 'open',
  layout: 'source-first',
});

/**
 * How the default beautifier is decoded: greedily, starting from the simple prompt itself and a comma (so every
 * word of it is kept, whatever its vocabulary, and the model writes only modifiers), BeautifulPrompt's repetition
 * penalty of 1.2, no 3-gram of the completion twice, and the output cleaned (weights repaired, a repeated modifier
 * dropped).
 */
export const DEFAULT_BEAUTIFY_OPTIONS = Object.freeze({
  startWithSource: true,
  sourceSeparator: ',',
  clean: true,
  sampler: Object.freeze({ repetitionPenalty: 1.2, noRepeatNgramSize: 3 }),
});

/**
 * config.json of the default model: a small GPT-2 (544 k parameters with its 1024-token vocabulary),
 * a stand-in for BeautifulPrompt's BLOOM-1.1B. 128 positions hold the longest templated pair of the prompt world.
 */
export const DEFAULT_BEAUTIFIER_MODEL_CONFIG: Readonly<Record<string, unknown>> = Object.freeze({
  model_type: 'gpt2',
  n_embd: 128,
  n_layer: 2,
  n_head: 4,
  n_positions: 128,
});

/** The fine-tuning options of the default beautifier (sized for minutes on two CPU cores). */
export const DEFAULT_BEAUTIFIER_TRAINING: Readonly<StageOptions> = Object.freeze({
  maxSteps: 1500,
  batchSize: 32,
  learningRate: 3e-3,
  warmupSteps: 20,
  minLearningRateRatio: 0.05,
  evalFraction: 0.02,
  evalEvery: 50,
  checkpointEvery: 100,
  logEvery: 10,
});

/** Options of {@link trainDefaultBeautifier}; every field has the default's value when absent. */
export interface TrainDefaultBeautifierOptions {
  /** Model folder. Default {@link defaultBeautifierDirectory}. */
  out?: string;
  /** Data recipe. Default {@link DEFAULT_BEAUTIFIER_RECIPE}. */
  recipe?: Partial<DefaultRecipe>;
  /**
   * The training pairs, when not the plain {@link generateDefaultPairs} of the recipe (e.g. curated ones); their
   * simple prompts must be the recipe's, so that held-out sets stay disjoint.
   */
  pairs?: readonly PromptPair[];
  /** Fine-tuning options, over {@link DEFAULT_BEAUTIFIER_TRAINING}. */
  training?: StageOptions;
  /** Pre-training options; absent: no pre-training. */
  pretrain?: StageOptions;
  /** Continue interrupted runs. Default false. */
  resume?: boolean;
  onStep?: TrainBeautifierOptions['onStep'];
  signal?: AbortSignal;
}

/**
 * Trains the embedded default beautifier from scratch: pairs from the prompt world ({@link generateDefaultPairs}
 * unless given),
 * a byte-level BPE tokenizer trained on them, a small GPT-2 ({@link DEFAULT_BEAUTIFIER_MODEL_CONFIG}), then
 * fine-tuning on the pairs with BeautifulPrompt's template. The recipe is written beside the model.
 */
export async function trainDefaultBeautifier(
  options: TrainDefaultBeautifierOptions = {},
): Promise<TrainBeautifierResult> {
  const recipe = validate(defaultRecipeSchema, { ...DEFAULT_BEAUTIFIER_RECIPE, ...options.recipe }, 'recipe');
  if (recipe.heldOutSeed === recipe.seed) throw new ConfigError('recipe: heldOutSeed must differ from seed');
  return trainBeautifier({
    ...DEFAULT_BEAUTIFIER_TRAINING,
    ...options.training,
    data:
      options.pairs ??
      generateDefaultPairs({
        count: recipe.pairs,
        seed: recipe.seed,
        vocabulary: recipe.vocabulary,
        layout: recipe.layout,
      }),
    modelConfig: { ...DEFAULT_BEAUTIFIER_MODEL_CONFIG },
    tokenizer: { vocabSize: 1024 },
    ...(options.pretrain === undefined ? {} : { pretrain: options.pretrain }),
    out: options.out ?? defaultBeautifierDirectory,
    resume: options.resume ?? false,
    // Hugging Face's field: a loaded default never writes a 3-gram of its completion twice.
    generationConfig: { ...DEFAULT_BEAUTIFIER_GENERATION, no_repeat_ngram_size: 3 },
    extraFiles: { [RECIPE_FILE]: `${JSON.stringify(recipe, null, 2)}\n` },
    ...(options.onStep === undefined ? {} : { onStep: options.onStep }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

/** The recipe stored in a default model folder. @throws ConfigError naming the file when it is missing or bad. */
export async function readRecipe(directory: string): Promise<DefaultRecipe> {
  const path = join(directory, RECIPE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot read the training recipe (${(error as Error).message})`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  return validate(defaultRecipeSchema, value, path);
}

/** `count` simple prompts drawn from the recipe's held-out seed, none of them a training prompt. */
export function heldOutPrompts(count: number, recipe: DefaultRecipe = DEFAULT_BEAUTIFIER_RECIPE): string[] {
  const training = new Set(generateSimplePrompts(recipe.pairs, recipe.seed, new Set(), recipe.vocabulary));
  return generateSimplePrompts(count, recipe.heldOutSeed, training, recipe.vocabulary);
}
