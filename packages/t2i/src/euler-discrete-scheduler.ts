import type { DiffusionScheduler } from './diffusion-scheduler';
import { alphasCumulativeProduct, inferenceTimesteps, type SchedulerConfig } from './scheduler-config';

/**
 * Euler sampling of the probability-flow ODE in sigma space (Karras et al.'s formulation, no churn): sigma =
 * sqrt((1 − alpha_bar) / alpha_bar), the UNet sees x / sqrt(sigma² + 1), and x moves by (sigma_next − sigma)·dx/dsigma.
 */
export class EulerDiscreteScheduler implements DiffusionScheduler {
  readonly timesteps: number[];
  readonly initNoiseSigma: number;
  /** Sigma at each inference step, plus a final 0 (length steps + 1). */
  readonly sigmas: number[];

  constructor(
    private readonly config: SchedulerConfig,
    steps: number,
  ) {
    const alphaBar = alphasCumulativeProduct(config);
    const trainingSigmas = Array.from(alphaBar, (value) => Math.sqrt((1 - value) / value));
    this.timesteps = inferenceTimesteps(config, steps, false);
    this.sigmas = [...this.timesteps.map((timestep) => interpolate(trainingSigmas, timestep)), 0];
    const largest = Math.max(...this.sigmas);
    this.initNoiseSigma = config.timestepSpacing === 'leading' ? Math.sqrt(largest * largest + 1) : largest;
  }

  scaleModelInput(sample: Float32Array, stepIndex: number): Float32Array {
    const sigma = this.sigmas[stepIndex]!;
    const scale = 1 / Math.sqrt(sigma * sigma + 1);
    const result = new Float32Array(sample.length);
    for (let index = 0; index < sample.length; index++) result[index] = sample[index]! * scale;
    return result;
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array): Float32Array {
    const sigma = this.sigmas[stepIndex]!;
    const delta = this.sigmas[stepIndex + 1]! - sigma;
    const vPrediction = this.config.predictionType === 'v_prediction';
    const variance = sigma * sigma + 1;
    const result = new Float32Array(sample.length);
    for (let index = 0; index < sample.length; index++) {
      const x = sample[index]!;
      const output = modelOutput[index]!;
      const original = vPrediction ? output * (-sigma / Math.sqrt(variance)) + x / variance : x - sigma * output;
      const derivative = (x - original) / sigma;
      result[index] = x + derivative * delta;
    }
    return result;
  }
}

/** Linear interpolation of a table sampled at 0, 1, 2, ... (numpy's `interp` over `arange`). */
function interpolate(table: number[], position: number): number {
  const lower = Math.max(0, Math.min(table.length - 1, Math.floor(position)));
  const upper = Math.min(table.length - 1, lower + 1);
  const fraction = position - lower;
  return table[lower]! + (table[upper]! - table[lower]!) * fraction;
}
