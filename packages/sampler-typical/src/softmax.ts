import { EXPONENT_UNDERFLOW, exponentialOfNonPositive } from './exponential';
import { reportBadRow } from './logits-row';
import { softmaxKernel } from './softmax-kernel';

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

/**
 * log(sum_i exp(logits[i] - max)); add `max` to get the row's log-sum-exp. `max` must be the row's largest logit.
 * Runs in the WebAssembly kernel where it loads.
 */
export function logNormalizer(logits: Float32Array, max: number): number {
  const kernel = softmaxKernel();
  if (kernel === undefined) return Math.log(sumExponentials(logits, max));
  kernel.loadRow(logits);
  return Math.log(kernel.normalizer(max));
}

/**
 * sum_i exp(logits[i] - max) in JavaScript, the loop of {@link logNormalizer} without the kernel. `max` must be the
 * row's largest logit.
 */
export function sumExponentials(logits: Float32Array, max: number): number {
  let total = 0;
  for (let index = 0; index < logits.length; index++) total += exponentialOfNonPositive(logits[index] - max);
  return total;
}

/**
 * What {@link exponentialSums} gathers, relative to the row's max: Z = sum e^t and sum e^t t, with t = logit - max,
 * and the number of candidates it listed.
 */
export interface ExponentialSums {
  normalizer: number;
  weightedShift: number;
  candidateCount: number;
}

/**
 * One pass over the row for everything the filters need before they order anything: the softmax normaliser Z, the
 * sum that gives the entropy (H = log Z - (sum e^t t) / Z), and the list of candidates, the tokens whose logit is at
 * least `floor` (ids in ascending order into `candidates`, their logits into `candidateLogits`). `max` must be the
 * row's largest logit. A NaN logit makes
 * the sums NaN and is reported here, naming its index, since the faster range check lets it through.
 */
export function exponentialSums(
  logits: Float32Array,
  max: number,
  floor: number,
  candidates: Int32Array,
  candidateLogits: Float32Array,
): ExponentialSums {
  const normalizer = accumulateExponentials(logits, max, floor, candidates, candidateLogits);
  if (Number.isNaN(normalizer)) reportBadRow(logits);
  return { normalizer, weightedShift: accumulatedWeightedShift, candidateCount: accumulatedCandidates };
}

// Results of the last accumulateExponentials besides Z (a hot loop returns one number, for the reason given in
// logits-row.ts).
let accumulatedWeightedShift = 0;
let accumulatedCandidates = 0;

/** The loop of {@link exponentialSums}: returns Z. */
function accumulateExponentials(
  logits: Float32Array,
  max: number,
  floor: number,
  candidates: Int32Array,
  candidateLogits: Float32Array,
): number {
  let normalizer = 0;
  let weightedShift = 0;
  let candidateCount = 0;
  // A local copy: a module constant may become a `var` that V8 reads from memory on every iteration.
  const underflow = EXPONENT_UNDERFLOW;
  for (let index = 0; index < logits.length; index++) {
    const logit = logits[index];
    // Rarely true on language-model rows, so the branch predicts well.
    if (logit >= floor) {
      candidates[candidateCount] = index;
      candidateLogits[candidateCount++] = logit;
    }
    const shift = logit - max;
    // Skips -Infinity too, whose zero weight times its shift would be NaN.
    if (shift < underflow) continue;
    const weight = exponentialOfNonPositive(shift);
    normalizer += weight;
    weightedShift += weight * shift;
  }
  accumulatedWeightedShift = weightedShift;
  accumulatedCandidates = candidateCount;
  return normalizer;
}
