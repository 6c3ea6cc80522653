import { z } from 'zod';
import { parseOptions } from './config-errors';
import { contentIntegrity, defaultContentIntegrityThreshold } from './content-integrity';
import { defineReward, type Reward } from './reward';

/** Options of the content-integrity reward. */
export interface ContentIntegrityRewardOptions {
  /** Minimum keyword coverage for a reward of 1; in [0, 1]. Default 0.8. */
  threshold?: number;
  /** `'binary'` (default): the paper's 0/1 reward; `'coverage'`: the coverage itself, a smoother signal. */
  value?: 'binary' | 'coverage';
}

const optionsSchema = z
  .object({
    threshold: z.number({ error: 'expected a number in [0, 1]' }).min(0).max(1).optional(),
    value: z.enum(['binary', 'coverage'], { error: 'expected "binary" or "coverage"' }).optional(),
  })
  .strict();

/**
 * Content integrity as a {@link Reward}: per record, the binary reward (or the coverage) of {@link contentIntegrity};
 * `details` carries coverage, kept, missing and forbidden keywords. Needs no images.
 *
 * @param field - how error messages name these options (the config key in a composition).
 * @throws {@link RewardError} on an unknown option or a threshold outside [0, 1].
 */
export function contentIntegrityReward(
  options: ContentIntegrityRewardOptions = {},
  field = 'contentIntegrity',
): Reward {
  const parsed = parseOptions(optionsSchema, options, field);
  const threshold = parsed.threshold ?? defaultContentIntegrityThreshold;
  const mode = parsed.value ?? 'binary';
  return defineReward({
    name: 'contentIntegrity',
    score: (records) =>
      records.map((record, index) => {
        const result = contentIntegrity(record, { threshold }, `records[${index}].`);
        return {
          value: mode === 'binary' ? result.reward : result.coverage,
          details: {
            coverage: result.coverage,
            reward: result.reward,
            kept: result.kept,
            missing: result.missing,
            forbidden: result.forbidden,
          },
        };
      }),
  });
}
