import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logitRows } from '../test/arbitraries';
import { forEachSoftmaxPath } from '../test/softmax-paths';
import { seededRandom } from '../test/statistics';
import { topKFilter, topKFilterFromFloor } from './top-k-filter';

/** Hugging Face's TopKLogitsWarper the plain way: full sort, k-th largest value, remove what is strictly below. */
function referenceTopK(logits: Float32Array, k: number, minTokensToKeep = 1): Float32Array {
  const sorted = Array.from(logits).sort((a, b) => b - a);
  const threshold = sorted[Math.min(Math.max(k, minTokensToKeep), sorted.length) - 1]!;
  return logits.map((value) => (value < threshold ? Number.NEGATIVE_INFINITY : value));
}

const keptIds = (row: Float32Array) => [...row.keys()].filter((index) => row[index]! > Number.NEGATIVE_INFINITY);

/**
 * Rows long enough for the sampled floor (at least 2,048 tokens): language-model-like logits over shuffled ids, on a
 * grid coarse enough to make ties at the k-th value common, with some removed tokens, or every token tied.
 */
const longRows = fc
  .record({
    length: fc.integer({ min: 2_048, max: 12_000 }),
    seed: fc.nat(),
    grid: fc.constantFrom(0, 1 / 64, 1 / 4, 1),
    removed: fc.constantFrom(0, 0.01, 0.5, 0.999),
    shape: fc.constantFrom('shuffled', 'descending', 'ascending', 'flat'),
  })
  .map(({ length, seed, grid, removed, shape }) => {
    const random = seededRandom(seed);
    const row = Float32Array.from({ length }, (_, index) => {
      const rank =
        shape === 'shuffled' ? 1 + Math.floor(random() * length) : shape === 'ascending' ? length - index : 1 + index;
      const logit = shape === 'flat' ? 2 : 8 - 1.3 * Math.log(rank) + 0.5 * (random() - 0.5);
      return grid === 0 ? logit : Math.round(logit / grid) * grid;
    });
    for (let index = 0; index < length; index++) if (random() < removed) row[index] = Number.NEGATIVE_INFINITY;
    // At least one finite token.
    row[Math.floor(random() * length)] = 1;
    return row;
  });

forEachSoftmaxPath(() => {
  describe('topKFilter', () => {
    it('keeps the k largest logits', () => {
      expect(keptIds(topKFilter(Float32Array.from([0.5, 3, -1, 2, 1]), { k: 2 }))).toEqual([1, 3]);
      expect(keptIds(topKFilter(Float32Array.from([0.5, 3, -1, 2, 1]), { k: 1 }))).toEqual([1]);
    });

    it('keeps every token tied with the k-th value', () => {
      expect(keptIds(topKFilter(Float32Array.from([1, 3, 1, 2, 1, 0]), { k: 3 }))).toEqual([0, 1, 2, 3, 4]);
      expect(keptIds(topKFilter(Float32Array.from([3, 1, 3, 3]), { k: 1 }))).toEqual([0, 2, 3]);
    });

    it('raises k to minTokensToKeep and keeps everything when k reaches the finite tokens', () => {
      const row = Float32Array.from([5, Number.NEGATIVE_INFINITY, 4, 3]);
      expect(keptIds(topKFilter(row, { k: 1, minTokensToKeep: 2 }))).toEqual([0, 2]);
      expect(topKFilter(row, { k: 3 })).toEqual(row);
      expect(topKFilter(row, { k: 100 })).toEqual(row);
    });

    it('rejects k < 1, non-integer k and bad rows', () => {
      const row = Float32Array.from([1, 2]);
      expect(() => topKFilter(row, { k: 0 })).toThrow(/k: expected an integer >= 1/);
      expect(() => topKFilter(row, { k: 2.5 })).toThrow(/k: /);
      expect(() => topKFilter(row, { k: 1, minTokensToKeep: 0 })).toThrow(/minTokensToKeep/);
      expect(() => topKFilter(new Float32Array(0), { k: 1 })).toThrow(/empty/);
      expect(() => topKFilter(Float32Array.from([1, Number.NaN, 2]), { k: 1 })).toThrow(/logits\[1\].*NaN/);
      expect(() => topKFilter(Float32Array.from([1, Number.POSITIVE_INFINITY]), { k: 1 })).toThrow(/logits\[1\]/);
      expect(() => topKFilter(Float32Array.from([Number.NEGATIVE_INFINITY]), { k: 1 })).toThrow(/every logit/);
      const long = new Float32Array(5_000);
      long[4_321] = Number.NaN;
      expect(() => topKFilter(long, { k: 50 })).toThrow(/logits\[4321\].*NaN/);
    });

    it('does not modify its input', () => {
      const row = Float32Array.from({ length: 3_000 }, (_, index) => Math.sin(index));
      const copy = row.slice();
      topKFilter(row, { k: 7 });
      expect(row).toEqual(copy);
    });

    it('matches the full-sort reference on random rows', () => {
      fc.assert(
        fc.property(
          logitRows,
          fc.integer({ min: 1, max: 40 }),
          fc.integer({ min: 1, max: 5 }),
          (logits, k, minimum) => {
            expect(topKFilter(logits, { k, minTokensToKeep: minimum })).toEqual(referenceTopK(logits, k, minimum));
          },
        ),
        { numRuns: 500 },
      );
    });

    it('matches the full-sort reference on long rows, where a sample of the row sets the first floor', () => {
      fc.assert(
        fc.property(
          longRows,
          fc.oneof(fc.constantFrom(1, 2, 50, 51, 1_000), fc.integer({ min: 1, max: 13_000 })),
          (logits, k) => {
            expect(topKFilter(logits, { k })).toEqual(referenceTopK(logits, k));
          },
        ),
        { numRuns: 60 },
      );
    });

    it('finds the same set after a first floor that lists too few tokens, or none', () => {
      fc.assert(
        fc.property(
          longRows,
          fc.integer({ min: 1, max: 3_000 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          (logits, k, depth) => {
            const finite = logits.filter((value) => value > Number.NEGATIVE_INFINITY).sort();
            // From above the largest logit down to the smallest finite one.
            const floor = depth === 1 ? finite[finite.length - 1]! + 1 : finite[Math.floor(depth * finite.length)]!;
            expect(topKFilterFromFloor(logits, k, floor)).toEqual(referenceTopK(logits, k));
          },
        ),
        { numRuns: 40 },
      );
    });

    it('retries when the sampled tokens all lie in the head of the row', () => {
      // Every 40th token, which the even stride of 1,024 samples meets, holds the highest logits: the first floor
      // leaves only them, fewer than k.
      const length = 40_960;
      const logits = Float32Array.from({ length }, (_, index) => (index % 40 === 0 ? 100 + index / length : index % 7));
      for (const k of [2_000, 5_000, length - 1]) {
        expect(topKFilter(logits, { k })).toEqual(referenceTopK(logits, k));
      }
    });

    it('is idempotent and keeps at least min(k, finite tokens) tokens', () => {
      fc.assert(
        fc.property(fc.oneof(logitRows, longRows), fc.integer({ min: 1, max: 40 }), (logits, k) => {
          const once = topKFilter(logits, { k });
          expect(topKFilter(once, { k })).toEqual(once);
          const finite = keptIds(logits).length;
          expect(keptIds(once).length).toBeGreaterThanOrEqual(Math.min(k, finite));
        }),
        { numRuns: 100 },
      );
    });
  });
});
