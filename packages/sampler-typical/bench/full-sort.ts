/*
 * The plain way to write the filters, as a baseline: softmax with Math.exp, a full sort of the vocabulary,
 * a cumulative sum in sorted order. Same rules as the package (ties by token id, inclusive cut).
 */

function softmax(logits: Float32Array): { probabilities: Float64Array; logProbabilities: Float64Array } {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of logits) if (value > max) max = value;
  const probabilities = new Float64Array(logits.length);
  let total = 0;
  for (let index = 0; index < logits.length; index++) {
    probabilities[index] = Math.exp(logits[index] - max);
    total += probabilities[index];
  }
  const logTotal = Math.log(total);
  const logProbabilities = new Float64Array(logits.length);
  for (let index = 0; index < logits.length; index++) {
    probabilities[index] /= total;
    logProbabilities[index] = logits[index] - max - logTotal;
  }
  return { probabilities, logProbabilities };
}

function sortedIds(keys: Float64Array): Uint32Array {
  const ids = new Uint32Array(keys.length);
  for (let index = 0; index < ids.length; index++) ids[index] = index;
  return ids.sort((left, right) => keys[left] - keys[right] || left - right);
}

/** Typical filtering by full sort of the deviations. */
export function fullSortTypical(logits: Float32Array, mass: number): Float32Array {
  const { probabilities, logProbabilities } = softmax(logits);
  let entropy = 0;
  for (let index = 0; index < logits.length; index++) {
    if (probabilities[index] > 0) entropy -= probabilities[index] * logProbabilities[index];
  }
  const deviations = new Float64Array(logits.length);
  for (let index = 0; index < logits.length; index++) {
    deviations[index] =
      logits[index] === Number.NEGATIVE_INFINITY
        ? Number.POSITIVE_INFINITY
        : Math.abs(-logProbabilities[index] - entropy);
  }
  const order = sortedIds(deviations);
  let cumulative = 0;
  let last = order.length - 1;
  for (let position = 0; position < order.length; position++) {
    cumulative += probabilities[order[position]];
    if (cumulative >= mass) {
      last = position;
      break;
    }
  }
  const cut = deviations[order[last]];
  return logits.map((value, index) => (deviations[index] <= cut ? value : Number.NEGATIVE_INFINITY));
}

/** Top-p filtering by full sort of the logits. */
export function fullSortTopP(logits: Float32Array, p: number): Float32Array {
  const { probabilities } = softmax(logits);
  const negated = Float64Array.from(logits, (value) => -value);
  const order = sortedIds(negated);
  const filtered = new Float32Array(logits.length).fill(Number.NEGATIVE_INFINITY);
  let above = 0;
  for (let position = 0; position < order.length && above < p; position++) {
    const index = order[position];
    filtered[index] = logits[index];
    above += probabilities[index];
  }
  return filtered;
}

/** Top-k filtering by full sort of the logits: everything strictly below the k-th largest logit goes. */
export function fullSortTopK(logits: Float32Array, k: number): Float32Array {
  const descending = Float32Array.from(logits).sort().reverse();
  const threshold = descending[Math.min(k, logits.length) - 1];
  return logits.map((value) => (value < threshold ? Number.NEGATIVE_INFINITY : value));
}
