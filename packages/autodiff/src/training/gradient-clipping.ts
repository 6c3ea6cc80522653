/**
 * The L2 norm of all gradients taken together, sqrt(sum over every element of g^2), summed in float64.
 * @param gradients gradient arrays, or a map of them by parameter name.
 */
export function globalNorm(gradients: ReadonlyMap<string, Float32Array> | Iterable<Float32Array>): number {
  let sumOfSquares = 0;
  for (const gradient of gradientArrays(gradients)) {
    for (let index = 0; index < gradient.length; index++) {
      const value = gradient[index]!;
      sumOfSquares += value * value;
    }
  }
  return Math.sqrt(sumOfSquares);
}

/**
 * Scales every gradient in place by maxNorm / (norm + 1e-6) when their global L2 norm exceeds `maxNorm`, so the
 * clipped norm is just under `maxNorm` and the direction is kept (the 1e-6 is PyTorch's `clip_grad_norm_` guard).
 * A non-finite norm (an inf or NaN gradient) leaves the gradients untouched; the returned value lets the caller skip
 * that step.
 * @param maxNorm the largest allowed global norm, > 0.
 * @returns the global norm before clipping (log it: spikes show instability).
 */
export function clipGlobalNorm(
  gradients: ReadonlyMap<string, Float32Array> | Iterable<Float32Array>,
  maxNorm: number,
): number {
  if (!(maxNorm > 0)) throw new RangeError(`clipGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  const norm = globalNorm(gradients);
  if (!Number.isFinite(norm) || norm <= maxNorm) return norm;
  const scale = maxNorm / (norm + 1e-6);
  for (const gradient of gradientArrays(gradients)) {
    for (let index = 0; index < gradient.length; index++) gradient[index]! *= scale;
  }
  return norm;
}

function gradientArrays(gradients: ReadonlyMap<string, Float32Array> | Iterable<Float32Array>): Iterable<Float32Array> {
  return gradients instanceof Map ? gradients.values() : (gradients as Iterable<Float32Array>);
}
