import { candidateRanks, EVERY_FINITE_TOKEN, listCandidates, massFloor, sumsAndCandidates } from './candidates';
import { type Cut, findCut, findCutAmong, keepThroughCut } from './cut-search';
import { SamplerInputError } from './errors';
import { exponentialOfNonPositive } from './exponential';
import { largestLogit, logitRange, requireInteger } from './logits-row';
import { type Selection, selectedRow } from './selection';
import { PROBABILITY_UNITS } from './softmax';
import { type SoftmaxKernel, softmaxKernel } from './softmax-kernel';
import { candidateLogitScratch, candidateScratch, keyScratch, memberScratch, weightScratch } from './workspace';

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
  return topPFilterFromFloor(logits, p, minTokensToKeep);
}

// Share of the mass outside the nucleus (1 - p) that the tokens below the candidate floor may weigh, by the sample's
// estimate: the rest leaves room for the estimate's error.
const TAIL_SHARE = 0.5;

/**
 * {@link topPFilter} on validated options, with the first candidate floor optionally given instead of estimated;
 * tests pass floors that are too high to check that a failed attempt is detected and retried.
 */
export function topPFilterFromFloor(
  logits: Float32Array,
  p: number,
  minTokensToKeep: number,
  firstFloor?: number,
): Float32Array {
  const kernel = softmaxKernel();
  const max = kernel === undefined ? largestLogit(logits) : kernel.loadRow(logits);
  return selectedRow(selectTopP(logits, max, kernel, p, minTokensToKeep, firstFloor), logits.length);
}

/**
 * The nucleus of a checked row whose largest logit is `max`; with `kernel`, the kernel must hold the row (loaded, and
 * scaled if `logits` is the scaled row). Passes over the row for the exponentials with the normaliser and the list of
 * candidates (in the kernel when given, else in JavaScript with the two fused), then an exact search among the
 * candidates only (most probable first, the sort key being the negated logit); the kept candidates are left in the
 * candidate scratch. Tokens below the floor come after every candidate in this order, so the candidates hold the cut
 * as soon as they weigh at least p.
 */
export function selectTopP(
  logits: Float32Array,
  max: number,
  kernel: SoftmaxKernel | undefined,
  p: number,
  minTokensToKeep: number,
  firstFloor?: number,
): Selection {
  const length = logits.length;
  const candidates = candidateScratch(length);
  const candidateLogits = candidateLogitScratch(length);
  const sums = sumsAndCandidates(logits, max, TAIL_SHARE * (1 - p), firstFloor, kernel, candidates, candidateLogits);
  const normalizer = sums.normalizer;
  let floor = sums.floor;
  let count = sums.candidateCount;
  const units = PROBABILITY_UNITS / normalizer;
  const target = p * PROBABILITY_UNITS;

  let cut = cutAmongCandidates(candidateLogits, count, max, units, target);
  // On sharp rows the sample can miss the heavy tokens just below the head; the first retry takes the floor below which
  // the tokens are sure to weigh at most the tail share, the second every finite token.
  for (let retry = 0; cut === undefined && floor > EVERY_FINITE_TOKEN; retry++) {
    const lower = retry === 0 ? massFloor(max, normalizer, TAIL_SHARE * (1 - p), length) : floor;
    floor = lower < floor ? lower : EVERY_FINITE_TOKEN;
    count = listCandidates(logits, kernel, floor, candidates, candidateLogits);
    cut = cutAmongCandidates(candidateLogits, count, max, units, target);
  }
  // Even every finite token together weighs less than p (rounding, p = 1): nothing is removed, as in the reference.
  if (cut === undefined) return { normalizer, filtered: logits.slice(), keptCount: 0 };
  if (minTokensToKeep > cut.position + 1) {
    return { normalizer, filtered: keepMostProbable(logits, max, minTokensToKeep), keptCount: 0 };
  }

  const keys = keyScratch(count);
  let keptCount = 0;
  for (let rank = 0; rank < count; rank++) {
    const key = keys[rank];
    // Up to and including the cut token; a tie with it is split by token id (rank order is id order).
    if (key < cut.key || (key === cut.key && rank <= cut.index)) {
      candidates[keptCount] = candidates[rank];
      candidateLogits[keptCount++] = candidateLogits[rank];
    }
  }
  return { normalizer, filtered: undefined, keptCount };
}

/**
 * The nucleus cut, if the candidates (given by their logits in ascending id order) weigh at least the target: then
 * they hold it. The cut's `index` is a candidate's rank in the list; the candidates' keys stay in keyScratch, by rank.
 */
function cutAmongCandidates(
  candidateLogits: Float32Array,
  count: number,
  max: number,
  units: number,
  target: number,
): Cut | undefined {
  const keys = keyScratch(count);
  const weights = weightScratch(count);
  if (weighCandidates(candidateLogits, count, max, units, keys, weights) < target) return undefined;
  return findCutAmong(keys, weights, candidateRanks(count, memberScratch(count)), count, 0, 0, target);
}

/**
 * Writes each candidate's key (its negated logit: most probable first) and exact weight (probability units) by rank
 * and returns their total weight (a hot loop in the retry, so it returns one number: see logits-row.ts).
 */
function weighCandidates(
  candidateLogits: Float32Array,
  count: number,
  max: number,
  units: number,
  keys: Float64Array,
  weights: Float64Array,
): number {
  let total = 0;
  for (let rank = 0; rank < count; rank++) {
    const logit = candidateLogits[rank];
    keys[rank] = -logit;
    const weight = Math.floor(exponentialOfNonPositive(logit - max) * units + 0.5);
    weights[rank] = weight;
    total += weight;
  }
  return total;
}

/**
 * The rare case where the first `minTokensToKeep` positions reach past the nucleus cut: they contain it, so they
 * alone decide, from one more pass for every key and a count-only search.
 */
function keepMostProbable(logits: Float32Array, max: number, minTokensToKeep: number): Float32Array {
  const length = logits.length;
  const { min } = logitRange(logits);
  // Most probable first: the key is the negated logit (exact); -Infinity logits get +Infinity and drop out.
  const keys = keyScratch(length);
  for (let index = 0; index < length; index++) keys[index] = -logits[index];
  const minimum = findCut(keys, undefined, length, -max, -min, minTokensToKeep);
  if (minimum === undefined) return logits.slice();
  return keepThroughCut(logits, keys, minimum.key, minimum.index, Number.NEGATIVE_INFINITY);
}
