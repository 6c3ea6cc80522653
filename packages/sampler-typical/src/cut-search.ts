import { belowScratch, bucketMemberScratch, memberScratch } from './workspace';

/**
 * A position in the order "ascending key, then ascending token id": the token there, its key, and how many tokens
 * come before it.
 */
export interface Cut {
  key: number;
  index: number;
  position: number;
}

// First-level buckets: enough that the bucket holding the cut is small for realistic rows, few enough that walking
// the histogram costs nothing next to the passes over the row.
const ROW_BUCKETS = 4096;
// Later levels split only the members of one bucket.
const MEMBER_BUCKETS = 256;
// At or below this many members a plain sort is cheaper than another histogram.
const SORT_LIMIT = 64;

/**
 * Multiplier that maps keys in [low, high] onto the row histogram's buckets: bucket = min(last, ((key - low) *
 * scale) | 0). Subtraction, multiplication and truncation are all monotone, so buckets are contiguous key ranges.
 * With a single distinct key (or a spread so small that the scale would overflow) everything goes to bucket 0, which
 * the search then treats as one group.
 */
export function bucketScale(low: number, high: number): number {
  const scale = ROW_BUCKETS / (high - low);
  return high > low && scale < Number.POSITIVE_INFINITY ? scale : 0;
}

/** Last bucket index of the row histogram. */
export const LAST_BUCKET = ROW_BUCKETS - 1;

/**
 * The row histogram: token count and total weight per bucket. A caller that already loops over the row can fill it
 * in that loop (after {@link clearHistogram}) and then call {@link findCutInHistogram}, saving a pass.
 */
export const bucketCounts = new Int32Array(ROW_BUCKETS);
/** Total weight per bucket; see {@link bucketCounts}. */
export const bucketWeights = new Float64Array(ROW_BUCKETS);

/** Empties the row histogram. */
export function clearHistogram(): void {
  bucketCounts.fill(0);
  bucketWeights.fill(0);
}

/**
 * Finds the first position, in ascending (key, token id) order over the tokens whose key is finite, at which the
 * cumulative weight reaches `target` (>=), without sorting the row: a histogram over key ranges locates the range
 * holding that position, then the search narrows inside that range only (recursively, then a small sort).
 *
 * `weights` must hold exact integers (probability units) so that bucket sums equal prefix sums exactly;
 * `undefined` weighs every token 1 (the cut then sits at position `target - 1`). `low` and `high` must bound every
 * finite key. Returns undefined when the finite tokens together weigh less than `target`.
 */
export function findCut(
  keys: Float64Array,
  weights: Float64Array | undefined,
  length: number,
  low: number,
  high: number,
  target: number,
): Cut | undefined {
  clearHistogram();
  const scale = bucketScale(low, high);
  for (let index = 0; index < length; index++) {
    const key = keys[index];
    if (key === Number.POSITIVE_INFINITY) continue;
    let bucket = ((key - low) * scale) | 0;
    if (bucket > LAST_BUCKET) bucket = LAST_BUCKET;
    bucketCounts[bucket]++;
    bucketWeights[bucket] += weights === undefined ? 1 : weights[index];
  }
  return findCutInHistogram(keys, weights, length, low, scale, target);
}

/**
 * {@link findCut} once the row histogram holds every finite key, bucketed with `low` and `scale` (from
 * {@link bucketScale}) exactly as findCut would.
 */
export function findCutInHistogram(
  keys: Float64Array,
  weights: Float64Array | undefined,
  length: number,
  low: number,
  scale: number,
  target: number,
): Cut | undefined {
  let before = 0;
  let position = 0;
  let cutBucket = -1;
  for (let bucket = 0; bucket < ROW_BUCKETS; bucket++) {
    const weight = bucketWeights[bucket];
    if (before + weight >= target) {
      cutBucket = bucket;
      break;
    }
    before += weight;
    position += bucketCounts[bucket];
  }
  if (cutBucket < 0) return undefined;

  // One pass sorts the finite tokens up to the cut bucket into two lists, which is all that
  // keepFromLastSearch needs to write the filtered row without another pass over the keys.
  const below = belowScratch(position);
  const bucketMembers = bucketMemberScratch(bucketCounts[cutBucket]);
  let belowCount = 0;
  let count = 0;
  for (let index = 0; index < length; index++) {
    const key = keys[index];
    if (key === Number.POSITIVE_INFINITY) continue;
    let bucket = ((key - low) * scale) | 0;
    if (bucket > LAST_BUCKET) bucket = LAST_BUCKET;
    if (bucket < cutBucket) below[belowCount++] = index;
    else if (bucket === cutBucket) bucketMembers[count++] = index;
  }
  lastSearch.belowCount = belowCount;
  lastSearch.memberCount = count;
  const members = memberScratch(count);
  members.set(bucketMembers.subarray(0, count));
  return findCutAmong(keys, weights, members, count, before, position, target);
}

/** Sizes of the two lists the last {@link findCutInHistogram} (or {@link findCut}) call left in the workspace. */
const lastSearch = { belowCount: 0, memberCount: 0 };

