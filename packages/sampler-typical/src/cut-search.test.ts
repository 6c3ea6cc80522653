import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findCut } from './cut-search';

/** The plain way: sort all finite keys by (key, id), walk the cumulative weight. */
function referenceCut(keys: Float64Array, weights: Float64Array | undefined, target: number) {
  const order = [...keys.keys()]
    .filter((index) => keys[index]! < Number.POSITIVE_INFINITY)
    .sort((a, b) => keys[a]! - keys[b]! || a - b);
  let cumulative = 0;
  for (let position = 0; position < order.length; position++) {
    const index = order[position]!;
    cumulative += weights === undefined ? 1 : weights[index]!;
    if (cumulative >= target) return { key: keys[index], index, position };
  }
  return undefined;
}

describe('findCut', () => {
  it('matches a full sort on clustered keys that force several refinement levels', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 3 }),
            fc.double({ min: 0, max: 1e-9, noNaN: true }),
            fc.double({ min: 0, max: 100, noNaN: true }),
            fc.constant(Number.POSITIVE_INFINITY),
          ),
          { minLength: 1, maxLength: 3000 },
        ),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 3000, maxLength: 3000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        (keyValues, weightValues, fraction, weighted) => {
          const keys = Float64Array.from(keyValues);
          const weights = weighted ? Float64Array.from(weightValues.slice(0, keys.length)) : undefined;
          const finite = keyValues.filter((key) => key < Number.POSITIVE_INFINITY);
          const total = weights === undefined ? finite.length : weights.reduce((a, b) => a + b, 0);
          const target = Math.max(1, Math.ceil(fraction * total * 1.05));
          const low = finite.length > 0 ? Math.min(...finite) : 0;
          const high = finite.length > 0 ? Math.max(...finite) : 0;
          expect(findCut(keys, weights, keys.length, low, high, target)).toEqual(referenceCut(keys, weights, target));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('handles one large group of equal keys in token-id order', () => {
    const keys = new Float64Array(10_000).fill(2.5);
    expect(findCut(keys, undefined, keys.length, 2.5, 2.5, 7_000)).toEqual({ key: 2.5, index: 6_999, position: 6_999 });
  });
});
