import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScheduler } from './diffusion-scheduler';
import { EulerDiscreteScheduler } from './euler-discrete-scheduler';
import {
  alphasCumulativeProduct,
  inferenceTimesteps,
  parseSchedulerConfig,
  type SchedulerConfig,
  SchedulerConfigError,
  stableDiffusionSchedulerConfig,
} from './scheduler-config';

const sd = stableDiffusionSchedulerConfig;

/** A four-step linear schedule small enough to multiply out by hand. */
const tiny: SchedulerConfig = {
  numTrainTimesteps: 4,
  betaStart: 0.1,
  betaEnd: 0.4,
  betaSchedule: 'linear',
  stepsOffset: 0,
  setAlphaToOne: false,
  timestepSpacing: 'leading',
  predictionType: 'epsilon',
};

describe('noise schedule', () => {
  it('multiplies out a linear schedule by hand', () => {
    // betas 0.1, 0.2, 0.3, 0.4
    const alphaBar = alphasCumulativeProduct(tiny);
    expect(alphaBar[0]).toBeCloseTo(0.9, 12);
    expect(alphaBar[1]).toBeCloseTo(0.9 * 0.8, 12);
    expect(alphaBar[2]).toBeCloseTo(0.9 * 0.8 * 0.7, 12);
    expect(alphaBar[3]).toBeCloseTo(0.9 * 0.8 * 0.7 * 0.6, 12);
  });

  it('squares evenly spaced square roots for scaled_linear', () => {
    const alphaBar = alphasCumulativeProduct(sd);
    expect(alphaBar[0]).toBeCloseTo(1 - 0.00085, 12);
    const root1 = Math.sqrt(0.00085) + (Math.sqrt(0.012) - Math.sqrt(0.00085)) / 999;
    expect(alphaBar[1]).toBeCloseTo((1 - 0.00085) * (1 - root1 * root1), 12);
    // k-diffusion's published SD sigma range: sigma_min 0.0292, sigma_max 14.6146
    const sigma = (value: number) => Math.sqrt((1 - value) / value);
    expect(sigma(alphaBar[0]!)).toBeCloseTo(0.0292, 4);
    expect(sigma(alphaBar[999]!)).toBeCloseTo(14.6146, 3);
  });

  it('picks diffusers timesteps for each spacing', () => {
    const leading = inferenceTimesteps(sd, 50, true);
    expect(leading[0]).toBe(981);
    expect(leading[1]).toBe(961);
    expect(leading.at(-1)).toBe(1);
    expect(inferenceTimesteps({ ...sd, timestepSpacing: 'trailing' }, 10, true)).toEqual([
      999, 899, 799, 699, 599, 499, 399, 299, 199, 99,
    ]);
    expect(inferenceTimesteps({ ...sd, timestepSpacing: 'linspace' }, 4, true)).toEqual([999, 666, 333, 0]);
    expect(inferenceTimesteps({ ...sd, timestepSpacing: 'linspace' }, 3, false)).toEqual([999, 499.5, 0]);
    // numpy rounds ties to even: 499.5 -> 500 (even), and 1000 − 7·2.5 = 982.5 -> 982
    expect(inferenceTimesteps({ ...sd, timestepSpacing: 'linspace' }, 3, true)).toEqual([999, 500, 0]);
    expect(inferenceTimesteps({ ...sd, timestepSpacing: 'trailing' }, 400, true)[7]).toBe(981);
    expect(() => inferenceTimesteps(sd, 0, true)).toThrow(RangeError);
  });

  it('computes linspace timesteps exactly as numpy.linspace(0, 999, 20)[::-1] does', () => {
    // numpy: step = (999 - 0) / 19 once, y[i] = 0 + i * step in float64, y[19] = 999 exactly; the literals are
    // Python's repr of [i * (999 / 19) for i in range(19)] + [999.0], reversed. Computing i * 999 / 19 instead
    // differs by one ulp at i = 3, 6, 7, 12, 13, 14.
    const expected = [
      999, 946.421052631579, 893.8421052631579, 841.2631578947369, 788.6842105263158, 736.1052631578948,
      683.5263157894738, 630.9473684210527, 578.3684210526316, 525.7894736842105, 473.2105263157895, 420.63157894736844,
      368.0526315789474, 315.47368421052636, 262.89473684210526, 210.31578947368422, 157.73684210526318,
      105.15789473684211, 52.578947368421055, 0,
    ];
    const config: SchedulerConfig = { ...sd, timestepSpacing: 'linspace' };
    expect(inferenceTimesteps(config, 20, false)).toEqual(expected);
    expect(new EulerDiscreteScheduler(config, 20).timesteps).toEqual(expected);
    expect(inferenceTimesteps(config, 1, false)).toEqual([0]);
  });

  it('keeps timesteps strictly decreasing and inside the schedule for any step count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom('leading', 'trailing', 'linspace') as fc.Arbitrary<SchedulerConfig['timestepSpacing']>,
        (steps, spacing) => {
          const timesteps = inferenceTimesteps({ ...sd, timestepSpacing: spacing, stepsOffset: 0 }, steps, true);
          expect(timesteps).toHaveLength(steps);
          for (let index = 1; index < steps; index++) expect(timesteps[index]!).toBeLessThan(timesteps[index - 1]!);
          expect(timesteps.at(-1)!).toBeGreaterThanOrEqual(0);
          expect(timesteps[0]!).toBeLessThanOrEqual(999);
        },
      ),
    );
  });
});

