import { RewardError } from './errors';
import { analyseText } from './text-analysis';

/**
 * The key information of a prompt: its content words and noun phrases (subjects, objects, attributes, colours,
 * counts, places), lemmatised and lower-cased, without stop words or quality boilerplate ("highly detailed", "8k",
 * "trending on artstation"). Runs of nouns stay together ("oil painting"); each keyword appears once, in order.
 *
 * @example extractKeywords('Two red cars on a rainy street, 8k') // ['two', 'red', 'car', 'rain', 'street']
 * @throws {@link RewardError} when `text` is not a string.
 */
export function extractKeywords(text: string): string[] {
  if (typeof text !== 'string') throw new RewardError('text', `expected a string, got ${typeof text}`);
  return [...new Set(analyseText(text).keywords.map((keyword) => keyword.text))];
}
