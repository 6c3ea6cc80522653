import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, ValidationError } from './errors';
import { configFields, parseTrainerConfig, trainerConfigSchema } from './trainer-config';

describe('trainerConfigSchema', () => {
  it('fills in the documented defaults', () => {
    expect(parseTrainerConfig({})).toEqual({
      maxSteps: 0,
      epochs: 1,
      batchSize: 8,
      gradientAccumulationSteps: 1,
      learningRate: 5e-5,
      schedule: 'cosine',
      warmupSteps: 0,
      minLearningRateRatio: 0,
      weightDecay: 0,
      adamBeta1: 0.9,
      adamBeta2: 0.999,
      adamEpsilon: 1e-8,
      maxGradNorm: 1,
      evalEvery: 100,
      checkpointEvery: 500,
      keepCheckpoints: 2,
      logEvery: 10,
      seed: 42,
      outputDir: 'runs/train',
    });
  });

  it('rejects unknown keys and names them', () => {
    expect(() => parseTrainerConfig({ learningRat: 1e-3 }, 'sft.json')).toThrow(ValidationError);
    expect(() => parseTrainerConfig({ learningRat: 1e-3 }, 'sft.json')).toThrow(/sft\.json.*learningRat/);
  });

  it('names the bad field and its source', () => {
    expect(() => parseTrainerConfig({ batchSize: 0 }, '--flags')).toThrow(/--flags: field "batchSize"/);
    expect(() => parseTrainerConfig({ schedule: 'linear' })).toThrow(/field "schedule"/);
    expect(() => parseTrainerConfig({ adamBeta2: 1 })).toThrow(/field "adamBeta2"/);
  });

  it('refuses a warm-up longer than an explicit step budget', () => {
    expect(() => parseTrainerConfig({ maxSteps: 10, warmupSteps: 11 })).toThrow(ConfigError);
    expect(parseTrainerConfig({ maxSteps: 0, warmupSteps: 11 }).warmupSteps).toBe(11);
  });

  it('never crashes on arbitrary JSON: either a config or a ValidationError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          const config = parseTrainerConfig(value);
          expect(config.batchSize).toBeGreaterThan(0);
        } catch (error) {
          expect(error instanceof ValidationError || error instanceof ConfigError).toBe(true);
        }
      }),
    );
  });

  it('stays strict when a trainer extends it', () => {
    const extended = trainerConfigSchema.extend({ maxLength: z.int().positive().default(128).describe('Tokens.') });
    expect(extended.parse({}).maxLength).toBe(128);
    expect(extended.safeParse({ maxLenght: 3 }).success).toBe(false);
  });
});

describe('configFields', () => {
  it('lists every field with flag, kind, default and description', () => {
    const fields = configFields(trainerConfigSchema);
    expect(fields.map((field) => field.name)).toEqual(Object.keys(trainerConfigSchema.shape));
    const clip = fields.find((field) => field.name === 'maxGradNorm')!;
    expect(clip).toMatchObject({ flag: '--max-grad-norm', type: 'number', default: 1 });
    expect(clip.description).toMatch(/global gradient/);
    expect(fields.find((field) => field.name === 'schedule')).toMatchObject({
      type: 'enum',
      values: ['cosine', 'constant'],
      default: 'cosine',
    });
    expect(fields.find((field) => field.name === 'batchSize')?.type).toBe('integer');
    for (const field of fields) expect(field.description.length).toBeGreaterThan(10);
  });

  it('each field documents the default it actually has', () => {
    const defaults = parseTrainerConfig({});
    for (const field of configFields(trainerConfigSchema)) {
      expect(field.default).toEqual(defaults[field.name as keyof typeof defaults]);
    }
  });
});