/**
 * Writes the filtered row after a search whose cut is the end of the kept set: tokens in the buckets below the cut
 * bucket are kept, tokens in higher buckets removed, and inside the cut bucket a token is kept when its key is at
 * most `tieKey`, or its (key, id) at most (lastKey, lastIndex). `keys` must be the keys of that search, and the kept
 * set must end inside its cut bucket (true for the cut itself and the ties with it, which share its bucket).
 */
export function keepFromLastSearch(
  logits: Float32Array,
  keys: Float64Array,
  lastKey: number,
  lastIndex: number,
  tieKey: number,
): Float32Array {
  const filtered = new Float32Array(logits.length).fill(Number.NEGATIVE_INFINITY);
  const below = belowScratch(0);
  for (let rank = 0; rank < lastSearch.belowCount; rank++) {
    const index = below[rank];
    filtered[index] = logits[index];
  }
  const members = bucketMemberScratch(0);
  for (let rank = 0; rank < lastSearch.memberCount; rank++) {
    const index = members[rank];
    const key = keys[index];
    if (key <= tieKey || key < lastKey || (key === lastKey && index <= lastIndex)) filtered[index] = logits[index];
  }
  return filtered;
}

/**
 * Finds the cut among `count` members (token ids in ascending order, reordered in place) known to hold it: `before`
 * and `position` are the weight and the number of tokens that precede all of them, and the members must weigh at
 * least `target - before` together. Only the members' entries of `keys` and `weights` are read. Large groups are
 * split by small histograms first, so a big tie group costs linear time, not a sort.
 */
export function findCutAmong(
  keys: Float64Array,
  weights: Float64Array | undefined,
  members: Int32Array,
  count: number,
  before: number,
  position: number,
  target: number,
): Cut {
  const counts = new Int32Array(MEMBER_BUCKETS);
  const sums = new Float64Array(MEMBER_BUCKETS);
  for (;;) {
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (let member = 0; member < count; member++) {
      const key = keys[members[member]];
      if (key < low) low = key;
      if (key > high) high = key;
    }
    const scale = MEMBER_BUCKETS / (high - low);
    if (low === high || count <= SORT_LIMIT || scale === Number.POSITIVE_INFINITY) {
      // Equal keys are already in token-id order; otherwise a small sort settles the order.
      const ordered = low === high ? members.subarray(0, count) : sortByKey(keys, members.slice(0, count));
      return walk(keys, weights, ordered, before, position, target);
    }
    counts.fill(0);
    sums.fill(0);
    const lastBucket = MEMBER_BUCKETS - 1;
    for (let member = 0; member < count; member++) {
      const index = members[member];
      let bucket = ((keys[index] - low) * scale) | 0;
      if (bucket > lastBucket) bucket = lastBucket;
      counts[bucket]++;
      sums[bucket] += weights === undefined ? 1 : weights[index];
    }
    let cutBucket = lastBucket;
    for (let bucket = 0; bucket < MEMBER_BUCKETS; bucket++) {
      if (before + sums[bucket] >= target) {
        cutBucket = bucket;
        break;
      }
      before += sums[bucket];
      position += counts[bucket];
    }
    // Keep the members of the cut bucket, in place and still in token-id order.
    let kept = 0;
    for (let member = 0; member < count; member++) {
      const index = members[member];
      let bucket = ((keys[index] - low) * scale) | 0;
      if (bucket > lastBucket) bucket = lastBucket;
      if (bucket === cutBucket) members[kept++] = index;
    }
    count = kept;
  }
}

function sortByKey(keys: Float64Array, members: Int32Array): Int32Array {
  return members.sort((left, right) => keys[left] - keys[right] || left - right);
}

function walk(
  keys: Float64Array,
  weights: Float64Array | undefined,
  ordered: Int32Array,
  before: number,
  position: number,
  target: number,
): Cut {
  let cumulative = before;
  for (let rank = 0; rank < ordered.length; rank++) {
    const index = ordered[rank];
    cumulative += weights === undefined ? 1 : weights[index];
    if (cumulative >= target) return { key: keys[index], index, position: position + rank };
  }
  // The caller only narrows into a group whose exact total weight reaches the target.
  throw new Error('cut search: the group holding the cut weighs less than the target');
}

/**
 * Keeps tokens whose (key, id) is at most (lastKey, lastIndex) or whose key is at most `tieKey`; the rest become
 * -Infinity.
 */
export function keepThroughCut(
  logits: Float32Array,
  keys: Float64Array,
  lastKey: number,
  lastIndex: number,
  tieKey: number,
): Float32Array {
  const length = logits.length;
  const filtered = new Float32Array(length);
  for (let index = 0; index < length; index++) {
    const key = keys[index];
    filtered[index] =
      key <= tieKey || key < lastKey || (key === lastKey && index <= lastIndex)
        ? logits[index]
        : Number.NEGATIVE_INFINITY;
  }
  return filtered;
}
