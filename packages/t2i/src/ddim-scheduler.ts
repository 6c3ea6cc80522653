import type { DiffusionScheduler } from './diffusion-scheduler';
import { alphasCumulativeProduct, inferenceTimesteps, type SchedulerConfig } from './scheduler-config';

/**
 * Deterministic DDIM sampling (eta = 0): each step estimates x0 from the noise prediction and moves to the previous
 * timestep along the same noise direction.
 */
export class DdimScheduler implements DiffusionScheduler {
  readonly timesteps: number[];
  /** DDIM starts from unit-variance noise. */
  readonly initNoiseSigma = 1;
  private readonly alphaBar: Float64Array;
  private readonly finalAlphaBar: number;
  private readonly stride: number;

  constructor(
    private readonly config: SchedulerConfig,
    steps: number,
  ) {
    this.alphaBar = alphasCumulativeProduct(config);
    this.finalAlphaBar = config.setAlphaToOne ? 1 : this.alphaBar[0]!;
    this.timesteps = inferenceTimesteps(config, steps, true);
    // diffusers steps back by floor(T / n) whatever the spacing
    this.stride = Math.floor(config.numTrainTimesteps / steps);
  }

  /** DDIM feeds the latents to the UNet unscaled. */
  scaleModelInput(sample: Float32Array, _stepIndex: number): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array): Float32Array {
    const timestep = this.timesteps[stepIndex]!;
    const previous = timestep - this.stride;
    const alphaBar = this.alphaBar[timestep]!;
    const alphaBarPrevious = previous >= 0 ? this.alphaBar[previous]! : this.finalAlphaBar;
    const sqrtAlphaBar = Math.sqrt(alphaBar);
    const sqrtOneMinusAlphaBar = Math.sqrt(1 - alphaBar);
    const sqrtAlphaBarPrevious = Math.sqrt(alphaBarPrevious);
    const directionScale = Math.sqrt(1 - alphaBarPrevious);
    const vPrediction = this.config.predictionType === 'v_prediction';
    const result = new Float32Array(sample.length);
    for (let index = 0; index < sample.length; index++) {
      const x = sample[index]!;
      const output = modelOutput[index]!;
      const original = vPrediction
        ? sqrtAlphaBar * x - sqrtOneMinusAlphaBar * output
        : (x - sqrtOneMinusAlphaBar * output) / sqrtAlphaBar;
      const noise = vPrediction ? sqrtAlphaBar * output + sqrtOneMinusAlphaBar * x : output;
      result[index] = sqrtAlphaBarPrevious * original + directionScale * noise;
    }
    return result;
  }
}
