/*
 * Candidate tokens: the few most probable tokens of a row, among which a filter expects its cut.
 *
 * Nucleus and typical filtering cut the row where a probability mass, accumulated in an order given by the logits,
 * reaches a target. On language-model rows that cut lies among a few percent of the vocabulary, the most probable
 * tokens, so a filter lists the tokens at or above a floor logit while it computes the softmax, orders only those,
 * and checks with exact masses that every token below the floor lies beyond the cut. When the check fails (a flat
 * row, a bad estimate) it lowers the floor and tries again, down to every finite token, so the floor only ever
 * decides the speed, never the result.
 */
import { exponentialOfNonPositive } from './exponential';
import { exponentialSums } from './softmax';
import type { SoftmaxKernel } from './softmax-kernel';

// Tokens read to estimate where the mass lies: enough that the low-probability bulk of a row is well represented,
// few enough to cost nothing next to one pass over the row.
const SAMPLES = 1024;
const SAMPLE_BUCKETS = 64;
// The floor never rises above the HEAD_SAMPLES-th highest sampled logit. Each sampled token stands for length /
// SAMPLES tokens, which suits the bulk but not the head: on a sharp row (a low temperature) the tokens ranked just
// below the first few hold much of the mass and the sample holds about one of them, so above that rank the estimate
// has nothing to go on. Four samples keep about 4 * length / SAMPLES tokens (980 at 250,880) above the floor.
const HEAD_SAMPLES = 4;
// Rows shorter than this are ordered whole: the estimate would save little.
const MIN_SAMPLED_LENGTH = 2 * SAMPLES;

/** A floor below every finite logit: every finite token is a candidate (and -Infinity never is). */
export const EVERY_FINITE_TOKEN = -Number.MAX_VALUE;

const sampleMass = new Float64Array(SAMPLE_BUCKETS);

/**
 * Chooses the floor logit: from an evenly strided sample of the row, the highest bucket boundary below which the
 * tokens are estimated to weigh at most `tailShare` of the row's total mass, with buckets spanning the sampled logits.
 * `max` is the row's largest logit. Before the softmax pass the total is itself estimated from the sample; after it,
 * `normalizer` (the exact sum of exp(logit - max)) gives a tighter floor.
 */
export function candidateFloor(logits: Float32Array, max: number, tailShare: number, normalizer?: number): number {
  const length = logits.length;
  if (length < MIN_SAMPLED_LENGTH || !(tailShare > 0)) return EVERY_FINITE_TOKEN;
  const min = smallestSampled(logits);
  const ceiling = sampledHeadFloor;
  if (ceiling === Number.NEGATIVE_INFINITY) return EVERY_FINITE_TOKEN;
  const scale = SAMPLE_BUCKETS / (max - min);
  // A sample of logits all equal to the max says nothing useful.
  if (!(max > min && scale < Number.POSITIVE_INFINITY)) return EVERY_FINITE_TOKEN;
  sampleMass.fill(0);
  // Each sampled token stands for length / SAMPLES tokens. That suits the bulk of small probabilities, but a sampled
  // token of the head would multiply its weight into a gross overestimate of the total (and so of the budget), so
  // the total counts only sampled tokens lighter than the largest one (weight 1), which it counts once.
  const tokensPerSample = length / SAMPLES;
  const bulk = sampleRow(logits, max, min, scale, 1 / tokensPerSample);
  const budget = tailShare * (normalizer ?? 1 + bulk * tokensPerSample);
  let tail = 0;
  for (let bucket = 0; bucket < SAMPLE_BUCKETS; bucket++) {
    tail += sampleMass[bucket] * tokensPerSample;
    if (tail > budget) return bucket === 0 ? EVERY_FINITE_TOKEN : Math.min(min + bucket / scale, ceiling);
  }
  return Math.min(min + (SAMPLE_BUCKETS - 1) / scale, ceiling);
}

/**
 * A floor below which the tokens of a row of `length` weigh less than `tailShare` of the mass for certain, whatever
 * the sample says: each weighs less than exp(floor - max), and there are at most `length` of them. `normalizer` is the
 * exact sum of exp(logit - max).
 */
export function massFloor(max: number, normalizer: number, tailShare: number, length: number): number {
  const floor = max + Math.log((tailShare * normalizer) / length);
  return Math.max(floor, EVERY_FINITE_TOKEN);
}

