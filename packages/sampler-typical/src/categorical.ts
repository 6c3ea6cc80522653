import { SamplerInputError } from './errors';
import { exponentialOfNonPositive } from './exponential';
import { summariseRow } from './logits-row';
import { fillExponentials, logNormalizer } from './softmax';
import { type SoftmaxKernel, softmaxKernel } from './softmax-kernel';
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
  // The kernel reports the bad rows that summariseRow does, before the id check.
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
  const kernel = softmaxKernel();
  // The row is checked before a number is drawn.
  if (kernel !== undefined) return drawLoadedRow(kernel, kernel.loadRow(logits), random, () => kernel.loadRow(logits));
  const length = logits.length;
  const max = summariseRow(logits).max;
  const uniform = drawUniform(random);
  const weights = weightScratch(length);
  const normalizer = fillExponentials(logits, max, weights);
  const tokenId = drawIndex(weights, length, uniform * normalizer, logits.indexOf(max));
  return { tokenId, logProb: logits[tokenId] - max - Math.log(normalizer) };
}

/**
 * {@link drawToken} from the row the kernel holds (as loaded, or scaled in place), whose largest logit is `max`.
 * `reload` puts the same row back into the kernel and returns its largest logit: a random source that ran another
 * softmax in the meantime has replaced it.
 */
export function drawLoadedRow(
  kernel: SoftmaxKernel,
  max: number,
  random: RandomSource,
  reload: () => number,
): DrawnToken {
  let normalizer = kernel.fillExponentials(max);
  const loads = kernel.loadCount;
  const uniform = drawUniform(random);
  if (kernel.loadCount !== loads) normalizer = kernel.fillExponentials(reload());
  const row = kernel.loadedRow();
  const tokenId = drawIndex(kernel.exponentialWeights(), row.length, uniform * normalizer, row.indexOf(max));
  return { tokenId, logProb: row[tokenId] - max - Math.log(normalizer) };
}

/**
 * Inverts the cumulative distribution of `weights` in index order: the first index at which the running sum exceeds
 * `threshold`. Rounding can leave the threshold just above the last partial sum: then the last index with weight, or
 * `fallback` (the most probable token) when none has any.
 */
function drawIndex(weights: Float64Array, length: number, threshold: number, fallback: number): number {
  let cumulative = 0;
  let tokenId = fallback;
  for (let index = 0; index < length; index++) {
    const weight = weights[index];
    if (weight === 0) continue;
    cumulative += weight;
    tokenId = index;
    if (cumulative > threshold) break;
  }
  return tokenId;
}

/** One number from `random`, checked to lie in [0, 1). */
function drawUniform(random: RandomSource): number {
  const uniform = random();
  if (typeof uniform !== 'number' || !(uniform >= 0 && uniform < 1)) {
    throw new SamplerInputError('rng', `must return a number in [0, 1), returned ${String(uniform)}`);
  }
  return uniform;
}

/**
 * {@link drawToken} on a row given by its kept tokens only, every other token being -Infinity: the first `count`
 * entries of `ids` (ascending) and of `keptLogits`. The same draw, without a pass over the whole row. Both lists are
 * copied before `random` runs, as a random source may run another filter that reuses them.
 */
export function drawAmong(ids: Int32Array, keptLogits: Float32Array, count: number, random: RandomSource): DrawnToken {
  const tokenIds = ids.slice(0, count);
  const logits = keptLogits.slice(0, count);
  let max = Number.NEGATIVE_INFINITY;
  for (let rank = 0; rank < count; rank++) if (logits[rank] > max) max = logits[rank];
  const weights = new Float64Array(count);
  let normalizer = 0;
  for (let rank = 0; rank < count; rank++) {
    const weight = exponentialOfNonPositive(logits[rank] - max);
    weights[rank] = weight;
    normalizer += weight;
  }
  const threshold = drawUniform(random) * normalizer;
  let cumulative = 0;
  let chosen = logits.indexOf(max);
  for (let rank = 0; rank < count; rank++) {
    const weight = weights[rank];
    if (weight === 0) continue;
    cumulative += weight;
    chosen = rank;
    if (cumulative > threshold) break;
  }
  return { tokenId: tokenIds[chosen], logProb: logits[chosen] - max - Math.log(normalizer) };
}
