import { z } from 'zod';
import { closestName, configError } from './config-errors';
import { defaultRegistry } from './default-registry';
import { RewardError } from './errors';
import { createNormaliser, type Normalisation } from './normalisation';
import type { RewardRegistry } from './registry';
import { checkResults, type Reward, type RewardNeed, type RewardResult, validateRecords } from './reward';

/** A lower and upper bound, or one number `c` for [-c, c]. */
export type ClipRange = number | readonly [number, number];

/** One entry of a composition; any other key is an option of the reward itself (e.g. `threshold`). */
export interface ComponentConfig {
  /** Multiplies the normalised, clipped value; a finite number. Default 1. */
  weight?: number;
  /** `'none'` (default), `'running'` (mean/std of all values seen so far) or a fixed `{ mean, std }`. */
  normalize?: Normalisation;
  /** Bounds applied after normalisation, before weighting. Default: none. */
  clip?: ClipRange;
  [option: string]: unknown;
}

/** Options of the composition as a whole. */
export interface CreateRewardOptions {
  /** Bounds of the weighted sum. Default: none. */
  clip?: ClipRange;
  /** Where reward names are looked up. Default: the registry that {@link registerReward} fills. */
  registry?: RewardRegistry;
  /** The composite's name. Default `'composite'`. */
  name?: string;
}

/** What a composite keeps in `details.components[name]` for each component, for logging. */
export interface ComponentDetails {
  /** The component reward's own value, before normalisation. */
  raw: number;
  /** After normalisation and clipping, before weighting. */
  normalized: number;
  /** `weight * normalized`: this component's share of the total (before the total is clipped). */
  weighted: number;
  /** The component reward's own details. */
  details: Record<string, unknown>;
}

/**
 * The `details` of a composite's result: one entry per config key. A type alias, not an interface, so that a
 * `Reward<CompositeDetails>` is also a plain `Reward`.
 */
export type CompositeDetails = {
  /** Per component, keyed by its config key. */
  components: Record<string, ComponentDetails>;
};

const finite = (what: string) => z.number({ error: `expected ${what}` });

const clipSchema = z.union(
  [
    finite('a non-negative number').min(0),
    z.tuple([finite('a finite lower bound'), finite('a finite upper bound')]).refine(([low, high]) => low <= high, {
      error: 'the lower bound is above the upper bound',
    }),
  ],
  { error: 'expected a number c (for [-c, c]) or [low, high]' },
);

const componentSchema = z.looseObject({
  weight: finite('a finite number').optional(),
  normalize: z
    .union(
      [
        z.literal('none'),
        z.literal('running'),
        z.strictObject({
          mean: finite('a finite mean'),
          std: finite('a finite std').positive({ error: 'expected std > 0' }),
        }),
      ],
      { error: 'expected "none", "running" or { mean, std } with std > 0' },
    )
    .optional(),
  clip: clipSchema.optional(),
});

function bounds(clip: ClipRange | undefined): [number, number] {
  if (clip === undefined) return [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  return typeof clip === 'number' ? [-clip, clip] : [clip[0], clip[1]];
}

function clamp(value: number, [low, high]: [number, number]): number {
  return Math.min(high, Math.max(low, value));
}

function knownList(registry: RewardRegistry): string {
  const names = registry.names();
  // An empty registry is almost always `new RewardRegistry()` where the built-ins were wanted.
  if (names.length === 0)
    return 'the registry is empty (RewardRegistry.withBuiltIns() starts with the built-in rewards)';
  return `known rewards: ${names.join(', ')}`;
}

function unknownReward(key: string, registry: RewardRegistry): RewardError {
  const suggestion = closestName(key, registry.names());
  const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
  return new RewardError(key, `unknown reward "${key}"${hint}; ${knownList(registry)}`);
}

interface Component {
  key: string;
  reward: Reward;
  weight: number;
  normalise: (values: readonly number[]) => number[];
  clip: [number, number];
}

/**
 * Builds one reward from a config: a weighted sum of registered rewards, each normalised (none, fixed or running
 * mean/std) and clipped, the sum clipped again if asked. Keys are reward names; `weight`, `normalize` and `clip` are
 * the composition's, every other key goes to the reward's factory.
 *
 * @example
 * const reward = await createReward({ contentIntegrity: { weight: 2, threshold: 0.8 }, promptLength: { weight: 0.5 } });
 * const [result] = await reward.score([{ source, instruction, target }]);
 * result.details.components.contentIntegrity.raw; // typed: see CompositeDetails
 * @throws {@link RewardError} naming the config field: an unknown reward (with the known ones and the closest
 *   name), a weight that is not a finite number, a bad normalisation or clip, or an option the reward rejects. The
 *   composite's `score` throws naming the record and the component when a component produces NaN or an infinity.
 */
export async function createReward(
  config: Record<string, ComponentConfig>,
  options: CreateRewardOptions = {},
): Promise<Reward<CompositeDetails>> {
  const registry = options.registry ?? defaultRegistry;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new RewardError('config', 'expected an object mapping reward names to their options');
  }
  const keys = Object.keys(config);
  if (keys.length === 0) throw new RewardError('config', `no reward configured; ${knownList(registry)}`);
  const totalClip = clipSchema.optional().safeParse(options.clip);
  if (!totalClip.success) throw configError(totalClip.error, 'clip');

  const components: Component[] = [];
  for (const key of keys) {
    const factory = registry.get(key);
    if (factory === undefined) throw unknownReward(key, registry);
    const parsed = componentSchema.safeParse(config[key] ?? {});
    if (!parsed.success) throw configError(parsed.error, key);
    const { weight = 1, normalize = 'none', clip, ...rewardOptions } = parsed.data;
    const reward = await factory(rewardOptions, { field: key });
    components.push({
      key,
      reward,
      weight,
      normalise: createNormaliser(normalize as Normalisation),
      clip: bounds(clip),
    });
  }
  const needs: RewardNeed[] = [...new Set(components.flatMap((component) => component.reward.needs))];
  const totalBounds = bounds(totalClip.data);

  return {
    name: options.name ?? 'composite',
    needs,
    async score(records) {
      validateRecords(records, needs);
      const outputs = await Promise.all(components.map((component) => component.reward.score(records)));
      const results: RewardResult<CompositeDetails>[] = records.map(() => ({ value: 0, details: { components: {} } }));
      components.forEach((component, componentIndex) => {
        const output = outputs[componentIndex];
        checkResults(output, records.length, component.key);
        const normalised = component.normalise(output.map((result) => result.value));
        output.forEach((result, recordIndex) => {
          const value = clamp(normalised[recordIndex]!, component.clip);
          const weighted = component.weight * value;
          if (!Number.isFinite(weighted)) {
            throw new RewardError(
              `records[${recordIndex}]`,
              `component "${component.key}" gave ${weighted} after normalisation and weighting`,
            );
          }
          const total = results[recordIndex]!;
          total.value += weighted;
          total.details.components[component.key] = {
            raw: result.value,
            normalized: value,
            weighted,
            details: result.details,
          };
        });
      });
      for (const result of results) result.value = clamp(result.value, totalBounds);
      return results;
    },
  };
}