const sampleBuffer = new Float32Array(SAMPLES);

/**
 * The logits of the evenly strided sample of a row that {@link candidateFloor} reads, or undefined for a row too short
 * to sample; the array is reused by the next call. Each sampled token stands for length / SAMPLES tokens, so about
 * r * length / SAMPLES tokens of the row lie at or above the r-th highest sampled logit (see {@link logitOfRank}).
 */
export function gatherSample(logits: Float32Array): Float32Array | undefined {
  const length = logits.length;
  if (length < MIN_SAMPLED_LENGTH) return undefined;
  for (let sample = 0; sample < SAMPLES; sample++) sampleBuffer[sample] = logits[sampledIndex(sample, length)];
  return sampleBuffer;
}

/**
 * The `rank`-th highest of `values` (1 for the highest, at most values.length), by quickselect: it reorders `values`,
 * and costs a few passes over them where a sort of the 1,024 sampled logits took ten times as long.
 */
export function logitOfRank(values: Float32Array, rank: number): number {
  const target = values.length - rank;
  let left = 0;
  let right = values.length - 1;
  while (right > left) {
    const first = values[left];
    const middle = values[(left + right) >> 1];
    // The median of three, so that runs already in order split evenly.
    const pivot = Math.max(Math.min(first, middle), Math.min(Math.max(first, middle), values[right]));
    // Three ways, ascending: [left, below) < pivot, [below, next) = pivot, (above, right] > pivot; a run of ties
    // then settles in one round.
    let below = left;
    let next = left;
    let above = right;
    while (next <= above) {
      const value = values[next];
      if (value < pivot) {
        values[next++] = values[below];
        values[below++] = value;
      } else if (value > pivot) {
        values[next] = values[above];
        values[above--] = value;
      } else next++;
    }
    if (target < below) right = below - 1;
    else if (target > above) left = above + 1;
    else return pivot;
  }
  return values[target];
}

/** Index of the `sample`th of SAMPLES evenly spaced tokens of a row of `length`. */
const sampledIndex = (sample: number, length: number) => ((sample * length) / SAMPLES) | 0;

/** The HEAD_SAMPLES-th highest sampled logit, left by {@link smallestSampled} (-Infinity if fewer are finite). */
let sampledHeadFloor = Number.NEGATIVE_INFINITY;
const headSamples = new Float64Array(HEAD_SAMPLES);

/**
 * The smallest finite sampled logit (+Infinity if none is finite); leaves the HEAD_SAMPLES-th highest in
 * sampledHeadFloor.
 */
function smallestSampled(logits: Float32Array): number {
  let min = Number.POSITIVE_INFINITY;
  // The highest sampled logits, in descending order; a new one moves the lower ones down.
  headSamples.fill(Number.NEGATIVE_INFINITY);
  const last = HEAD_SAMPLES - 1;
  for (let sample = 0; sample < SAMPLES; sample++) {
    const logit = logits[sampledIndex(sample, logits.length)];
    if (logit < min && logit > Number.NEGATIVE_INFINITY) min = logit;
    if (logit > headSamples[last]) {
      let slot = last;
      while (slot > 0 && logit > headSamples[slot - 1]) {
        headSamples[slot] = headSamples[slot - 1];
        slot--;
      }
      headSamples[slot] = logit;
    }
  }
  sampledHeadFloor = headSamples[last];
  return min;
}

/**
 * Fills sampleMass with exp(logit - max) per logit bucket for the sampled tokens and returns the total of the weights
 * below `heavy`.
 */
function sampleRow(logits: Float32Array, max: number, min: number, scale: number, heavy: number): number {
  let total = 0;
  for (let sample = 0; sample < SAMPLES; sample++) {
    const logit = logits[sampledIndex(sample, logits.length)];
    // Also skips -Infinity.
    if (!(logit >= min)) continue;
    const weight = exponentialOfNonPositive(logit - max);
    let bucket = ((logit - min) * scale) | 0;
    if (bucket >= SAMPLE_BUCKETS) bucket = SAMPLE_BUCKETS - 1;
    sampleMass[bucket] += weight;
    if (weight < heavy) total += weight;
  }
  return total;
}

