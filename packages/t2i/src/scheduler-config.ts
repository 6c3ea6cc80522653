/**
 * Diffusion noise schedules as diffusers writes them in `scheduler/scheduler_config.json`. Only the fields that the
 * DDIM and Euler-discrete samplers read are kept; the rest of the file is ignored.
 */

/** How the inference timesteps are picked out of the training timesteps. */
export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';

/** What the UNet predicts: the added noise, or v = sqrt(alpha_bar)·noise − sqrt(1 − alpha_bar)·x0. */
export type PredictionType = 'epsilon' | 'v_prediction';

/** The noise schedule of a Stable Diffusion checkpoint (diffusers' field names, in camelCase). */
export interface SchedulerConfig {
  /** Length of the training schedule (1000 for SD 1.x/2.x). */
  numTrainTimesteps: number;
  /** First beta (0.00085 for SD 1.x/2.x). */
  betaStart: number;
  /** Last beta (0.012 for SD 1.x/2.x). */
  betaEnd: number;
  /** `scaled_linear`: betas evenly spaced in sqrt(beta), then squared; `linear`: evenly spaced betas. */
  betaSchedule: 'scaled_linear' | 'linear';
  /** Added to every `leading` timestep (1 for SD 1.x). */
  stepsOffset: number;
  /** DDIM: alpha_bar used after the last step; true means 1, false means alpha_bar[0]. */
  setAlphaToOne: boolean;
  timestepSpacing: TimestepSpacing;
  predictionType: PredictionType;
}

/** The SD 1.5 schedule, used where a folder has no scheduler config. */
export const stableDiffusionSchedulerConfig: SchedulerConfig = {
  numTrainTimesteps: 1000,
  betaStart: 0.00085,
  betaEnd: 0.012,
  betaSchedule: 'scaled_linear',
  stepsOffset: 1,
  setAlphaToOne: false,
  timestepSpacing: 'leading',
  predictionType: 'epsilon',
};

/** Thrown when a scheduler config file is not what the samplers can use; the message names the file and field. */
export class SchedulerConfigError extends Error {
  override readonly name = 'SchedulerConfigError';
}

function readField<T>(
  json: Record<string, unknown>,
  source: string,
  key: string,
  fallback: T,
  check: (value: unknown) => value is T,
  expected: string,
): T {
  const value = json[key];
  if (value === undefined || value === null) return fallback;
  if (!check(value)) {
    throw new SchedulerConfigError(`${source}: field "${key}" must be ${expected}, got ${JSON.stringify(value)}`);
  }
  return value;
}

const isPositiveInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 1_000_000;
const isNonNegativeInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 1_000_000;
const isBeta = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 && value < 1;
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const oneOf =
  <T extends string>(choices: readonly T[]) =>
  (value: unknown): value is T =>
    typeof value === 'string' && (choices as readonly string[]).includes(value);

/**
 * Parses the text of a diffusers `scheduler_config.json`; missing fields take the SD 1.5 values.
 * @param text - the file's contents
 * @param source - the file name, used in error messages
 * @throws SchedulerConfigError naming the file and the field when the JSON is malformed or a field has a wrong type
 */
