import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topKFilter } from './top-k-filter';

/** Hugging Face's TopKLogitsWarper the plain way: full sort, k-th largest value, remove what is strictly below. */
function referenceTopK(logits: Float32Array, k: number, minTokensToKeep = 1): Float32Array {
  const sorted = Array.from(logits).sort((a, b) => b - a);
  const threshold = sorted[Math.min(Math.max(k, minTokensToKeep), sorted.length) - 1]!;
  return logits.map((value) => (value < threshold ? Number.NEGATIVE_INFINITY : value));
}

const keptIds = (row: Float32Array) => [...row.keys()].filter((index) => row[index]! > Number.NEGATIVE_INFINITY);
const logitRows = fc
  .array(
    fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: -6, max: 3 }) },
      { weight: 1, arbitrary: fc.constant(Number.NEGATIVE_INFINITY) },
      { weight: 3, arbitrary: fc.double({ min: -30, max: 30, noNaN: true }) },
    ),
    { minLength: 1, maxLength: 300 },
  )
  .filter((values) => values.some((value) => value > Number.NEGATIVE_INFINITY))
  .map((values) => Float32Array.from(values));

describe('topKFilter', () => {
  it('keeps the k largest logits', () => {
    expect(keptIds(topKFilter(Float32Array.from([0.5, 3, -1, 2, 1]), { k: 2 }))).toEqual([1, 3]);
  });

  it('keeps every token tied with the k-th value', () => {
    expect(keptIds(topKFilter(Float32Array.from([1, 3, 1, 2, 1, 0]), { k: 3 }))).toEqual([0, 1, 2, 3, 4]);
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
    expect(() => topKFilter(new Float32Array(0), { k: 1 })).toThrow(/empty/);
  });

  it('matches the full-sort reference on random rows', () => {
    fc.assert(
      fc.property(logitRows, fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5 }), (logits, k, minimum) => {
        expect(topKFilter(logits, { k, minTokensToKeep: minimum })).toEqual(referenceTopK(logits, k, minimum));
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent and keeps at least min(k, finite tokens) tokens', () => {
    fc.assert(
      fc.property(logitRows, fc.integer({ min: 1, max: 40 }), (logits, k) => {
        const once = topKFilter(logits, { k });
        expect(topKFilter(once, { k })).toEqual(once);
        const finite = keptIds(logits).length;
        expect(keptIds(once).length).toBeGreaterThanOrEqual(Math.min(k, finite));
      }),
      { numRuns: 300 },
    );
  });
});
