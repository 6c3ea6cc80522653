import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  candidateFloor,
  candidateRanks,
  collectCandidates,
  EVERY_FINITE_TOKEN,
  gatherSample,
  keepCandidatesAbove,
  logitOfRank,
  massFloor,
} from './candidates';

/** A language-model-like row: logit = -1.3 ln(rank) + uniform noise, ranks scattered over the ids. */
function zipfRow(length: number, seed: number): Float32Array {
  let state = seed;
  const next = () => (state = (state * 48271) % 2147483647) / 2147483647;
  return Float32Array.from({ length }, (_, index) => {
    const rank = ((index * 7919) % length) + 1;
    return 8 - 1.3 * Math.log(rank) + (next() - 0.5);
  });
}

// Spreading a 250,880-entry row into Math.max would overflow the call stack.
const largest = (row: Float32Array) => row.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);

/** Exact share of the softmax mass held by the tokens below `floor`. */
function massBelow(logits: Float32Array, floor: number): number {
  const max = largest(logits);
  let below = 0;
  let total = 0;
  for (const logit of logits) {
    const weight = Math.exp(logit - max);
    total += weight;
    if (logit < floor) below += weight;
  }
  return below / total;
}

describe('candidateFloor', () => {
  it('lists every finite token for short rows, flat rows and a zero tail share', () => {
    const short = zipfRow(1000, 3);
    expect(candidateFloor(short, largest(short), 0.05)).toBe(EVERY_FINITE_TOKEN);
    expect(candidateFloor(new Float32Array(50_000), 0, 0.05)).toBe(EVERY_FINITE_TOKEN);
    const row = zipfRow(50_000, 5);
    expect(candidateFloor(row, largest(row), 0)).toBe(EVERY_FINITE_TOKEN);
  });

  it('leaves about the requested share of the mass below the floor, with few tokens above it', () => {
    for (const [length, seed] of [
      [50_257, 11],
      [250_880, 12],
    ]) {
      const row = zipfRow(length, seed);
      const floor = candidateFloor(row, largest(row), 0.05);
      // The estimate comes from a sample of 1,024 tokens and stops at a bucket boundary of 64 below the target.
      const below = massBelow(row, floor);
      expect(below).toBeGreaterThan(0.005);
      expect(below).toBeLessThan(0.1);
      const above = row.filter((logit) => logit >= floor).length;
      expect(above).toBeLessThan(length / 2);
    }
  });
});

describe('candidateFloor with the exact normaliser', () => {
  it('is tighter: about the requested share below it and a few percent of the tokens above it', () => {
    const row = zipfRow(250_880, 21);
    const max = largest(row);
    let normalizer = 0;
    for (const logit of row) normalizer += Math.exp(logit - max);
    const estimated = candidateFloor(row, max, 0.05);
    const exact = candidateFloor(row, max, 0.05, normalizer);
    expect(exact).toBeGreaterThanOrEqual(estimated);
    const below = massBelow(row, exact);
    expect(below).toBeGreaterThan(0.025);
    expect(below).toBeLessThan(0.075);
    expect(row.filter((logit) => logit >= exact).length).toBeLessThan(row.length / 20);
  });
});

describe('candidateFloor on sharp rows', () => {
  it('keeps the heavy tokens below the head above the floor, which a sample of the row barely sees', () => {
    // At temperature 0.7 the ten most probable tokens hold most of the mass and tokens ranked 10 to 245, about one
    // sampled token's worth, much of the rest: a floor the sample placed above them would leave too few candidates.
    for (const seed of [31, 32, 33]) {
      const row = zipfRow(250_880, seed).map((logit) => logit / 0.7);
      const max = largest(row);
      let normalizer = 0;
      for (const logit of row) normalizer += Math.exp(logit - max);
      for (const floor of [candidateFloor(row, max, 0.05), candidateFloor(row, max, 0.05, normalizer)]) {
        expect(massBelow(row, floor)).toBeLessThan(0.05);
        expect(row.filter((logit) => logit >= floor).length).toBeLessThan(row.length / 20);
      }
    }
  });
});

