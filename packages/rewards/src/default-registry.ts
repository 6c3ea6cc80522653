import { contentIntegrityReward } from './content-integrity-reward';
import { type RewardFactory, RewardRegistry } from './registry';

/** The registry that {@link createReward} uses unless given another; holds the built-in rewards. */
export const defaultRegistry = new RewardRegistry();
defaultRegistry.register('contentIntegrity', (options, context) => contentIntegrityReward(options, context.field));
// Model-based rewards are imported on first use, so this light entry loads no tensor runtime until one is configured.
defaultRegistry.register('aesthetic', async (options, { field }) =>
  (await import('./aesthetic/aesthetic-reward')).aestheticFromConfig(options, field),
);
defaultRegistry.register('pickscore', async (options, { field }) =>
  (await import('./pickscore/pickscore-reward')).pickScoreFromConfig(options, field),
);
defaultRegistry.register('clipScore', async (options, { field }) =>
  (await import('./clip/clip-rewards')).clipScoreFromConfig(options, field),
);
defaultRegistry.register('distilled', async (options, { field }) =>
  (await import('./distilled/text-reward')).distilledFromConfig(options, field),
);
defaultRegistry.register('relevance', async (options, { field }) =>
  (await import('./clip/clip-rewards')).relevanceFromConfig(options, field),
);

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