describe('DDIM', () => {
  it('takes one step by the published formula', () => {
    // 2 inference steps over T = 4: stride 2, timesteps [2, 0]
    const scheduler = createScheduler('ddim', tiny, 2);
    expect(scheduler.timesteps).toEqual([2, 0]);
    expect(scheduler.initNoiseSigma).toBe(1);
    const x = new Float32Array([0.5, -1.25]);
    const eps = new Float32Array([0.3, 0.7]);
    expect(scheduler.scaleModelInput(x, 0)).toEqual(x);
    const alphaT = 0.9 * 0.8 * 0.7;
    const alphaPrevious = 0.9;
    const expected = [0, 1].map((index) => {
      const x0 = (x[index]! - Math.sqrt(1 - alphaT) * eps[index]!) / Math.sqrt(alphaT);
      return Math.sqrt(alphaPrevious) * x0 + Math.sqrt(1 - alphaPrevious) * eps[index]!;
    });
    const result = scheduler.step(eps, 0, x);
    expect(result[0]).toBeCloseTo(expected[0]!, 5);
    expect(result[1]).toBeCloseTo(expected[1]!, 5);
  });

  it('ends at alpha_bar[0], or at 1 with set_alpha_to_one', () => {
    const x = new Float32Array([0.8]);
    const eps = new Float32Array([0.2]);
    const x0 = (0.8 - Math.sqrt(1 - 0.9) * 0.2) / Math.sqrt(0.9);
    const last = createScheduler('ddim', tiny, 2).step(eps, 1, x);
    expect(last[0]).toBeCloseTo(Math.sqrt(0.9) * x0 + Math.sqrt(0.1) * 0.2, 5);
    const clean = createScheduler('ddim', { ...tiny, setAlphaToOne: true }, 2).step(eps, 1, x);
    expect(clean[0]).toBeCloseTo(x0, 5);
  });

  it('converts a v prediction to x0 and noise', () => {
    const scheduler = createScheduler('ddim', { ...tiny, predictionType: 'v_prediction' }, 2);
    const a = 0.9 * 0.8 * 0.7;
    const x = 0.4;
    const v = -0.6;
    const x0 = Math.sqrt(a) * x - Math.sqrt(1 - a) * v;
    const eps = Math.sqrt(a) * v + Math.sqrt(1 - a) * x;
    const result = scheduler.step(new Float32Array([v]), 0, new Float32Array([x]));
    expect(result[0]).toBeCloseTo(Math.sqrt(0.9) * x0 + Math.sqrt(0.1) * eps, 5);
  });
});

