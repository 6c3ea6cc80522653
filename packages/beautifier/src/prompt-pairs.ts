import {
  beautifulPromptPairSchema,
  ConfigError,
  type PromptPair,
  promptPairSchema,
  readJsonlAll,
  validate,
} from '@diffchat/core';
import { z } from 'zod';

/**
 * Line formats of a pair file:
 * - `pairs`: this project's `{ simple, beautiful, pickScore?, aestheticScore? }` (unknown keys are errors);
 * - `beautiful-prompt`: BeautifulPrompt's released `{ raw_prompt, prompt, pick_score?, aesthetic_score? }` (other
 *   keys dropped);
 * - `auto`: each line by its keys (`raw_prompt` present: BeautifulPrompt's format; otherwise `pairs`).
 */
export type PromptPairFormat = 'pairs' | 'beautiful-prompt' | 'auto';

/** Options of {@link readPromptPairs}. */
export interface ReadPromptPairsOptions {
  /** Line format. Default `auto`. */
  format?: PromptPairFormat;
  /**
   * Drop pairs whose `pickScore` is below this (pairs without one are kept); BeautifulPrompt's SFT used 18.5.
   * Default: keep every pair.
   */
  minPickScore?: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Picks the importer per line, and passes the chosen schema's issues on with their paths, so errors still name
// the field.
const autoPairSchema = z.unknown().transform((value, context): PromptPair => {
  const schema = isObject(value) && 'raw_prompt' in value ? beautifulPromptPairSchema : promptPairSchema;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) context.addIssue({ ...issue });
  return z.NEVER;
});

const schemas = {
  pairs: promptPairSchema,
  'beautiful-prompt': beautifulPromptPairSchema,
  auto: autoPairSchema,
} as const;

function keepPair(pair: PromptPair, minPickScore: number | undefined): boolean {
  return minPickScore === undefined || pair.pickScore === undefined || pair.pickScore >= minPickScore;
}

/**
 * Reads prompt pairs from a JSONL file, importing BeautifulPrompt's released files as they are.
 * @throws JsonlError as `file:line: field "simple": ...` on the first bad line; ConfigError for a bad option.
 */
export async function readPromptPairs(path: string, options: ReadPromptPairsOptions = {}): Promise<PromptPair[]> {
  const format = options.format ?? 'auto';
  const schema = schemas[format];
  if (schema === undefined) {
    throw new ConfigError(`readPromptPairs: format must be one of ${Object.keys(schemas).join(', ')}, got ${format}`);
  }
  const { records } = await readJsonlAll(path, schema as z.ZodType<PromptPair>);
  return records.filter((pair) => keepPair(pair, options.minPickScore));
}

/**
 * Checks pairs given in memory; `source` names them in errors, e.g. `data[3]: field "beautiful": missing`.
 * @throws ValidationError naming the index and field of the first bad pair.
 */
export function checkPromptPairs(pairs: readonly unknown[], source = 'data'): PromptPair[] {
  if (!Array.isArray(pairs)) throw new ConfigError(`${source}: expected an array of { simple, beautiful } pairs`);
  return pairs.map((pair, index) => validate(promptPairSchema, pair, `${source}[${index}]`));
}

/** Pairs from a JSONL path (see {@link readPromptPairs}) or an array (see {@link checkPromptPairs}). */
export async function loadPromptPairs(
  data: string | readonly unknown[],
  options: ReadPromptPairsOptions = {},
): Promise<PromptPair[]> {
  if (typeof data === 'string') return readPromptPairs(data, options);
  return checkPromptPairs(data).filter((pair) => keepPair(pair, options.minPickScore));
}