/**
 * Lists, in ascending id order, the tokens whose logit is at least `floor` (-Infinity never is, as floor >=
 * {@link EVERY_FINITE_TOKEN}) into `candidates` and their logits into `candidateLogits`, and returns how many there
 * are. The first attempt lists them during the softmax pass instead; this is the pass for a retry with a lower floor.
 */
export function collectCandidates(
  logits: Float32Array,
  floor: number,
  candidates: Int32Array,
  candidateLogits: Float32Array,
): number {
  let count = 0;
  for (let index = 0; index < logits.length; index++) {
    const logit = logits[index];
    if (logit >= floor) {
      candidates[count] = index;
      candidateLogits[count++] = logit;
    }
  }
  return count;
}

/**
 * The candidates' ranks 0..count-1, for the cut search: it orders ranks by (key, rank), and since candidates are
 * listed in ascending id order, that is the order by (key, token id).
 */
export function candidateRanks(count: number, ranks: Int32Array): Int32Array {
  for (let rank = 0; rank < count; rank++) ranks[rank] = rank;
  return ranks;
}

/**
 * Keeps, in place and in order, the first `count` candidates whose logit is at least `floor` (a floor at or above the
 * one they were listed with), and returns how many remain.
 */
export function keepCandidatesAbove(
  candidates: Int32Array,
  candidateLogits: Float32Array,
  count: number,
  floor: number,
): number {
  let kept = 0;
  for (let rank = 0; rank < count; rank++) {
    const logit = candidateLogits[rank];
    if (logit >= floor) {
      candidates[kept] = candidates[rank];
      candidateLogits[kept++] = logit;
    }
  }
  return kept;
}

/** What {@link sumsAndCandidates} gathers: the softmax sums of a row, and its candidates at `floor`. */
export interface RowSums {
  /** Z = sum e^t, with t = logit - max. */
  normalizer: number;
  /** sum e^t t, for the entropy. */
  weightedShift: number;
  /** The floor the candidates were listed at. */
  floor: number;
  candidateCount: number;
}

/**
 * The pass over the row that the nucleus and typical filters share: the softmax sums, and the candidates (ids into
 * `candidates`, logits into `candidateLogits`, ascending id order) at a floor below which the tokens are estimated to
 * weigh at most `tailShare` of the mass, or at `firstFloor` when given. With the WebAssembly kernel (the row already
 * loaded into it), the sums come first and the candidates are listed afterwards at the floor that the exact normaliser
 * gives; in JavaScript both come from one pass at the sample's first estimate, and the exact normaliser then narrows
 * the list. Both list the same tokens.
 */
export function sumsAndCandidates(
  logits: Float32Array,
  max: number,
  tailShare: number,
  firstFloor: number | undefined,
  kernel: SoftmaxKernel | undefined,
  candidates: Int32Array,
  candidateLogits: Float32Array,
): RowSums {
  let floor = firstFloor ?? candidateFloor(logits, max, tailShare);
  if (kernel !== undefined) {
    const { normalizer, weightedShift } = kernel.exponentialSums(max);
    if (firstFloor === undefined) floor = Math.max(floor, candidateFloor(logits, max, tailShare, normalizer));
    const candidateCount = kernel.collectCandidates(floor, candidates, candidateLogits);
    return { normalizer, weightedShift, floor, candidateCount };
  }
  const { normalizer, weightedShift, candidateCount } = exponentialSums(
    logits,
    max,
    floor,
    candidates,
    candidateLogits,
  );
  if (firstFloor !== undefined) return { normalizer, weightedShift, floor, candidateCount };
  // With the exact normaliser the sample gives a tighter floor, and the candidates above it are among those listed.
  floor = Math.max(floor, candidateFloor(logits, max, tailShare, normalizer));
  return {
    normalizer,
    weightedShift,
    floor,
    candidateCount: keepCandidatesAbove(candidates, candidateLogits, candidateCount, floor),
  };
}

/** {@link collectCandidates} through the kernel when it holds the row (`kernel` given), for the filters' retries. */
export function listCandidates(
  logits: Float32Array,
  kernel: SoftmaxKernel | undefined,
  floor: number,
  candidates: Int32Array,
  candidateLogits: Float32Array,
): number {
  return kernel === undefined
    ? collectCandidates(logits, floor, candidates, candidateLogits)
    : kernel.collectCandidates(floor, candidates, candidateLogits);
}
