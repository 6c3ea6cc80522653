/*
 * A histogram of one row's logits, each weighted by its exponential exp(logit - max), filled by the pass that computes
 * the softmax normaliser (see exponentialSums). Nucleus and typical filtering both cut the row where a probability
 * mass, accumulated in an order given by the logit, reaches a target, so this histogram locates either cut to within
 * a bucket before any per-token work. The final pass then keeps or removes every token outside that narrow band by a
 * single comparison, and only the few tokens inside the band are ordered exactly.
 *
 * The band is an estimate from float sums: the filters verify it with exact integer masses and widen it to the whole
 * row when it misses, so an estimate can cost time but never change a result.
 */

const BUCKETS = 4096;
const LAST_BUCKET = BUCKETS - 1;
// Bisection steps for a typical band edge: 2^-60 of the logit range is far below a bucket.
const BISECTION_STEPS = 60;

/** The shared histogram; there is one, refilled by every filter call (JavaScript runs one call at a time). */
export interface LogitHistogram {
  /** Smallest finite logit of the row: bucket 0 starts here. */
  low: number;
  /** Largest logit of the row. */
  high: number;
  /** Buckets per unit of logit; 0 when every finite logit is equal (then all of them share bucket 0). */
  scale: number;
  /** Sum of exp(logit - max) per bucket (BUCKETS entries). */
  mass: Float64Array;
}

const histogram: LogitHistogram = { low: 0, high: 0, scale: 0, mass: new Float64Array(BUCKETS) };
// prefix[b] = mass of the buckets below b (BUCKETS + 1 entries), filled by the typical band's queries.
const prefix = new Float64Array(BUCKETS + 1);

/** Empties the shared histogram and sets it up for finite logits in [low, high]. */
export function logitHistogram(low: number, high: number): LogitHistogram {
  const scale = BUCKETS / (high - low);
  histogram.low = low;
  histogram.high = high;
  // A range so small that the scale overflows (or is empty) puts every logit in bucket 0.
  histogram.scale = high > low && scale < Number.POSITIVE_INFINITY ? scale : 0;
  histogram.mass.fill(0);
  return histogram;
}

/**
 * Bucket of a finite logit: min(last, floor((logit - low) * scale)). Every operation in it is monotone, so each
 * bucket is a contiguous range of logits. Callers in hot loops inline this formula.
 */
export function bucketOf(logit: number, low: number, scale: number): number {
  const position = (logit - low) * scale;
  if (!(position > 0)) return 0;
  return position >= LAST_BUCKET ? LAST_BUCKET : position | 0;
}

/**
 * Logit bounds of the band holding the nucleus cut, where the mass of the most probable tokens first reaches
 * `target` (in the histogram's exp(logit - max) units): tokens above `keepAbove` weigh less than `target - margin`
 * together, so they are kept whatever the exact sums say; tokens below `removeBelow` come after tokens that weigh at
 * least `target + margin`, so they are removed. Each edge sits half a bucket outside its bucket boundary, which
 * absorbs the rounding of the boundary itself.
 */
export function nucleusBand(
  row: LogitHistogram,
  target: number,
  margin: number,
): { keepAbove: number; removeBelow: number } {
  const everything = { keepAbove: Number.POSITIVE_INFINITY, removeBelow: -Number.MAX_VALUE };
  if (row.scale === 0) return everything;
  let keepBucket = -1;
  let removeBucket = -1;
  let above = 0;
  for (let bucket = LAST_BUCKET; bucket >= 0; bucket--) {
    above += row.mass[bucket];
    if (keepBucket < 0 && above >= target - margin) keepBucket = bucket;
    if (above >= target + margin) {
      removeBucket = bucket;
      break;
    }
  }
  const edge = (bucket: number) => row.low + bucket / row.scale;
  return {
    keepAbove: keepBucket < 0 ? everything.keepAbove : edge(keepBucket + 1.5),
    removeBelow: removeBucket < 0 ? everything.removeBelow : edge(removeBucket - 0.5),
  };
}

/**
 * Deviation bounds of the band holding the typical cut, for tokens ordered by |logit - center|: tokens closer than
 * `keepBelow` to the centre weigh less than `target - margin` together (kept whatever the exact sums say), tokens
 * farther than `removeAbove` come after tokens that weigh at least `target + margin` (removed). Every distance test
 * is widened by `rounding`, which must exceed the difference between |logit - center| and the filter's own
 * deviation formula, and by half a bucket, which absorbs the rounding of bucket boundaries.
 */
export function centredBand(
  row: LogitHistogram,
  center: number,
  target: number,
  margin: number,
  rounding: number,
): { keepBelow: number; removeAbove: number } {
  const everything = { keepBelow: 0, removeAbove: Number.MAX_VALUE };
  if (row.scale === 0) return everything;
  prefix[0] = 0;
  for (let bucket = 0; bucket < BUCKETS; bucket++) prefix[bucket + 1] = prefix[bucket] + row.mass[bucket];
  const { low, high, scale } = row;
  const slack = rounding + 0.5 / scale;
  // Mass of every bucket that holds a logit within distance + slack of the centre: at least the true mass there.
  const massTouching = (distance: number) =>
    prefix[bucketOf(center + distance + slack, low, scale) + 1] -
    prefix[bucketOf(center - distance - slack, low, scale)];
  // Mass of the buckets that lie wholly within distance - slack of the centre: at most the true mass there.
  const massInside = (distance: number) => {
    const from = center - distance + slack;
    const to = center + distance - slack;
    const first = from < low ? 0 : bucketOf(from, low, scale) + 1;
    const last = to > high ? LAST_BUCKET : bucketOf(to, low, scale) - 1;
    return last < first ? 0 : prefix[last + 1] - prefix[first];
  };
  const farthest = Math.max(center - low, high - center) + slack + 1 / scale;

  let keepBelow = 0;
  if (massTouching(0) < target - margin) {
    let lower = 0;
    let upper = farthest;
    for (let step = 0; step < BISECTION_STEPS; step++) {
      const middle = (lower + upper) / 2;
      if (massTouching(middle) < target - margin) lower = middle;
      else upper = middle;
    }
    keepBelow = lower;
  }

  let removeAbove = everything.removeAbove;
  if (massInside(farthest) >= target + margin) {
    let lower = 0;
    let upper = farthest;
    for (let step = 0; step < BISECTION_STEPS; step++) {
      const middle = (lower + upper) / 2;
      if (massInside(middle) >= target + margin) upper = middle;
      else lower = middle;
    }
    removeAbove = upper;
  }
  return { keepBelow, removeAbove };
}
