import type { z } from 'zod';
import { type RewardFactory, type RewardRegistration, RewardRegistry } from './registry';

/** The registry that {@link createReward} uses unless given another; starts with the built-in rewards. */
export const defaultRegistry = RewardRegistry.withBuiltIns();

/**
 * Adds a reward to the default registry, so `createReward({ [name]: { weight, ...options } })` can use it. Takes the
 * same two forms as {@link RewardRegistry.register}: `{ options: zodSchema, create }` (options checked and typed) or
 * a bare factory (options unchecked).
 *
 * @example
 * registerReward('promptLength', {
 *   options: z.object({ maxWords: z.number().int().positive().default(40) }),
 *   create: ({ maxWords }) => defineReward({ name: 'promptLength', score: (records) => ... }),
 * });
 * @throws {@link RewardError} on a bad or taken name (unless `{ replace: true }`) or a malformed registration.
 */
export function registerReward<Schema extends z.ZodType<Record<string, unknown>>>(
  name: string,
  reward: RewardRegistration<Schema> | RewardFactory,
  options: { replace?: boolean } = {},
): void {
  defaultRegistry.register(name, reward, options);
}

/** Removes a reward from the default registry; returns whether it was there. */
export function unregisterReward(name: string): boolean {
  return defaultRegistry.unregister(name);
}

/** Names the default registry knows, sorted. */
export function knownRewards(): string[] {
  return defaultRegistry.names();
}
