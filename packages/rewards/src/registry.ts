import { RewardError } from './errors';
import type { Reward } from './reward';

/** Where a factory is being called from, for error messages: the config field of the component, e.g. `myReward`. */
export interface RewardFactoryContext {
  field: string;
}

/**
 * Builds a reward from the options of its config entry (everything but `weight`, `normalize` and `clip`). May be
 * async, so model-based rewards can load their model (and their optional dependencies) on creation.
 */
export type RewardFactory = (
  options: Record<string, unknown>,
  context: RewardFactoryContext,
) => Reward | Promise<Reward>;

const namePattern = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** A set of named reward factories that {@link createReward} builds from. */
export class RewardRegistry {
  private readonly factories = new Map<string, RewardFactory>();

  /**
   * Adds a factory under a name that config files use as a key.
   *
   * @param options.replace - allow replacing an existing registration (default false: a second one is an error).
   * @throws {@link RewardError} on a name that is not an identifier, a taken name or a factory that is not a function.
   */
  register(name: string, factory: RewardFactory, options: { replace?: boolean } = {}): void {
    if (typeof name !== 'string' || !namePattern.test(name)) {
      throw new RewardError('name', `expected a name of letters, digits, "-" or "_", got ${JSON.stringify(name)}`);
    }
    if (typeof factory !== 'function') throw new RewardError(name, 'the factory must be a function');
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

  /** The factory registered under `name`, or undefined. */
  get(name: string): RewardFactory | undefined {
    return this.factories.get(name);
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.factories.keys()].sort();
  }
}
