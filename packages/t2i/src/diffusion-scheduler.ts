import { DdimScheduler } from './ddim-scheduler';
import { EulerDiscreteScheduler } from './euler-discrete-scheduler';
import type { SchedulerConfig } from './scheduler-config';

/**
 * A sampler over a fixed list of inference timesteps. Latents are flat Float32Arrays in the UNet's [B, 4, H/8, W/8]
 * layout; the scheduler works element-wise, so the layout does not matter to it.
 */
export interface DiffusionScheduler {
  /** Timesteps to feed the UNet, noisiest first. */
  readonly timesteps: number[];
  /** Standard deviation of the initial latent noise. */
  readonly initNoiseSigma: number;
  /** The UNet input for step `stepIndex` (a new array, or `sample` itself when the scheduler does not scale). */
  scaleModelInput(sample: Float32Array, stepIndex: number): Float32Array;
  /** The latents after step `stepIndex`, given the UNet output for it. */
  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array): Float32Array;
}

/** Names of the samplers written here. */
export type SchedulerName = 'ddim' | 'euler-discrete';

/** Builds a scheduler for `steps` inference steps. */
export function createScheduler(name: SchedulerName, config: SchedulerConfig, steps: number): DiffusionScheduler {
  return name === 'ddim' ? new DdimScheduler(config, steps) : new EulerDiscreteScheduler(config, steps);
}
