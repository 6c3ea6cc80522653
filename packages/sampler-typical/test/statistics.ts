/* Helpers shared by the statistical tests. */

/** mulberry32: a small seeded generator, so the statistical tests are deterministic. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pearson's chi-square statistic of observed counts against expected probabilities. */
export function chiSquare(counts: readonly number[], probabilities: readonly number[], draws: number): number {
  return counts.reduce((sum, count, index) => {
    const expected = probabilities[index]! * draws;
    return sum + (count - expected) ** 2 / expected;
  }, 0);
}
