import { SamplerInputError } from './errors';
import { requireInteger, requireTokenId } from './logits-row';

/**
 * The tokens that Hugging Face transformers' `NoRepeatNGramLogitsProcessor` bans after `history`: the last
 * `size - 1` tokens form a prefix, and every earlier n-gram of the history that starts with that prefix bans the
 * token that completes it. With `size` 1 the prefix is empty and every token of the history is banned. A history
 * shorter than `size` holds no whole n-gram and bans nothing.
 *
 * @param history - token ids so far, each an integer >= 0.
 * @param size - n, an integer >= 1.
 * @returns the banned ids, distinct and ascending.
 * @throws {@link SamplerInputError} for a size that is not an integer >= 1 or an id that is not an integer >= 0.
 */
export function bannedNgramTokens(history: ArrayLike<number>, size: number): number[] {
  requireInteger(size, 'size', 1);
  const length = history.length;
  for (let position = 0; position < length; position++) {
    const id = history[position];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new SamplerInputError(`history[${position}]`, `expected a token id (an integer >= 0), got ${String(id)}`);
    }
  }
  const prefixLength = size - 1;
  const prefixStart = length - prefixLength;
  const banned = new Set<number>();
  // The n-gram that starts at `start` ends at start + size - 1, the last one at the history's last token.
  for (let start = 0; start + size <= length; start++) {
    let offset = 0;
    while (offset < prefixLength && history[start + offset] === history[prefixStart + offset]) offset++;
    if (offset === prefixLength) banned.add(history[start + prefixLength]!);
  }
  return [...banned].sort((a, b) => a - b);
}

/**
 * A copy of `logits` with the `banned` ids at -Infinity, for the sampler's n-gram step.
 * @throws {@link SamplerInputError} for an id outside the row (naming `field`), or when no finite logit is left.
 */
export function banTokens(logits: Float32Array, banned: readonly number[], field: string): Float32Array {
  const row = logits.slice();
  for (const id of banned) row[requireTokenId(id, field, row.length)] = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < row.length; index++) {
    if (row[index] !== Number.NEGATIVE_INFINITY) return row;
  }
  throw new SamplerInputError('noRepeatNgramSize', 'every token that had a finite logit would repeat an n-gram');
}
