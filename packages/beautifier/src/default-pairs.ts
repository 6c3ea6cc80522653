import { createRng, type PromptPair } from '@diffchat/core';
import { beautifyPrompt, generateSimplePrompt } from '@diffchat/world';
import { dressAfterSource } from './dress-prompt';

/**
 * How the beautiful side is written: `varied` as prompt sites write it (the world's `beautifyPrompt`: the content
 * rephrased, a style in front or behind, lists, pipes), or `source-first` (the simple prompt word for word, then
 * the modifiers), which a beautifier can be held to for prompts of any vocabulary.
 */
export type PairLayout = 'varied' | 'source-first';

/** Which words the simple prompts use: the world's curated vocabulary, or WordNet's open one as well. */
export type PairVocabulary = 'curated' | 'open';

/** Options of {@link generateDefaultPairs}. */
export interface DefaultPairsOptions {
  /** Number of pairs (each with a distinct simple prompt). */
  count: number;
  /** Seed of the prompt world's draws. Default 0. */
  seed?: number;
  /** Simple prompts never to return, e.g. a training set when drawing a held-out one. */
  exclude?: ReadonlySet<string>;
  /** Default `curated`. */
  vocabulary?: PairVocabulary;
  /** Default `varied`. */
  layout?: PairLayout;
}

/** The beautiful side of a pair in a layout. */
export function dressPrompt(simple: string, random: () => number, layout: PairLayout = 'varied'): string {
  return layout === 'source-first' ? dressAfterSource(simple, random) : beautifyPrompt(simple, random);
}

// The prompt world repeats a prompt now and then; past this many draws per wanted prompt it is out of new ones.
const DRAWS_PER_PROMPT = 50;

/**
 * `count` distinct simple prompts of the prompt world, drawn from `seed`, none of them in `exclude`.
 * @throws RangeError when the world cannot give that many distinct prompts.
 */
export function generateSimplePrompts(
  count: number,
  seed = 0,
  exclude: ReadonlySet<string> = new Set(),
  vocabulary: PairVocabulary = 'curated',
): string[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be an integer >= 0, got ${count}`);
  const rng = createRng(seed).fork('simple');
  const random = () => rng.next();
  const prompts = new Set<string>();
  for (let draws = 0; prompts.size < count; draws++) {
    if (draws > count * DRAWS_PER_PROMPT) throw new RangeError(`could not draw ${count} distinct simple prompts`);
    const prompt = generateSimplePrompt(random, { vocabulary });
    if (!exclude.has(prompt)) prompts.add(prompt);
  }
  return [...prompts];
}

/**
 * The embedded default's pairs: simple = the prompt world's bare content (`generateSimplePrompt`, curated or open
 * vocabulary), beautiful = the same content dressed as a high-quality prompt in the chosen layout
 * ({@link dressPrompt}). Deterministic in `seed`; the simple prompts are distinct.
 */
export function generateDefaultPairs(options: DefaultPairsOptions): PromptPair[] {
  const seed = options.seed ?? 0;
  const simple = generateSimplePrompts(options.count, seed, options.exclude, options.vocabulary);
  const rng = createRng(seed).fork('beautiful');
  const random = () => rng.next();
  return simple.map((prompt) => ({ simple: prompt, beautiful: dressPrompt(prompt, random, options.layout) }));
}
