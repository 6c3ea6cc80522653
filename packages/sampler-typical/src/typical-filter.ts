import { findCut, keepThroughCut } from './cut-search';
import { SamplerInputError } from './errors';
import { requireInteger, summariseRow } from './logits-row';
import { fillExponentials, PROBABILITY_UNITS } from './softmax';
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
  const normalizer = fillExponentials(logits, max, weights);
  const logNormalizer = Math.log(normalizer);

  // Entropy, and each token's probability turned into exact units (stored over its exponential).
  let entropy = 0;
  for (let index = 0; index < length; index++) {
    const logit = logits[index];
    if (logit === Number.NEGATIVE_INFINITY) continue;
    const probability = weights[index] / normalizer;
    entropy -= probability * (logit - max - logNormalizer);
    weights[index] = Math.round(probability * PROBABILITY_UNITS);
  }

  const deviations = keyScratch(length);
  for (let index = 0; index < length; index++) {
    const logit = logits[index];
    deviations[index] =
      logit === Number.NEGATIVE_INFINITY
        ? Number.POSITIVE_INFINITY
        : Math.abs(-(logit - max - logNormalizer) - entropy);
  }
  // Rounding is monotone, so the deviations of the least and most probable tokens bound all the others.
  const highestDeviation = Math.max(
    Math.abs(-(min - max - logNormalizer) - entropy),
    Math.abs(-(max - max - logNormalizer) - entropy),
  );

  const cut = findCut(deviations, weights, length, 0, highestDeviation, mass * PROBABILITY_UNITS);
  if (cut === undefined) return logits.slice();
  let lastKey = cut.key;
  let lastIndex = Number.MAX_SAFE_INTEGER;
  if (minTokensToKeep > cut.position + 1) {
    const minimum = findCut(deviations, undefined, length, 0, highestDeviation, minTokensToKeep);
    if (minimum === undefined) return logits.slice();
    // The first `minTokensToKeep` positions end at (minimum.key, minimum.index); the mass cut ends earlier.
    if (minimum.key > lastKey) {
      lastKey = minimum.key;
      lastIndex = minimum.index;
    }
  }
  return keepThroughCut(logits, deviations, lastKey, lastIndex, cut.key);
}
