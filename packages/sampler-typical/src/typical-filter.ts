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
import { exponentialOfNonPositive } from './exponential';
import { requireInteger, summariseRow } from './logits-row';
import { PROBABILITY_UNITS } from './softmax';
import { keyScratch, weightScratch } from './workspace';

/** Options of {@link typicalFilter}. */
export interface TypicalFilterOptions {
  /** Probability mass to keep, in the open interval (0, 1) (Hugging Face's `typical_p`; its warper defaults to 0.9). */
  mass: number;
  /** Tokens always kept, the most typical first (default 1). */
  minTokensToKeep?: number;
}

/**
 * Locally typical filtering (Meister et al., TACL 2023), with the semantics of Hugging Face transformers'
 * `TypicalLogitsWarper`.
 *
 * With p = softmax(logits) and entropy H = -sum p log p (tokens already at -Infinity contribute nothing), tokens are
 * ordered by their deviation |-log p - H| ascending (ties by token id). The kept set runs up to and including the
 * first position where the cumulative probability reaches `mass`, plus every token whose deviation equals the
 * deviation at that position, plus the first `minTokensToKeep` positions. If the mass is never reached (rounding
 * with `mass` close to 1) nothing is removed.
 *
 * @param logits - one row of V logits; -Infinity marks a token already removed.
 * @returns a new row: kept logits unchanged, removed ones -Infinity (no renormalisation).
 * @throws {@link SamplerInputError} for a bad row, `mass` outside (0, 1) or `minTokensToKeep` < 1.
 */
export function typicalFilter(logits: Float32Array, options: TypicalFilterOptions): Float32Array {
  const mass = options.mass;
  if (typeof mass !== 'number' || !(mass > 0 && mass < 1)) {
    throw new SamplerInputError('mass', `must be in the open interval (0, 1), got ${String(mass)}`);
  }
  const minTokensToKeep = requireInteger(options.minTokensToKeep ?? 1, 'minTokensToKeep', 1);
  const { max, min } = summariseRow(logits);
  const length = logits.length;
  const weights = weightScratch(length);

  // With t = logit - max, Z = sum e^t and log p = t - log Z, the entropy is H = log Z - (sum e^t t) / Z, so the pass
  // that computes the exponentials gathers everything the entropy needs.
  let normalizer = 0;
  let weightedShift = 0;
  for (let index = 0; index < length; index++) {
    const shift = logits[index] - max;
    // exp(-Infinity) would be 0 too, but the product 0 * -Infinity is NaN.
    if (shift === Number.NEGATIVE_INFINITY) {
      weights[index] = 0;
      continue;
    }
    const weight = exponentialOfNonPositive(shift);
    weights[index] = weight;
    normalizer += weight;
    weightedShift += weight * shift;
  }
  const logNormalizer = Math.log(normalizer);
  const entropy = logNormalizer - weightedShift / normalizer;
  // Written as |-(logit - max - log Z) - H| rather than the shorter |(max + log Z - H) - logit| on purpose: logits
  // closer together than the rounding of log p then get the same deviation, as in a log_softmax implementation.
  const deviationOf = (logit: number) => Math.abs(-(logit - max - logNormalizer) - entropy);
  // The deviation is monotone in the logit on each side of the entropy, so the extreme logits bound it.
  const highestDeviation = Math.max(deviationOf(min), deviationOf(max));
  const scale = bucketScale(0, highestDeviation);
  const units = PROBABILITY_UNITS / normalizer;

  // Deviations, probabilities in exact units, and the histogram of deviations, in one pass.
  clearHistogram();
  const deviations = keyScratch(length);
  for (let index = 0; index < length; index++) {
    const logit = logits[index];
    if (logit === Number.NEGATIVE_INFINITY) {
      deviations[index] = Number.POSITIVE_INFINITY;
      continue;
    }
    const deviation = Math.abs(-(logit - max - logNormalizer) - entropy);
    const probability = Math.floor(weights[index] * units + 0.5);
    deviations[index] = deviation;
    weights[index] = probability;
    let bucket = (deviation * scale) | 0;
    if (bucket > LAST_BUCKET) bucket = LAST_BUCKET;
    bucketCounts[bucket]++;
    bucketWeights[bucket] += probability;
  }

  const cut = findCutInHistogram(deviations, weights, length, 0, scale, mass * PROBABILITY_UNITS);
  if (cut === undefined) return logits.slice();
  if (minTokensToKeep <= cut.position + 1) {
    return keepFromLastSearch(logits, deviations, cut.key, Number.MAX_SAFE_INTEGER, cut.key);
  }
  const minimum = findCut(deviations, undefined, length, 0, highestDeviation, minTokensToKeep);
  if (minimum === undefined) return logits.slice();
  // The first `minTokensToKeep` positions end at (minimum.key, minimum.index), at or after the mass cut's ties.
  return minimum.key > cut.key
    ? keepThroughCut(logits, deviations, minimum.key, minimum.index, cut.key)
    : keepThroughCut(logits, deviations, cut.key, Number.MAX_SAFE_INTEGER, cut.key);
}
