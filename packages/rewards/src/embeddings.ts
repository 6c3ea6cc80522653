/**
 * Scales a vector to unit Euclidean length, in place, and returns it; a zero vector stays zero (the LAION predictor
 * guards a zero norm the same way) so that a blank input cannot produce NaN.
 */
export function l2Normalize(vector: Float32Array): Float32Array {
  let squares = 0;
  for (const value of vector) squares += value * value;
  const norm = Math.sqrt(squares);
  if (norm > 0) for (let index = 0; index < vector.length; index++) vector[index]! /= norm;
  return vector;
}

/** Dot product of two vectors of the same length; the cosine similarity when both are L2-normalised. */
export function dot(left: Float32Array, right: Float32Array): number {
  if (left.length !== right.length) {
    throw new RangeError(`embeddings of different sizes cannot be compared: ${left.length} and ${right.length}`);
  }
  let sum = 0;
  for (let index = 0; index < left.length; index++) sum += left[index]! * right[index]!;
  return sum;
}

/** Softmax of a list of logits, computed stably (the largest logit is subtracted first). */
export function softmax(logits: readonly number[]): number[] {
  const largest = Math.max(...logits);
  const weights = logits.map((logit) => Math.exp(logit - largest));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => weight / total);
}

/** Arithmetic mean of a non-empty list. */
export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