export function parseSchedulerConfig(text: string, source = 'scheduler_config.json'): SchedulerConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SchedulerConfigError(`${source}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SchedulerConfigError(`${source}: expected a JSON object`);
  }
  const record = json as Record<string, unknown>;
  const defaults = stableDiffusionSchedulerConfig;
  const config: SchedulerConfig = {
    numTrainTimesteps: readField(
      record,
      source,
      'num_train_timesteps',
      defaults.numTrainTimesteps,
      isPositiveInteger,
      'a positive integer',
    ),
    betaStart: readField(record, source, 'beta_start', defaults.betaStart, isBeta, 'a number in (0, 1)'),
    betaEnd: readField(record, source, 'beta_end', defaults.betaEnd, isBeta, 'a number in (0, 1)'),
    betaSchedule: readField(
      record,
      source,
      'beta_schedule',
      defaults.betaSchedule,
      oneOf(['scaled_linear', 'linear'] as const),
      '"scaled_linear" or "linear"',
    ),
    stepsOffset: readField(
      record,
      source,
      'steps_offset',
      defaults.stepsOffset,
      isNonNegativeInteger,
      'a non-negative integer',
    ),
    setAlphaToOne: readField(record, source, 'set_alpha_to_one', defaults.setAlphaToOne, isBoolean, 'a boolean'),
    timestepSpacing: readField(
      record,
      source,
      'timestep_spacing',
      defaults.timestepSpacing,
      oneOf(['leading', 'trailing', 'linspace'] as const),
      '"leading", "trailing" or "linspace"',
    ),
    predictionType: readField(
      record,
      source,
      'prediction_type',
      defaults.predictionType,
      oneOf(['epsilon', 'v_prediction'] as const),
      '"epsilon" or "v_prediction"',
    ),
  };
  if (config.betaEnd < config.betaStart) {
    throw new SchedulerConfigError(`${source}: field "beta_end" must not be below "beta_start"`);
  }
  return config;
}

/**
 * Cumulative products of alphas, alpha_bar[t] = prod_{s<=t} (1 − beta_s), over the whole training schedule.
 * @returns Float64Array of length numTrainTimesteps
 */
export function alphasCumulativeProduct(config: SchedulerConfig): Float64Array {
  const count = config.numTrainTimesteps;
  const result = new Float64Array(count);
  let product = 1;
  for (let index = 0; index < count; index++) {
    const fraction = count === 1 ? 0 : index / (count - 1);
    let beta: number;
    if (config.betaSchedule === 'scaled_linear') {
      const root = Math.sqrt(config.betaStart) + fraction * (Math.sqrt(config.betaEnd) - Math.sqrt(config.betaStart));
      beta = root * root;
    } else {
      beta = config.betaStart + fraction * (config.betaEnd - config.betaStart);
    }
    product *= 1 - beta;
    result[index] = product;
  }
  return result;
}

/** Rounds as numpy does (ties to the even neighbour), so timesteps match diffusers' exactly. */
function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The inference timesteps, from the noisiest down, as diffusers' `set_timesteps` picks them.
 * `leading`: multiples of floor(T / n) plus steps_offset; `trailing`: T − 1 downwards in strides of T / n;
 * `linspace`: n points evenly spaced over [0, T − 1], computed as numpy's `linspace` does.
 * @param round - round `linspace` points to integers (DDIM does, Euler keeps fractional timesteps)
 */
export function inferenceTimesteps(config: SchedulerConfig, steps: number, round: boolean): number[] {
  const total = config.numTrainTimesteps;
  if (!Number.isInteger(steps) || steps < 1 || steps > total) {
    throw new RangeError(`steps must be an integer in [1, ${total}], got ${steps}`);
  }
  const timesteps: number[] = [];
  if (config.timestepSpacing === 'leading') {
    const ratio = Math.floor(total / steps);
    for (let index = steps - 1; index >= 0; index--) timesteps.push(index * ratio + config.stepsOffset);
  } else if (config.timestepSpacing === 'trailing') {
    const ratio = total / steps;
    for (let index = 0; index < steps; index++) timesteps.push(roundHalfToEven(total - index * ratio) - 1);
  } else {
    // numpy's linspace: one step, start + index·step, and the last point set to stop; index·(T − 1)/(n − 1) rounds
    // differently and lands one ulp away from diffusers in some steps
    const step = steps === 1 ? 0 : (total - 1) / (steps - 1);
    for (let index = steps - 1; index >= 0; index--) {
      const point = index === steps - 1 && steps > 1 ? total - 1 : index * step;
      timesteps.push(round ? roundHalfToEven(point) : point);
    }
  }
  return timesteps;
}