describe('Euler discrete', () => {
  it('interpolates sigmas, scales the input and takes one step by the published formula', () => {
    const config: SchedulerConfig = { ...tiny, timestepSpacing: 'linspace' };
    // linspace over [0, 3] with 3 steps: 3, 1.5, 0
    const scheduler = new EulerDiscreteScheduler(config, 3);
    expect(scheduler.timesteps).toEqual([3, 1.5, 0]);
    const sigma = (alphaBar: number) => Math.sqrt((1 - alphaBar) / alphaBar);
    const s3 = sigma(0.9 * 0.8 * 0.7 * 0.6);
    const s1 = sigma(0.9 * 0.8);
    const s2 = sigma(0.9 * 0.8 * 0.7);
    const s0 = sigma(0.9);
    expect(scheduler.sigmas[0]).toBeCloseTo(s3, 12);
    expect(scheduler.sigmas[1]).toBeCloseTo((s1 + s2) / 2, 12);
    expect(scheduler.sigmas[2]).toBeCloseTo(s0, 12);
    expect(scheduler.sigmas[3]).toBe(0);
    expect(scheduler.initNoiseSigma).toBeCloseTo(s3, 12);

    const x = new Float32Array([1.5, -0.5]);
    const scaled = scheduler.scaleModelInput(x, 0);
    expect(scaled[0]).toBeCloseTo(1.5 / Math.sqrt(s3 * s3 + 1), 6);
    const eps = new Float32Array([0.25, -0.75]);
    const result = scheduler.step(eps, 0, x);
    const sigmaNext = (s1 + s2) / 2;
    expect(result[0]).toBeCloseTo(1.5 + (sigmaNext - s3) * 0.25, 5);
    expect(result[1]).toBeCloseTo(-0.5 + (sigmaNext - s3) * -0.75, 5);
  });

  it('uses sqrt(sigma_max² + 1) as the initial noise for leading spacing', () => {
    const scheduler = createScheduler('euler-discrete', sd, 50);
    expect(scheduler.timesteps[0]).toBe(981);
    const alphaBar = alphasCumulativeProduct(sd);
    const sigmaMax = Math.sqrt((1 - alphaBar[981]!) / alphaBar[981]!);
    expect(scheduler.initNoiseSigma).toBeCloseTo(Math.sqrt(sigmaMax * sigmaMax + 1), 10);
  });

  it('lands on x0 in the last step and reads v predictions', () => {
    const scheduler = new EulerDiscreteScheduler({ ...tiny, predictionType: 'v_prediction' }, 2);
    const sigma = scheduler.sigmas[1]!;
    const x = 0.7;
    const v = 0.2;
    const x0 = v * (-sigma / Math.sqrt(sigma * sigma + 1)) + x / (sigma * sigma + 1);
    expect(scheduler.step(new Float32Array([v]), 1, new Float32Array([x]))[0]).toBeCloseTo(x0, 5);
  });
});

describe('parseSchedulerConfig', () => {
  it('reads diffusers field names and fills SD 1.5 defaults', () => {
    const config = parseSchedulerConfig(
      JSON.stringify({ _class_name: 'PNDMScheduler', timestep_spacing: 'trailing', prediction_type: 'v_prediction' }),
    );
    expect(config).toEqual({ ...sd, timestepSpacing: 'trailing', predictionType: 'v_prediction' });
  });

  it('names the file and field of a wrong value', () => {
    expect(() => parseSchedulerConfig('{"beta_schedule": "cosine"}', 'model/scheduler_config.json')).toThrow(
      /model\/scheduler_config\.json: field "beta_schedule"/,
    );
    expect(() => parseSchedulerConfig('{"num_train_timesteps": -3}')).toThrow(/num_train_timesteps/);
  });

  it('fails with SchedulerConfigError on any malformed input', () => {
    const values = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 3 }),
    );
    const keys = fc.constantFrom(
      'num_train_timesteps',
      'beta_start',
      'beta_end',
      'beta_schedule',
      'steps_offset',
      'set_alpha_to_one',
      'timestep_spacing',
      'prediction_type',
    );
    const inputs = fc.oneof(
      fc.string(),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
      fc.dictionary(keys, values).map((record) => JSON.stringify(record)),
      fc
        .dictionary(keys, values)
        .chain((record) => fc.nat(JSON.stringify(record).length).map((cut) => JSON.stringify(record).slice(0, cut))),
    );
    fc.assert(
      fc.property(inputs, (text) => {
        try {
          const config = parseSchedulerConfig(text);
          expect(config.numTrainTimesteps).toBeGreaterThan(0);
          expect(alphasCumulativeProduct(config).every((value) => value > 0 || value === 0)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(SchedulerConfigError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
