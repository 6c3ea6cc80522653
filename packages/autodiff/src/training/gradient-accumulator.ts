/**
 * Combines micro-batch gradients into the gradient of the whole batch. Each micro-batch gradient is taken to be a mean
 * over its own tokens, so weighting it by its token count and dividing by the total gives the mean over all tokens:
 * the same gradient as one pass over the whole batch, however the batch was split. Sums are kept in float64, and the
 * buffers are reused after {@link GradientAccumulator.reset}.
 */
export class GradientAccumulator {
  private readonly sums = new Map<string, Float64Array>();
  private readonly averages = new Map<string, Float32Array>();
  private readonly present = new Set<string>();
  private tokens = 0;
  private microBatches = 0;

  /**
   * Adds one micro-batch.
   * @param gradients mean gradient over the micro-batch's tokens, per parameter name.
   * @param tokenCount tokens (or examples) the micro-batch's mean was taken over, > 0.
   * @throws Error when a gradient's length differs from the one accumulated under the same name.
   */
  add(gradients: ReadonlyMap<string, Float32Array>, tokenCount: number): void {
    if (!(Number.isFinite(tokenCount) && tokenCount > 0)) {
      throw new RangeError(`GradientAccumulator.add: tokenCount must be a finite number > 0, got ${tokenCount}`);
    }
    for (const [name, gradient] of gradients) {
      const sum = this.sums.get(name);
      if (sum !== undefined && sum.length !== gradient.length) {
        throw new Error(
          `GradientAccumulator.add: gradient "${name}" has ${gradient.length} elements but earlier ones had ${sum.length}`,
        );
      }
    }
    for (const [name, gradient] of gradients) {
      let sum = this.sums.get(name);
      if (sum === undefined) {
        sum = new Float64Array(gradient.length);
        this.sums.set(name, sum);
      }
      this.present.add(name);
      for (let index = 0; index < gradient.length; index++) sum[index]! += tokenCount * gradient[index]!;
    }
    this.tokens += tokenCount;
    this.microBatches += 1;
  }

  /** Tokens added since the last reset. */
  get tokenCount(): number {
    return this.tokens;
  }

  /** Micro-batches added since the last reset. */
  get microBatchCount(): number {
    return this.microBatches;
  }

  /**
   * The token-weighted mean gradient per parameter: sum of tokenCount * gradient over micro-batches, divided by the
   * total token count (a micro-batch without a gradient for some parameter counts as zero for it). Only parameters
   * that had a gradient since the last reset appear. The arrays belong to the accumulator and are overwritten by the next call.
   * @throws Error when nothing was added since the last reset.
   */
  average(): Map<string, Float32Array> {
    if (this.microBatches === 0)
      throw new Error('GradientAccumulator.average: no micro-batch was added since the last reset');
    const result = new Map<string, Float32Array>();
    const inverse = 1 / this.tokens;
    for (const [name, sum] of this.sums) {
      if (!this.present.has(name)) continue;
      let average = this.averages.get(name);
      if (average === undefined || average.length !== sum.length) {
        average = new Float32Array(sum.length);
        this.averages.set(name, average);
      }
      for (let index = 0; index < sum.length; index++) average[index] = sum[index]! * inverse;
      result.set(name, average);
    }
    return result;
  }

  /** Starts a new batch; keeps the buffers for reuse. */
  reset(): void {
    for (const sum of this.sums.values()) sum.fill(0);
    this.present.clear();
    this.tokens = 0;
    this.microBatches = 0;
  }
}
