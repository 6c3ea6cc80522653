import { SamplerInputError } from './errors';
import { summariseRow } from './logits-row';
import { fillExponentials, logNormalizer } from './softmax';
import { softmaxKernel } from './softmax-kernel';
import { weightScratch } from './workspace';

/** A source of uniform random numbers in [0, 1), e.g. `Math.random` or a seeded generator. */
export type RandomSource = () => number;

/** A token drawn from a distribution given by logits, with its log-probability under it. */
export interface DrawnToken {
  /** Token id in [0, V). */
  tokenId: number;
  /** Natural-log probability of `tokenId` under softmax(logits). */
  logProb: number;
}

/**
 * Index of the largest logit; the lowest such index on ties (as torch.argmax does).
 *
 * @throws {@link SamplerInputError} for a bad row (empty, NaN, +Infinity, all -Infinity).
 */
export function argmax(logits: Float32Array): number {
  const { max } = summariseRow(logits);
  return logits.indexOf(max);
}

/**
 * Log-softmax of `logits` at `tokenId`: logits[tokenId] - log(sum_j exp(logits[j])).
 *
 * @throws {@link SamplerInputError} for a bad row or an id outside it.
 */
export function logSoftmaxAt(logits: Float32Array, tokenId: number): number {
  const kernel = softmaxKernel();
  // The kernel reports the bad rows that summariseRow does (a NaN logit through the normaliser, before the id check).
  const max = kernel === undefined ? summariseRow(logits).max : kernel.loadRow(logits);
  const logZ = kernel === undefined ? undefined : Math.log(kernel.normalizer(max));
  if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= logits.length) {
    throw new SamplerInputError('tokenId', `expected a token id in [0, ${logits.length - 1}], got ${tokenId}`);
  }
  return logits[tokenId] - max - (logZ ?? logNormalizer(logits, max));
}

/**
 * Draws one token from softmax(logits) by inverting the cumulative distribution in token-id order with one number
 * from `random`.
 *
 * @throws {@link SamplerInputError} for a bad row or a random source that returns something outside [0, 1).
 */
export function drawToken(logits: Float32Array, random: RandomSource): DrawnToken {
  const length = logits.length;
  const kernel = softmaxKernel();
  // The row is checked before a number is drawn; the kernel reports a NaN logit through its sums.
  const max = kernel === undefined ? summariseRow(logits).max : kernel.loadRow(logits);
  let normalizer = kernel === undefined ? 0 : kernel.fillExponentials(max);
  const loads = kernel?.loadCount;
  const uniform = random();
  if (typeof uniform !== 'number' || !(uniform >= 0 && uniform < 1)) {
    throw new SamplerInputError('rng', `must return a number in [0, 1), returned ${String(uniform)}`);
  }
  let weights: Float64Array;
  if (kernel === undefined) {
    weights = weightScratch(length);
    normalizer = fillExponentials(logits, max, weights);
  } else {
    // A random source that ran another softmax in the meantime has replaced this row in the kernel.
    if (kernel.loadCount !== loads) normalizer = kernel.fillExponentials(kernel.loadRow(logits));
    weights = kernel.exponentialWeights();
  }
  const threshold = uniform * normalizer;
  let cumulative = 0;
  // Rounding can leave the threshold just above the last partial sum: fall back to the last token with weight.
  let tokenId = logits.indexOf(max);
  for (let index = 0; index < length; index++) {
    const weight = weights[index];
    if (weight === 0) continue;
    cumulative += weight;
    tokenId = index;
    if (cumulative > threshold) break;
  }
  return { tokenId, logProb: logits[tokenId] - max - Math.log(normalizer) };
}
