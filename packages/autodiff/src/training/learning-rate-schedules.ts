/** Learning rate for a 0-based optimiser step. */
export type LearningRateSchedule = (step: number) => number;

/** The same learning rate at every step. */
export function constantSchedule(learningRate: number): LearningRateSchedule {
  checkLearningRate('constantSchedule', 'learningRate', learningRate);
  return (step) => {
    checkStep('constantSchedule', step);
    return learningRate;
  };
}

/** Options of {@link linearWarmup}. */
export interface LinearWarmupOptions {
  /** Learning rate reached at the end of the warm-up and kept after it. */
  learningRate: number;
  /** Steps of warm-up; 0 means none. */
  warmupSteps: number;
}

/**
 * Linear warm-up to `learningRate`, then constant: step s < warmupSteps gets learningRate * (s + 1) / warmupSteps, so
 * the first step already learns and step warmupSteps - 1 reaches the full rate.
 */
export function linearWarmup(options: LinearWarmupOptions): LearningRateSchedule {
  const { learningRate, warmupSteps } = options;
  checkLearningRate('linearWarmup', 'learningRate', learningRate);
  checkSteps('linearWarmup', 'warmupSteps', warmupSteps);
  return (step) => {
    checkStep('linearWarmup', step);
    return warmupFactor(step, warmupSteps) * learningRate;
  };
}

/** Options of {@link cosineSchedule}. */
export interface CosineScheduleOptions {
  /** Peak learning rate, reached at the end of the warm-up. */
  learningRate: number;
  /** Steps of linear warm-up (as {@link linearWarmup}), default 0. */
  warmupSteps?: number;
  /** Step at which the cosine reaches `minLearningRate`; later steps stay there. */
  totalSteps: number;
  /** Floor of the decay, default 0 (nanoGPT uses a tenth of the peak). */
  minLearningRate?: number;
}

/**
 * Linear warm-up, then a half cosine from `learningRate` at step warmupSteps down to `minLearningRate` at step
 * totalSteps: lr = min + (peak - min) * (1 + cos(pi * (s - warmupSteps) / (totalSteps - warmupSteps))) / 2.
 */
export function cosineSchedule(options: CosineScheduleOptions): LearningRateSchedule {
  const { learningRate, totalSteps } = options;
  const warmupSteps = options.warmupSteps ?? 0;
  const minLearningRate = options.minLearningRate ?? 0;
  checkLearningRate('cosineSchedule', 'learningRate', learningRate);
  checkLearningRate('cosineSchedule', 'minLearningRate', minLearningRate);
  checkSteps('cosineSchedule', 'warmupSteps', warmupSteps);
  checkSteps('cosineSchedule', 'totalSteps', totalSteps);
  if (minLearningRate > learningRate) {
    throw new RangeError(`cosineSchedule: minLearningRate (${minLearningRate}) exceeds learningRate (${learningRate})`);
  }
  if (totalSteps < warmupSteps) {
    throw new RangeError(`cosineSchedule: totalSteps (${totalSteps}) is less than warmupSteps (${warmupSteps})`);
  }
  const decaySteps = totalSteps - warmupSteps;
  return (step) => {
    checkStep('cosineSchedule', step);
    if (step < warmupSteps) return warmupFactor(step, warmupSteps) * learningRate;
    if (step >= totalSteps) return minLearningRate;
    const progress = (step - warmupSteps) / decaySteps;
    return minLearningRate + (learningRate - minLearningRate) * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}

function warmupFactor(step: number, warmupSteps: number): number {
  return step < warmupSteps ? (step + 1) / warmupSteps : 1;
}

function checkLearningRate(schedule: string, field: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`${schedule}: ${field} must be a finite number >= 0, got ${value}`);
  }
}

function checkSteps(schedule: string, field: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value >= 0)) {
    throw new RangeError(`${schedule}: ${field} must be a non-negative integer, got ${value}`);
  }
}

function checkStep(schedule: string, step: number): void {
  if (!(Number.isSafeInteger(step) && step >= 0)) {
    throw new RangeError(`${schedule}: step must be a non-negative integer, got ${step}`);
  }
}
