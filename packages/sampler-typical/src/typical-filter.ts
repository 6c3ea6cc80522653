import { type BandSplit, bandHoldsCut, cutInBand } from './band-cut';
import { findCut, keepThroughCut } from './cut-search';
import { SamplerInputError } from './errors';
import { exponentialOfNonPositive } from './exponential';
import { centredBand, logitHistogram } from './logit-histogram';
import { logitRange, requireInteger } from './logits-row';
import { exponentialSums, PROBABILITY_UNITS } from './softmax';
import { bandScratch, keyScratch, weightScratch } from './workspace';

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
  return typicalFilterInBand(logits, mass, minTokensToKeep);
}

/** Deviation bounds of a band: see {@link centredBand}. */
export interface DeviationBand {
  keepBelow: number;
  removeAbove: number;
}

/** One row's softmax, as the final pass needs it. */
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

// Estimated masses may be this far (relative to Z) from the exact ones: the float sums' rounding plus the rounding
// of each token's probability to a whole unit (half a unit, 2^-51, per token).
const MASS_MARGIN = 1e-9;

/**
 * {@link typicalFilter} on validated options, with the band optionally given instead of estimated; tests pass bands
 * that miss the cut to check that a wrong estimate is detected and widened.
 *
 * Three passes over the row: its range; the exponentials with the normaliser, the entropy sum and the logit
 * histogram; and a final pass that writes the filtered row, keeping or removing every token outside the band by its
 * deviation alone. Only the band's tokens are then ordered exactly.
 */
export function typicalFilterInBand(
  logits: Float32Array,
  mass: number,
  minTokensToKeep: number,
  band?: DeviationBand,
): Float32Array {
  const { max, min } = logitRange(logits);
  const histogram = logitHistogram(min, max);
  const { normalizer, weightedShift } = exponentialSums(logits, max, histogram);
  // With t = logit - max, log p = t - log Z, so H = -sum p log p = log Z - (sum e^t t) / Z.
  const logNormalizer = Math.log(normalizer);
  const entropy = logNormalizer - weightedShift / normalizer;
  const row: TypicalRow = { logits, max, logNormalizer, entropy, units: PROBABILITY_UNITS / normalizer };
  const target = mass * PROBABILITY_UNITS;
  const length = logits.length;

  // The deviation is |logit - center| up to the rounding of its formula, a few units in the last place of the
  // largest magnitude involved.
  const center = max + logNormalizer - entropy;
  const rounding = 16 * Number.EPSILON * (Math.abs(max) + Math.abs(min) + logNormalizer + Math.abs(entropy) + 1);
  const margin = normalizer * (MASS_MARGIN + length * 2 ** -50);
  const estimate = band ?? centredBand(histogram, center, mass * normalizer, margin, rounding);

  const filtered = new Float32Array(length);
  let split = splitRow(row, filtered, estimate.keepBelow, estimate.removeAbove);
  if (!bandHoldsCut(split, target)) {
    split = splitRow(row, filtered, 0, Number.MAX_VALUE);
    // The whole row weighs less than the mass (rounding, mass close to 1): nothing is removed, as in the reference.
    if (!bandHoldsCut(split, target)) return logits.slice();
  }
  const members = bandScratch(length);
  const deviations = keyScratch(length);
  const cut = cutInBand(split, members, deviations, weightScratch(length), target);
  if (minTokensToKeep > cut.position + 1) return keepMinimumTokens(row, min, minTokensToKeep, cut.key);
  for (let rank = 0; rank < split.bandCount; rank++) {
    const index = members[rank];
    // The cut token and every token tied with its deviation stay.
    if (deviations[index] <= cut.key) filtered[index] = logits[index];
  }
  return filtered;
}

/**
 * The final pass: writes `filtered` for every token outside the band (logit if its deviation is below `keepBelow`,
 * -Infinity if above `removeAbove`; -Infinity for the band too, for now) and lists the band for the exact search.
 */
function splitRow(row: TypicalRow, filtered: Float32Array, keepBelow: number, removeAbove: number): BandSplit {
  const bandCount = splitByDeviation(row, filtered, keepBelow, removeAbove);
  return { keptWeight: splitKeptWeight, keptCount: splitKeptCount, bandWeight: splitBandWeight, bandCount };
}

// Results of the last splitByDeviation besides its return value (a hot loop returns one number, for the reason
// given in logits-row.ts).
let splitKeptWeight = 0;
let splitKeptCount = 0;
let splitBandWeight = 0;

/** The loop of {@link splitRow}: returns the number of band tokens. */
function splitByDeviation(row: TypicalRow, filtered: Float32Array, keepBelow: number, removeAbove: number): number {
  const { logits, max, logNormalizer, entropy, units } = row;
  const length = logits.length;
  const members = bandScratch(length);
  const deviations = keyScratch(length);
  const weights = weightScratch(length);
  let keptWeight = 0;
  let keptCount = 0;
  let bandWeight = 0;
  let bandCount = 0;
  for (let index = 0; index < length; index++) {
    const logit = logits[index];
    // Written as |-(logit - max - log Z) - H| rather than the shorter |center - logit| on purpose: logits closer
    // together than the rounding of log p then get the same deviation, as in a log_softmax implementation.
    // A -Infinity logit gets +Infinity, beyond every band.
    const deviation = Math.abs(-(logit - max - logNormalizer) - entropy);
    if (deviation > removeAbove) {
      filtered[index] = Number.NEGATIVE_INFINITY;
      continue;
    }
    const weight = Math.floor(exponentialOfNonPositive(logit - max) * units + 0.5);
    if (deviation < keepBelow) {
      filtered[index] = logit;
      keptWeight += weight;
      keptCount++;
    } else {
      filtered[index] = Number.NEGATIVE_INFINITY;
      members[bandCount++] = index;
      deviations[index] = deviation;
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
 * The rare case where the first `minTokensToKeep` positions reach past the mass cut (whose deviation is `cutKey`):
 * they need the positions of the whole order, so this takes one more pass for every deviation and a count-only
 * search.
 */
function keepMinimumTokens(row: TypicalRow, min: number, minTokensToKeep: number, cutKey: number): Float32Array {
  const { logits, max, logNormalizer, entropy } = row;
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
