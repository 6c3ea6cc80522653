import { exponentialOfNonPositive } from './exponential';

/**
 * Probabilities are rounded to whole multiples of 2^-50 before they are accumulated, so every cumulative mass is an
 * exact integer sum (below 2^53) that does not depend on the order of the terms. That is what lets the filters add
 * up whole groups of tokens without sorting them and still take the same decision as a sorted cumulative sum would.
 * The rounding moves a cumulative mass by at most V * 2^-51 (1.1e-10 for V = 250,880), far below the float32
 * rounding a PyTorch implementation works with. The rounding is written floor(x + 0.5): Math.round leaves V8's fast
 * path for values beyond 2^31 and costs ten times more.
 */
export const PROBABILITY_UNITS = 2 ** 50;

/**
 * Writes `weights[i] = exp(logits[i] - max)` (0 for -Infinity) and returns their sum, the softmax denominator
 * relative to `max`. `max` must be the row's largest finite logit, so every exponent is <= 0.
 */
export function fillExponentials(logits: Float32Array, max: number, weights: Float64Array): number {
  let total = 0;
  for (let index = 0; index < logits.length; index++) {
    const weight = exponentialOfNonPositive(logits[index] - max);
    weights[index] = weight;
    total += weight;
  }
  return total;
}

/** log(sum_i exp(logits[i] - max)); add `max` to get the row's log-sum-exp. */
export function logNormalizer(logits: Float32Array, max: number): number {
  let total = 0;
  for (let index = 0; index < logits.length; index++) total += exponentialOfNonPositive(logits[index] - max);
  return Math.log(total);
}
