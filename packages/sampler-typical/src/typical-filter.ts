import { candidateRanks, EVERY_FINITE_TOKEN, listCandidates, massFloor, sumsAndCandidates } from './candidates';
import { type Cut, findCut, findCutAmong, keepThroughCut } from './cut-search';
import { SamplerInputError } from './errors';
import { exponentialOfNonPositive } from './exponential';
import { largestLogit, logitRange, requireInteger } from './logits-row';
import { type Selection, selectedRow } from './selection';
import { PROBABILITY_UNITS } from './softmax';
import { type SoftmaxKernel, softmaxKernel } from './softmax-kernel';
import { candidateLogitScratch, candidateScratch, keyScratch, memberScratch, weightScratch } from './workspace';

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
  return typicalFilterFromFloor(logits, mass, minTokensToKeep);
}

/**
 * {@link typicalFilter} on validated options, with the first candidate floor optionally given instead of estimated;
 * tests pass floors that are too high to check that a failed attempt is detected and retried.
 */
export function typicalFilterFromFloor(
  logits: Float32Array,
  mass: number,
  minTokensToKeep: number,
  firstFloor?: number,
): Float32Array {
  const kernel = softmaxKernel();
  const max = kernel === undefined ? largestLogit(logits) : kernel.loadRow(logits);
  return selectedRow(selectTypical(logits, max, kernel, mass, minTokensToKeep, firstFloor), logits.length);
}

/** One row's softmax, as the search needs it. */
interface TypicalRow {
  logits: Float32Array;
  max: number;
  /** log Z, with Z = sum exp(logit - max). */
  logNormalizer: number;
  /** H in nats. */
  entropy: number;
  /** Probability units per unit of exp(logit - max): 2^50 / Z. */
  units: number;
}

// Share of the mass left out of the typical set (1 - mass) that the tokens below the candidate floor may weigh, by
// the sample's estimate: the rest leaves room for the estimate's error and for tokens removed above the centre.
const TAIL_SHARE = 0.5;

/**
 * The typical set of a checked row whose largest logit is `max`; with `kernel`, the kernel must hold the row (loaded,
 * and scaled if `logits` is the scaled row). Passes over the row for the exponentials with the normaliser and the
 * entropy sum, and the list of candidates (in the kernel when given, else in JavaScript with the two fused), then an
 * exact search among the candidates only; the kept candidates are left in the candidate scratch.
 */
export function selectTypical(
  logits: Float32Array,
  max: number,
  kernel: SoftmaxKernel | undefined,
  mass: number,
  minTokensToKeep: number,
  firstFloor?: number,
): Selection {
  const length = logits.length;
  const candidates = candidateScratch(length);
  const candidateLogits = candidateLogitScratch(length);
  const sums = sumsAndCandidates(logits, max, TAIL_SHARE * (1 - mass), firstFloor, kernel, candidates, candidateLogits);
  const { normalizer, weightedShift } = sums;
  let floor = sums.floor;
  let count = sums.candidateCount;
  // With t = logit - max, log p = t - log Z, so H = -sum p log p = log Z - (sum e^t t) / Z.
  const logNormalizer = Math.log(normalizer);
  const entropy = logNormalizer - weightedShift / normalizer;
  const row: TypicalRow = { logits, max, logNormalizer, entropy, units: PROBABILITY_UNITS / normalizer };
  const target = mass * PROBABILITY_UNITS;

  let cut = cutAmongCandidates(row, candidateLogits, count, floor, target);
  // Each retry lowers the floor (two from what the failed attempt learnt, then every finite token), so the list only
  // grows and the loop ends.
  for (let retry = 0; cut === undefined && floor > EVERY_FINITE_TOKEN; retry++) {
    const lower = retry < 2 ? retryFloor(row, lastCandidateCutKey, TAIL_SHARE * (1 - mass), length) : floor;
    floor = lower < floor ? lower : EVERY_FINITE_TOKEN;
    count = listCandidates(logits, kernel, floor, candidates, candidateLogits);
    cut = cutAmongCandidates(row, candidateLogits, count, floor, target);
  }
  // Even every finite token together weighs less than the mass (rounding, mass close to 1): nothing is removed, as in
  // the reference.
  if (cut === undefined) return { normalizer, filtered: logits.slice(), keptCount: 0 };
  if (minTokensToKeep > cut.position + 1) {
    return { normalizer, filtered: keepMinimumTokens(row, minTokensToKeep, cut.key), keptCount: 0 };
  }

  const deviations = keyScratch(count);
  let keptCount = 0;
  for (let rank = 0; rank < count; rank++) {
    // The cut token and every token tied with its deviation stay.
    if (deviations[rank] <= cut.key) {
      candidates[keptCount] = candidates[rank];
      candidateLogits[keptCount++] = candidateLogits[rank];
    }
  }
  return { normalizer, filtered: undefined, keptCount };
}

