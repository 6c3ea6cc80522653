import type { z } from 'zod';
import { parseOptions } from './config-errors';
import { contentIntegrityReward } from './content-integrity-reward';
import { RewardError } from './errors';
import type { Reward } from './reward';

/** Where a factory is being called from, for error messages: the config field of the component, e.g. `myReward`. */
export interface RewardFactoryContext {
  field: string;
}

/**
 * Builds a reward from the options of its config entry (everything but `weight`, `normalize` and `clip`). May be
 * async, so model-based rewards can load their model (and their optional dependencies) on creation. Without a
 * schema (see {@link RewardRegistration}) the options arrive unchecked, as `Record<string, unknown>`.
 */
export type RewardFactory<Options = Record<string, unknown>> = (
  options: Options,
  context: RewardFactoryContext,
) => Reward | Promise<Reward>;

/**
 * A reward whose options are declared with a zod schema: `create` receives them parsed and typed (`z.output` of the
 * schema, defaults filled in). Options are checked as the built-ins' are: a wrong value is an error naming the field
 * (`promptLength.maxWords: ...`), an unknown option one naming it (`promptLength: unknown option "maxWord" (did you
 * mean "maxWords"?)`). A plain `z.object` is checked strictly; `z.looseObject` lets other keys through.
 */
export interface RewardRegistration<Schema extends z.ZodType<Record<string, unknown>>> {
  /** The options of a config entry, without `weight`, `normalize` and `clip`. */
  options: Schema;
  /** Builds the reward from the parsed options. */
  create: RewardFactory<z.output<Schema>>;
}

const namePattern = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * The rewards every {@link RewardRegistry.withBuiltIns} registry starts with. Each validates its own options with the
 * same error formatting as {@link RewardRegistration}s. Model-based ones are imported on first use, so the light entry
 * loads no tensor runtime until one is configured.
 */
const builtInRewards: Record<string, RewardFactory> = {
  contentIntegrity: (options, { field }) => contentIntegrityReward(options, field),
  aesthetic: async (options, { field }) =>
    (await import('./aesthetic/aesthetic-reward')).aestheticFromConfig(options, field),
  pickscore: async (options, { field }) =>
    (await import('./pickscore/pickscore-reward')).pickScoreFromConfig(options, field),
  clipScore: async (options, { field }) => (await import('./clip/clip-rewards')).clipScoreFromConfig(options, field),
  distilled: async (options, { field }) =>
    (await import('./distilled/text-reward')).distilledFromConfig(options, field),
  relevance: async (options, { field }) => (await import('./clip/clip-rewards')).relevanceFromConfig(options, field),
};

/** A set of named reward factories that {@link createReward} builds from. */
export class RewardRegistry {
  private readonly factories = new Map<string, RewardFactory>();

  /**
   * A new registry holding the built-in rewards (`contentIntegrity`, `aesthetic`, `pickscore`, `clipScore`,
   * `distilled`, `relevance`), to add your own to without touching the default registry. `new RewardRegistry()` is
   * empty.
   */
  static withBuiltIns(): RewardRegistry {
    const registry = new RewardRegistry();
    for (const [name, factory] of Object.entries(builtInRewards)) registry.register(name, factory);
    return registry;
  }

  /**
   * Adds a reward under a name that config files use as a key: a {@link RewardRegistration} (options schema and
   * `create`), or a bare factory that receives the options unchecked.
   *
   * @example
   * registry.register('promptLength', {
   *   options: z.object({ maxWords: z.number().int().positive().default(40) }),
   *   create: ({ maxWords }) => defineReward({ name: 'promptLength', score: (records) => ... }),
   * });
   * @param options.replace - allow replacing an existing registration (default false: a second one is an error).
   * @throws {@link RewardError} on a name that is not an identifier, a taken name, a factory that is not a function
   *   or a registration without a schema.
   */
  register<Schema extends z.ZodType<Record<string, unknown>>>(
    name: string,
    reward: RewardRegistration<Schema> | RewardFactory,
    options: { replace?: boolean } = {},
  ): void {
    if (typeof name !== 'string' || !namePattern.test(name)) {
      throw new RewardError('name', `expected a name of letters, digits, "-" or "_", got ${JSON.stringify(name)}`);
    }
    const factory = toFactory(name, reward);
    if (this.factories.has(name) && options.replace !== true) {
      throw new RewardError(
        name,
        `a reward named "${name}" is already registered (pass { replace: true } to replace it)`,
      );
    }
    this.factories.set(name, factory);
  }

  /** Removes a registration; returns whether there was one. */
  unregister(name: string): boolean {
    return this.factories.delete(name);
  }

  /** The factory registered under `name` (checking its options when it was registered with a schema), or undefined. */
  get(name: string): RewardFactory | undefined {
    return this.factories.get(name);
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.factories.keys()].sort();
  }
}

/** One factory for both forms of registration, so a composition calls every reward the same way. */
function toFactory<Schema extends z.ZodType<Record<string, unknown>>>(
  name: string,
  reward: RewardRegistration<Schema> | RewardFactory,
): RewardFactory {
  if (typeof reward === 'function') return reward;
  if (typeof reward !== 'object' || reward === null || typeof reward.create !== 'function') {
    throw new RewardError(name, 'expected a factory function or { options, create }');
  }
  const { options: schema, create } = reward;
  if (typeof schema?.safeParse !== 'function') {
    throw new RewardError(`${name}.options`, 'expected a zod schema of the options (e.g. z.object({ ... }))');
  }
  return (options, context) => create(parseOptions(schema, options, context.field), context);
}
