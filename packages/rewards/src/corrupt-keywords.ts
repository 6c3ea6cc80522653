import { RewardError } from './errors';
import { replacementVocabulary } from './lexicon';
import { analyseText, type Keyword, surfaceTokens, vocabularyOf } from './text-analysis';

/** How much of a target prompt to corrupt; fractions of its distinct keywords. */
export interface CorruptKeywordsOptions {
  /** Fraction of the keywords to delete, in [0, 1]. Default 0.5. */
  drop?: number;
  /** Fraction of the keywords to replace by an unrelated word of the same kind, in [0, 1]. Default 0.5. */
  replace?: number;
}

/** A corrupted prompt and what was done to it. */
export interface CorruptedPrompt {
  text: string;
  /** Keywords deleted from the prompt. */
  dropped: string[];
  /** Keywords replaced, with the word that took their place. */
  replaced: { from: string; to: string }[];
}

/** A source of uniform random numbers in [0, 1), such as `Math.random` or a seeded generator. */
export type RandomSource = () => number;

function fraction(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new RewardError(field, `expected a number in [0, 1], got ${String(value)}`);
  }
  return value;
}

function randomIndex(rng: RandomSource, length: number): number {
  const draw = rng();
  if (typeof draw !== 'number' || !(draw >= 0 && draw < 1)) {
    throw new RewardError('rng', `expected a function returning numbers in [0, 1), it returned ${String(draw)}`);
  }
  return Math.floor(draw * length);
}

/** How many keywords each operation gets: rounded fractions, at least one change when any was asked for. */
function counts(total: number, drop: number, replace: number): [number, number] {
  let dropped = Math.round(drop * total);
  let replaced = Math.min(Math.round(replace * total), total - dropped);
  if (dropped + replaced === 0 && total > 0 && drop + replace > 0) {
    if (drop >= replace) dropped = 1;
    else replaced = 1;
  }
  return [dropped, replaced];
}

/**
 * Deletes or alters a random subset of a target prompt's keywords: the negative samples of DiffChat's PPO (action
 * space dynamic modification). Every occurrence of a chosen keyword goes, so the corrupted prompt no longer keeps
 * it; a replacement is a word of the same kind (colour for colour, count for count...) that the prompt does not
 * already contain. The same `rng` sequence gives the same result.
 *
 * @param target - the prompt to corrupt.
 * @param rng - uniform numbers in [0, 1).
 * @throws {@link RewardError} on an empty target, a fraction outside [0, 1], `drop + replace > 1` or a bad rng value.
 */
export function corruptKeywords(
  target: string,
  rng: RandomSource,
  options: CorruptKeywordsOptions = {},
): CorruptedPrompt {
  if (typeof target !== 'string' || target.trim() === '') throw new RewardError('target', 'the prompt is empty');
  if (typeof rng !== 'function') throw new RewardError('rng', 'expected a function returning numbers in [0, 1)');
  const drop = fraction(options.drop ?? 0.5, 'drop');
  const replace = fraction(options.replace ?? 0.5, 'replace');
  if (drop + replace > 1) throw new RewardError('drop', `drop + replace must be at most 1, got ${drop + replace}`);

  const analysis = analyseText(target);
  const distinct = new Map<string, Keyword>();
  for (const keyword of analysis.keywords) if (!distinct.has(keyword.text)) distinct.set(keyword.text, keyword);
  const keywords = [...distinct.values()];
  // Fisher-Yates on the keyword order, driven by the caller's generator.
  for (let index = keywords.length - 1; index > 0; index--) {
    const other = randomIndex(rng, index + 1);
    [keywords[index], keywords[other]] = [keywords[other]!, keywords[index]!];
  }
  const [dropCount, replaceCount] = counts(keywords.length, drop, replace);

  const surface = surfaceTokens(target);
  const output: ({ text: string; space: string } | undefined)[] = [...surface];
  const used = new Set(vocabularyOf(target));
  const dropped: string[] = [];
  const replaced: { from: string; to: string }[] = [];
  keywords.slice(0, dropCount + replaceCount).forEach((keyword, order) => {
    const lemmas = new Set(keyword.lemmas);
    let replacement: string | undefined;
    if (order >= dropCount) {
      const candidates = replacementVocabulary[keyword.category].filter((word) => !used.has(word));
      const pool = candidates.length > 0 ? candidates : replacementVocabulary.object.filter((word) => !used.has(word));
      replacement = pool[randomIndex(rng, pool.length)]!;
      used.add(replacement);
      replaced.push({ from: keyword.text, to: replacement });
    } else {
      dropped.push(keyword.text);
    }
    for (const occurrence of analysis.keywords) {
      if (occurrence.text !== keyword.text) continue;
      if (replacement !== undefined && output[occurrence.start] !== undefined) {
        output[occurrence.start] = { text: replacement, space: surface[occurrence.start]!.space };
      }
      for (let index = occurrence.start + (replacement === undefined ? 0 : 1); index < occurrence.end; index++) {
        output[index] = undefined;
      }
    }
    // The same word can hide elsewhere ("dog" in "dog house", a verb form): remove it there too.
    analysis.tokens.forEach((token, index) => {
      const isReplacement = replacement !== undefined && output[index]?.text === replacement;
      if (!isReplacement && (lemmas.has(token.lemma) || lemmas.has(token.value))) output[index] = undefined;
    });
  });
  const text = output
    .filter((token) => token !== undefined)
    .map((token, index) => (index === 0 ? token.text : token.space + token.text))
    .join('')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/([,;])(\s*[,;])+/g, '$1')
    .replace(/^[\s,;]+|[\s,;]+$/g, '')
    .replace(/\s{2,}/g, ' ');
  return { text, dropped, replaced };
}
