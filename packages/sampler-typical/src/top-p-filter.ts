import {
  bucketCounts,
  bucketScale,
  bucketWeights,
  clearHistogram,
  findCut,
  findCutInHistogram,
  keepFromLastSearch,
  keepThroughCut,
  LAST_BUCKET,
} from './cut-search';
import { SamplerInputError } from './errors';
import { requireInteger, summariseRow } from './logits-row';
import { fillExponentials, PROBABILITY_UNITS } from './softmax';
import { keyScratch, weightScratch } from './workspace';

/** Options of {@link topPFilter}. */
export interface TopPFilterOptions {
  /** Probability mass of the most probable tokens to keep, in (0, 1]. */
  p: number;
  /** Tokens always kept, the most probable first (default 1). */
  minTokensToKeep?: number;
}

/**
 * Nucleus (top-p) filtering with the semantics of Hugging Face transformers' `TopPLogitsWarper`: keeps the smallest
 * set of most probable tokens whose probability reaches `p`, i.e. every token whose more probable predecessors
 * weigh less than `p`, and at least `minTokensToKeep` of them. Equal logits are ordered by token id (lower id
 * first), so a tie straddling the cut is split, as in the reference implementation. With `p` = 1 only tokens whose
 * probability rounds to zero after the mass is complete can go.
 *
 * @param logits - one row of V logits; -Infinity marks a token already removed.
 * @returns a new row: kept logits unchanged, removed ones -Infinity.
 * @throws {@link SamplerInputError} for a bad row, `p` outside (0, 1] or `minTokensToKeep` < 1.
 */
export function topPFilter(logits: Float32Array, options: TopPFilterOptions): Float32Array {
  const p = options.p;
  if (typeof p !== 'number' || !(p > 0 && p <= 1)) {
    throw new SamplerInputError('p', `must be in the interval (0, 1], got ${String(p)}`);
  }
  const minTokensToKeep = requireInteger(options.minTokensToKeep ?? 1, 'minTokensToKeep', 1);
  const { max, min } = summariseRow(logits);
  const length = logits.length;
  const weights = weightScratch(length);
  const normalizer = fillExponentials(logits, max, weights);
  const units = PROBABILITY_UNITS / normalizer;
  // Most probable first: the key is the negated logit (exact), -Infinity logits get +Infinity and drop out. Keys,
  // probabilities in exact units and the histogram in one pass.
  const keys = keyScratch(length);
  const scale = bucketScale(-max, -min);
  clearHistogram();
  for (let index = 0; index < length; index++) {
    const key = -logits[index];
    keys[index] = key;
    if (key === Number.POSITIVE_INFINITY) continue;
    const probability = Math.floor(weights[index] * units + 0.5);
    weights[index] = probability;
    let bucket = ((key + max) * scale) | 0;
    if (bucket > LAST_BUCKET) bucket = LAST_BUCKET;
    bucketCounts[bucket]++;
    bucketWeights[bucket] += probability;
  }
  const cut = findCutInHistogram(keys, weights, length, -max, scale, p * PROBABILITY_UNITS);
  if (cut === undefined) return logits.slice();
  if (minTokensToKeep <= cut.position + 1) {
    return keepFromLastSearch(logits, keys, cut.key, cut.index, Number.NEGATIVE_INFINITY);
  }
  const minimum = findCut(keys, undefined, length, -max, -min, minTokensToKeep);
  if (minimum === undefined) return logits.slice();
  return keepThroughCut(logits, keys, minimum.key, minimum.index, Number.NEGATIVE_INFINITY);
}
