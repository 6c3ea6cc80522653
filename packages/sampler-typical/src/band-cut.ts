import { type Cut, findCutAmong } from './cut-search';
import { memberScratch } from './workspace';

/**
 * What a filter's final pass found for one band of its sort order (estimated with the logit histogram): the tokens
 * before the band are kept outright and the tokens after it removed, so only the band's tokens need the exact order.
 * The pass lists those tokens in ascending id order and stores their keys and exact weights at their token ids.
 */
export interface BandSplit {
  /** Total weight (probability units) of the tokens before the band. */
  keptWeight: number;
  /** Number of tokens before the band. */
  keptCount: number;
  /** Total weight of the tokens inside the band. */
  bandWeight: number;
  /** Number of tokens inside the band. */
  bandCount: number;
}

/**
 * Whether the cut at `target` lies inside the band, checked with exact integer weights: the tokens before it weigh
 * less than the target, and with the band's tokens at least the target. This is what makes an estimated band safe.
 */
export function bandHoldsCut(split: BandSplit, target: number): boolean {
  return split.keptWeight < target && split.keptWeight + split.bandWeight >= target;
}

/**
 * The exact cut inside a band that holds it: the position in (key, token id) order where the cumulative weight
 * first reaches `target`. `band` lists the band's token ids (left intact); `keys` and `weights` hold their entries.
 */
export function cutInBand(
  split: BandSplit,
  band: Int32Array,
  keys: Float64Array,
  weights: Float64Array,
  target: number,
): Cut {
  const members = memberScratch(split.bandCount);
  members.set(band.subarray(0, split.bandCount));
  return findCutAmong(keys, weights, members, split.bandCount, split.keptWeight, split.keptCount, target);
}
