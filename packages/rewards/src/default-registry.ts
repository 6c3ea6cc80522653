import { contentIntegrityReward } from './content-integrity-reward';
import { type RewardFactory, RewardRegistry } from './registry';

/** The registry that {@link createReward} uses unless given another; holds the built-in rewards. */
export const defaultRegistry = new RewardRegistry();
defaultRegistry.register('contentIntegrity', (options, context) => contentIntegrityReward(options, context.field));

/**
 * Adds a reward to the default registry, so `createReward({ [name]: { weight, ...options } })` can use it.
 *
 * @example
 * registerReward('promptLength', ({ maxWords = 60 }) =>
 *   defineReward({ name: 'promptLength', score: (records) => records.map((r) => ({ value: ..., details: {} })) }));
 * @throws {@link RewardError} on a bad or taken name (unless `{ replace: true }`).
 */
export function registerReward(name: string, factory: RewardFactory, options: { replace?: boolean } = {}): void {
  defaultRegistry.register(name, factory, options);
}

/** Removes a reward from the default registry; returns whether it was there. */
export function unregisterReward(name: string): boolean {
  return defaultRegistry.unregister(name);
}

/** Names the default registry knows, sorted. */
export function knownRewards(): string[] {
  return defaultRegistry.names();
}
