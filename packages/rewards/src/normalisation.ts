/** How a component's raw values are put on a common scale before weighting. */
export type Normalisation = 'none' | 'running' | { mean: number; std: number };

/**
 * Mean and standard deviation of every value seen so far, updated a batch at a time (Chan et al.'s parallel
 * combination of counts, means and sums of squared deviations), so PPO rewards keep a stable scale as the policy
 * drifts.
 */
export class RunningMoments {
  count = 0;
  mean = 0;
  /** Sum of squared deviations from the mean. */
  private squares = 0;

  /** Adds a batch of values. */
  update(values: readonly number[]): void {
    if (values.length === 0) return;
    const batchMean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const batchSquares = values.reduce((sum, value) => sum + (value - batchMean) ** 2, 0);
    const total = this.count + values.length;
    const delta = batchMean - this.mean;
    this.squares += batchSquares + (delta * delta * this.count * values.length) / total;
    this.mean += (delta * values.length) / total;
    this.count = total;
  }

  /** Sample standard deviation (n - 1); 1 until two values have been seen, so early values are only centred. */
  get std(): number {
    return this.count < 2 ? 1 : Math.sqrt(this.squares / (this.count - 1));
  }
}

// Keeps a constant component (all values equal so far) from dividing by zero.
const smallestStd = 1e-8;

/** Turns one batch of raw values into normalised ones; running statistics include the batch itself. */
export function createNormaliser(normalisation: Normalisation): (values: readonly number[]) => number[] {
  if (normalisation === 'none') return (values) => [...values];
  if (normalisation === 'running') {
    const moments = new RunningMoments();
    return (values) => {
      moments.update(values);
      const std = Math.max(moments.std, smallestStd);
      return values.map((value) => (value - moments.mean) / std);
    };
  }
  const { mean, std } = normalisation;
  return (values) => values.map((value) => (value - mean) / std);
}