describe('massFloor', () => {
  it('leaves less than the share of the mass below it, whatever the row', () => {
    for (const [row, share] of [
      [zipfRow(250_880, 41), 0.05],
      [zipfRow(50_257, 42).map((logit) => logit / 0.5), 0.01],
      [new Float32Array(10_000), 0.3],
      [Float32Array.from({ length: 5_000 }, (_, index) => (index === 0 ? 50 : -index / 100)), 0.2],
    ] as const) {
      const max = largest(row);
      let normalizer = 0;
      for (const logit of row) normalizer += Math.exp(logit - max);
      const floor = massFloor(max, normalizer, share, row.length);
      expect(floor).toBeGreaterThan(EVERY_FINITE_TOKEN);
      expect(massBelow(row, floor)).toBeLessThan(share);
    }
    // A share too small to leave any room: every finite token.
    expect(massFloor(0, 1, 0, 10)).toBe(EVERY_FINITE_TOKEN);
  });
});

describe('collectCandidates', () => {
  it('lists the tokens at or above the floor in id order with their logits, never -Infinity', () => {
    const logits = Float32Array.from([1, Number.NEGATIVE_INFINITY, -2, 3, 1]);
    const ids = new Int32Array(5);
    const values = new Float32Array(5);
    expect(collectCandidates(logits, 1, ids, values)).toBe(3);
    expect(Array.from(ids.subarray(0, 3))).toEqual([0, 3, 4]);
    expect(Array.from(values.subarray(0, 3))).toEqual([1, 3, 1]);
    expect(collectCandidates(logits, EVERY_FINITE_TOKEN, ids, values)).toBe(4);
    expect(Array.from(ids.subarray(0, 4))).toEqual([0, 2, 3, 4]);
  });

  it('keeps, in order, the candidates at or above a higher floor', () => {
    const ids = Int32Array.from([0, 2, 3, 4, 9]);
    const values = Float32Array.from([1, -2, 3, 1, 0.5]);
    expect(keepCandidatesAbove(ids, values, 5, 1)).toBe(3);
    expect(Array.from(ids.subarray(0, 3))).toEqual([0, 3, 4]);
    expect(Array.from(values.subarray(0, 3))).toEqual([1, 3, 1]);
  });

  it('numbers candidates by rank', () => {
    expect(Array.from(candidateRanks(4, new Int32Array(6)).subarray(0, 4))).toEqual([0, 1, 2, 3]);
  });
});

describe('the sample for top-k floors', () => {
  it('finds the logit of any rank as a full sort does, with ties and -Infinity', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: -3, max: 3 }),
            fc.float({ min: -100, max: 100, noNaN: true }),
            fc.constant(Number.NEGATIVE_INFINITY),
          ),
          { minLength: 1, maxLength: 1_100 },
        ),
        fc.nat(),
        (values, at) => {
          const rank = 1 + (at % values.length);
          const descending = Float32Array.from(values).sort().reverse();
          // + 0 equates -0 and 0, which compare equal and so may come out in either order.
          expect(logitOfRank(Float32Array.from(values), rank) + 0).toBe(descending[rank - 1]! + 0);
        },
      ),
    );
    const ascending = Float32Array.from({ length: 1_024 }, (_, index) => index);
    expect(logitOfRank(ascending, 1)).toBe(1_023);
    expect(logitOfRank(ascending, 1_024)).toBe(0);
  });

  it('reads 1,024 evenly strided tokens of rows long enough to sample', () => {
    expect(gatherSample(new Float32Array(2_047))).toBeUndefined();
    const row = Float32Array.from({ length: 4_096 }, (_, index) => index);
    expect(Array.from(gatherSample(row) ?? [])).toEqual(Array.from({ length: 1_024 }, (_, sample) => 4 * sample));
  });
});
