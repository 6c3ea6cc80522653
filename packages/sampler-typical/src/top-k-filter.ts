import {
  bucketCounts,
  bucketScale,
  bucketWeights,
  clearHistogram,
  findCutInHistogram,
  keepFromLastSearch,
  LAST_BUCKET,
} from './cut-search';
import { requireInteger, summariseRow } from './logits-row';
import { keyScratch } from './workspace';

/** Options of {@link topKFilter}. */
export interface TopKFilterOptions {
  /** Number of most probable tokens to keep, an integer >= 1. */
  k: number;
  /** Raises `k` to at least this many (default 1), as Hugging Face's `TopKLogitsWarper` does. */
  minTokensToKeep?: number;
}

/**
 * Top-k filtering with the semantics of Hugging Face transformers' `TopKLogitsWarper`: with k' = min(max(k,
 * minTokensToKeep), V), removes every token whose logit is strictly below the k'-th largest logit, so tokens tied
 * with the k'-th value all stay (more than k' can remain). If fewer than k' tokens are finite nothing is removed.
 *
 * @param logits - one row of V logits; -Infinity marks a token already removed.
 * @returns a new row: kept logits unchanged, removed ones -Infinity.
 * @throws {@link SamplerInputError} for a bad row, `k` or `minTokensToKeep` not an integer >= 1.
 */
export function topKFilter(logits: Float32Array, options: TopKFilterOptions): Float32Array {
  const k = requireInteger(options.k, 'k', 1);
  const minTokensToKeep = requireInteger(options.minTokensToKeep ?? 1, 'minTokensToKeep', 1);
  const { max, min, finiteCount } = summariseRow(logits);
  const kept = Math.max(k, minTokensToKeep);
  if (kept >= finiteCount) return logits.slice();
  const length = logits.length;
  const keys = keyScratch(length);
  const scale = bucketScale(-max, -min);
  // Negated logits (most probable first) and their histogram in one pass.
  clearHistogram();
  for (let index = 0; index < length; index++) {
    const key = -logits[index];
    keys[index] = key;
    if (key === Number.POSITIVE_INFINITY) continue;
    let bucket = ((key + max) * scale) | 0;
    if (bucket > LAST_BUCKET) bucket = LAST_BUCKET;
    bucketCounts[bucket]++;
    bucketWeights[bucket]++;
  }
  const cut = findCutInHistogram(keys, undefined, length, -max, scale, kept);
  if (cut === undefined) return logits.slice();
  return keepFromLastSearch(logits, keys, Number.NEGATIVE_INFINITY, -1, cut.key);
}
