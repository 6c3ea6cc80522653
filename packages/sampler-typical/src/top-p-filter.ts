import { type BandSplit, bandHoldsCut, cutInBand } from './band-cut';
import { findCut, keepThroughCut } from './cut-search';
import { SamplerInputError } from './errors';
import { exponentialOfNonPositive } from './exponential';
import { logitHistogram, nucleusBand } from './logit-histogram';
import { logitRange, requireInteger } from './logits-row';
import { exponentialSums, PROBABILITY_UNITS } from './softmax';
import { bandScratch, keyScratch, weightScratch } from './workspace';

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
  return topPFilterInBand(logits, p, minTokensToKeep);
}

/** Logit bounds of a band: see {@link nucleusBand}. */
export interface LogitBand {
  keepAbove: number;
  removeBelow: number;
}

// Estimated masses may be this far (relative to Z) from the exact ones: the float sums' rounding plus the rounding
// of each token's probability to a whole unit (half a unit, 2^-51, per token).
const MASS_MARGIN = 1e-9;

/**
 * {@link topPFilter} on validated options, with the band optionally given instead of estimated; tests pass bands
 * that miss the cut to check that a wrong estimate is detected and widened.
 *
 * Three passes over the row: its range; the exponentials with the normaliser and the logit histogram; and a final
 * pass that writes the filtered row, keeping or removing every token outside the band by its logit alone. Only the
 * band's tokens are then ordered exactly (most probable first, the sort key being the negated logit).
 */
export function topPFilterInBand(
  logits: Float32Array,
  p: number,
  minTokensToKeep: number,
  band?: LogitBand,
): Float32Array {
  const { max, min } = logitRange(logits);
  const histogram = logitHistogram(min, max);
  const { normalizer } = exponentialSums(logits, max, histogram);
  const units = PROBABILITY_UNITS / normalizer;
  const target = p * PROBABILITY_UNITS;
  const length = logits.length;
  const margin = normalizer * (MASS_MARGIN + length * 2 ** -50);
  const estimate = band ?? nucleusBand(histogram, p * normalizer, margin);

  const filtered = new Float32Array(length);
  let split = splitRow(logits, filtered, max, units, estimate.keepAbove, estimate.removeBelow);
  if (!bandHoldsCut(split, target)) {
    split = splitRow(logits, filtered, max, units, Number.POSITIVE_INFINITY, -Number.MAX_VALUE);
    // The whole row weighs less than p (rounding, p = 1): nothing is removed, as in the reference.
    if (!bandHoldsCut(split, target)) return logits.slice();
  }
  const members = bandScratch(length);
  const keys = keyScratch(length);
  const cut = cutInBand(split, members, keys, weightScratch(length), target);
  if (minTokensToKeep > cut.position + 1) return keepMostProbable(logits, max, min, minTokensToKeep);
  for (let rank = 0; rank < split.bandCount; rank++) {
    const index = members[rank];
    const key = keys[index];
    // Up to and including the cut token; a tie with it is split by token id.
    if (key < cut.key || (key === cut.key && index <= cut.index)) filtered[index] = logits[index];
  }
  return filtered;
}

/**
 * The final pass: writes `filtered` for every token outside the band (logit if above `keepAbove`, -Infinity if
 * below `removeBelow`; -Infinity for the band too, for now) and lists the band for the exact search.
 */
function splitRow(
  logits: Float32Array,
  filtered: Float32Array,
  max: number,
  units: number,
  keepAbove: number,
  removeBelow: number,
): BandSplit {
  const bandCount = splitByLogit(logits, filtered, max, units, keepAbove, removeBelow);
  return { keptWeight: splitKeptWeight, keptCount: splitKeptCount, bandWeight: splitBandWeight, bandCount };
}

// Results of the last splitByLogit besides its return value (a hot loop returns one number, for the reason given in
// logits-row.ts).
let splitKeptWeight = 0;
let splitKeptCount = 0;
let splitBandWeight = 0;

/** The loop of {@link splitRow}: returns the number of band tokens. */
function splitByLogit(
  logits: Float32Array,
  filtered: Float32Array,
  max: number,
  units: number,
  keepAbove: number,
  removeBelow: number,
): number {
  const length = logits.length;
  const members = bandScratch(length);
  const keys = keyScratch(length);
  const weights = weightScratch(length);
  let keptWeight = 0;
  let keptCount = 0;
  let bandWeight = 0;
  let bandCount = 0;
  for (let index = 0; index < length; index++) {
    const logit = logits[index];
    // removeBelow is at least -Number.MAX_VALUE, so -Infinity always goes here.
    if (logit < removeBelow) {
      filtered[index] = Number.NEGATIVE_INFINITY;
      continue;
    }
    const weight = Math.floor(exponentialOfNonPositive(logit - max) * units + 0.5);
    if (logit > keepAbove) {
      filtered[index] = logit;
      keptWeight += weight;
      keptCount++;
    } else {
      filtered[index] = Number.NEGATIVE_INFINITY;
      members[bandCount++] = index;
      keys[index] = -logit;
      weights[index] = weight;
      bandWeight += weight;
    }
  }
  splitKeptWeight = keptWeight;
  splitKeptCount = keptCount;
  splitBandWeight = bandWeight;
  return bandCount;
}

/**
 * The rare case where the first `minTokensToKeep` positions reach past the nucleus cut: they contain it, so they
 * alone decide, from one more pass for every key and a count-only search.
 */
function keepMostProbable(logits: Float32Array, max: number, min: number, minTokensToKeep: number): Float32Array {
  const length = logits.length;
  // Most probable first: the key is the negated logit (exact); -Infinity logits get +Infinity and drop out.
  const keys = keyScratch(length);
  for (let index = 0; index < length; index++) keys[index] = -logits[index];
  const minimum = findCut(keys, undefined, length, -max, -min, minTokensToKeep);
  if (minimum === undefined) return logits.slice();
  return keepThroughCut(logits, keys, minimum.key, minimum.index, Number.NEGATIVE_INFINITY);
}
