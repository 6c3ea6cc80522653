/** A source of uniform numbers in [0, 1), such as `() => rng.next()` of a `@diffchat/core` random stream. */
export type Random = () => number;

/** One item of a non-empty list, uniformly. */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}