/** The key of the last cut {@link cutAmongCandidates} found, valid or not (NaN when the candidates weighed too little). */
let lastCandidateCutKey = Number.NaN;

/**
 * The typical cut, if the candidates (the finite tokens with logit >= floor, given by their logits in ascending id
 * order) prove to hold it: they must weigh at least the target, and every token below the floor must lie beyond the
 * cut. Those tokens all have a deviation of at least the deviation at the floor when the floor is below the centre:
 * the formula is monotone in the logit on each side of the centre. The cut's `index` is a candidate's rank in the
 * list; the candidates' deviations stay in keyScratch, by rank.
 */
function cutAmongCandidates(
  row: TypicalRow,
  candidateLogits: Float32Array,
  count: number,
  floor: number,
  target: number,
): Cut | undefined {
  const deviations = keyScratch(count);
  const weights = weightScratch(count);
  lastCandidateCutKey = Number.NaN;
  if (weighCandidates(row, candidateLogits, count, deviations, weights) < target) return undefined;
  const cut = findCutAmong(deviations, weights, candidateRanks(count, memberScratch(count)), count, 0, 0, target);
  lastCandidateCutKey = cut.key;
  if (floor === EVERY_FINITE_TOKEN) return cut;
  const belowCentre = -(floor - row.max - row.logNormalizer) - row.entropy;
  return belowCentre >= 0 && cut.key < belowCentre ? cut : undefined;
}

/**
 * Writes each candidate's deviation and exact weight (probability units) by rank and returns their total weight (a
 * hot loop in the final retry, so it returns one number: see logits-row.ts).
 */
function weighCandidates(
  row: TypicalRow,
  candidateLogits: Float32Array,
  count: number,
  deviations: Float64Array,
  weights: Float64Array,
): number {
  const { max, logNormalizer, entropy, units } = row;
  let total = 0;
  for (let rank = 0; rank < count; rank++) {
    const logit = candidateLogits[rank];
    // Written as |-(logit - max - log Z) - H| rather than the shorter |center - logit| on purpose: logits closer
    // together than the rounding of log p then get the same deviation, as in a log_softmax implementation.
    deviations[rank] = Math.abs(-(logit - max - logNormalizer) - entropy);
    const weight = Math.floor(exponentialOfNonPositive(logit - max) * units + 0.5);
    weights[rank] = weight;
    total += weight;
  }
  return total;
}

/**
 * The floor for another attempt after candidates found a cut at deviation `cutKey` that tokens below the floor might
 * precede: the true cut is at most `cutKey`, so tokens whose logit is below center - cutKey lie beyond it. A relative
 * 1e-9 lower leaves room for the rounding of the deviation formula (some 1e-15). Without a cut (the candidates weighed
 * too little: on sharp rows the sample can miss the heavy tokens just below the head), the floor below which the
 * tokens are sure to weigh at most `tailShare` of the mass.
 */
function retryFloor(row: TypicalRow, cutKey: number, tailShare: number, length: number): number {
  if (Number.isNaN(cutKey)) return massFloor(row.max, Math.exp(row.logNormalizer), tailShare, length);
  const center = row.max + row.logNormalizer - row.entropy;
  return center - cutKey - 1e-9 * (1 + Math.abs(center) + cutKey);
}

/**
 * The rare case where the first `minTokensToKeep` positions reach past the mass cut (whose deviation is `cutKey`):
 * they need the positions of the whole order, so this takes one more pass for every deviation and a count-only
 * search.
 */
function keepMinimumTokens(row: TypicalRow, minTokensToKeep: number, cutKey: number): Float32Array {
  const { logits, max, logNormalizer, entropy } = row;
  const { min } = logitRange(logits);
  const length = logits.length;
  const deviations = keyScratch(length);
  for (let index = 0; index < length; index++) {
    const logit = logits[index];
    deviations[index] =
      logit === Number.NEGATIVE_INFINITY
        ? Number.POSITIVE_INFINITY
        : Math.abs(-(logit - max - logNormalizer) - entropy);
  }
  // The deviation is monotone in the logit on each side of the centre, so the extreme logits bound it.
  const deviationOf = (logit: number) => Math.abs(-(logit - max - logNormalizer) - entropy);
  const highestDeviation = Math.max(deviationOf(min), deviationOf(max));
  const minimum = findCut(deviations, undefined, length, 0, highestDeviation, minTokensToKeep);
  if (minimum === undefined) return logits.slice();
  // The first `minTokensToKeep` positions end at (minimum.key, minimum.index), at or after the mass cut's ties.
  return minimum.key > cutKey
    ? keepThroughCut(logits, deviations, minimum.key, minimum.index, cutKey)
    : keepThroughCut(logits, deviations, cutKey, Number.MAX_SAFE_INTEGER, cutKey);
}
