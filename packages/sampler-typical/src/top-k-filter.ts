import { EVERY_FINITE_TOKEN, gatherSample, listCandidates, logitOfRank } from './candidates';
import { findCut } from './cut-search';
import { requireInteger, summariseRow } from './logits-row';
import { type Selection, selectedRow } from './selection';
import { type SoftmaxKernel, softmaxKernel } from './softmax-kernel';
import { candidateLogitScratch, candidateScratch, keyScratch } from './workspace';

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
  return topKFilterFromFloor(logits, Math.max(k, minTokensToKeep));
}

/**
 * {@link topKFilter} keeping at least `kept` tokens (k' above), with the first candidate floor optionally given
 * instead of estimated; tests pass floors that are too high to check that a failed attempt is detected and retried.
 */
export function topKFilterFromFloor(logits: Float32Array, kept: number, firstFloor?: number): Float32Array {
  const kernel = softmaxKernel();
  if (kernel === undefined) {
    // The JavaScript path checks the row in a pass of its own, which also counts the finite tokens.
    if (kept >= summariseRow(logits).finiteCount) return logits.slice();
  } else kernel.loadRow(logits);
  return selectedRow(selectTopK(logits, kernel, kept, firstFloor), logits.length);
}

// Sampled tokens that the first floor leaves above it beyond the k' / (V / 1,024) that k' tokens need on average: the
// count of tokens above the r-th highest sampled logit varies by about a factor 1 +- 1 / sqrt(r), and a floor that
// leaves fewer than k' costs another pass.
const SPARE_SAMPLES = 4;
// A failed floor is retried at a sampled rank this many times deeper.
const RETRY_DEPTH = 8;

/**
 * The top-k set of a checked row, keeping the tokens at or above the `kept`-th largest logit; with `kernel`, the
 * kernel must hold the row (loaded, and scaled if `logits` is the scaled row). The kept tokens are left in the
 * candidate scratch, in ascending id order, and the selection's normaliser is NaN (top-k computes no softmax).
 *
 * Lists the candidates, the tokens at or above a floor logit taken from an evenly strided sample of the row so that a
 * few times `kept` tokens lie above it, in one pass (the kernel's candidate pass when given), and finds the `kept`-th
 * largest logit among them only: every token below the floor is below every candidate, so as soon as at least `kept`
 * tokens are candidates, their `kept`-th largest logit is the row's. When fewer are listed the floor is lowered (a
 * sampled logit further down, then every finite token), so the sample only ever changes the speed, never the result.
 */
export function selectTopK(
  logits: Float32Array,
  kernel: SoftmaxKernel | undefined,
  kept: number,
  firstFloor?: number,
): Selection {
  const length = logits.length;
  const candidates = candidateScratch(length);
  const candidateLogits = candidateLogitScratch(length);
  const sample = firstFloor === undefined ? gatherSample(logits) : undefined;
  let rank = sample === undefined ? 0 : Math.ceil((2 * kept * sample.length) / length) + SPARE_SAMPLES;
  let floor = firstFloor ?? sampledFloor(sample, rank);
  let count = listCandidates(logits, kernel, floor, candidates, candidateLogits);
  while (count < kept) {
    // Fewer than `kept` finite tokens: nothing is removed.
    if (floor === EVERY_FINITE_TOKEN) return { normalizer: Number.NaN, filtered: logits.slice(), keptCount: 0 };
    let lower = EVERY_FINITE_TOKEN;
    while (sample !== undefined && rank < sample.length) {
      rank = Math.min(rank * RETRY_DEPTH, sample.length);
      const logit = sampledFloor(sample, rank);
      if (logit < floor) {
        lower = logit;
        break;
      }
    }
    floor = lower;
    count = listCandidates(logits, kernel, floor, candidates, candidateLogits);
  }
  const keys = keyScratch(count);
  const high = negatedLogits(candidateLogits, count, keys);
  const cut = findCut(keys, undefined, count, -scannedLargest, high, kept);
  // findCut finds the kept-th position because count >= kept finite keys are listed.
  const threshold = cut === undefined ? Number.NEGATIVE_INFINITY : cut.key;
  let keptCount = 0;
  for (let index = 0; index < count; index++) {
    // The kept-th token and every token tied with it stay.
    if (keys[index] <= threshold) {
      candidates[keptCount] = candidates[index];
      candidateLogits[keptCount++] = candidateLogits[index];
    }
  }
  return { normalizer: Number.NaN, filtered: undefined, keptCount };
}

/**
 * The sampled logit of rank `rank` (1 for the highest), or every finite token when the sample is missing, holds fewer
 * than `rank` logits or only -Infinity at that rank.
 */
function sampledFloor(sample: Float32Array | undefined, rank: number): number {
  if (sample === undefined || rank > sample.length) return EVERY_FINITE_TOKEN;
  const logit = logitOfRank(sample, rank);
  return logit > Number.NEGATIVE_INFINITY ? logit : EVERY_FINITE_TOKEN;
}

/** The largest logit seen by the last {@link negatedLogits}. */
let scannedLargest = Number.NEGATIVE_INFINITY;

/**
 * Writes the negated candidate logits (most probable first) into `keys`, returns the largest key and leaves the
 * largest logit in scannedLargest (a loop that returns one number: see logits-row.ts).
 */
function negatedLogits(candidateLogits: Float32Array, count: number, keys: Float64Array): number {
  let largest = Number.NEGATIVE_INFINITY;
  let smallest = Number.POSITIVE_INFINITY;
  for (let index = 0; index < count; index++) {
    const logit = candidateLogits[index];
    keys[index] = -logit;
    if (logit > largest) largest = logit;
    if (logit < smallest) smallest = logit;
  }
  scannedLargest = largest;
  return -smallest;
}
