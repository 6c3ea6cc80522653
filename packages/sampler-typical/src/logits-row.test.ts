import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { largestLogit, logitRange } from './logits-row';

const rows = fc
  .array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(Number.NEGATIVE_INFINITY)), {
    minLength: 1,
    maxLength: 41,
  })
  .filter((values) => values.some((value) => value > Number.NEGATIVE_INFINITY))
  .map((values) => Float32Array.from(values));

describe('largestLogit and logitRange', () => {
  it('agree with Math.max and Math.min over the finite entries, for odd and even lengths', () => {
    fc.assert(
      fc.property(rows, (row) => {
        const finite = Array.from(row).filter((value) => value > Number.NEGATIVE_INFINITY);
        // -0 and +0 tie in every comparison, so which one a scan returns is not specified: adding 0 makes both +0.
        const { max, min } = logitRange(row);
        expect(largestLogit(row) + 0).toBe(Math.max(...finite) + 0);
        expect([max + 0, min + 0]).toEqual([Math.max(...finite) + 0, Math.min(...finite) + 0]);
      }),
    );
  });

  it('report bad rows naming the entry, wherever it sits', () => {
    for (const length of [1, 2, 7, 8]) {
      for (const position of [0, length - 1]) {
        const withNaN = new Float32Array(length);
        withNaN[position] = Number.NaN;
        // NaN never wins a comparison: the max pass lets it through and the softmax pass reports it, except as the
        // odd last entry, which seeds a running maximum.
        if (position === length - 1 && length % 2 === 1) {
          expect(() => largestLogit(withNaN)).toThrow(`logits[${position}]`);
        }
        const withInfinity = new Float32Array(length);
        withInfinity[position] = Number.POSITIVE_INFINITY;
        expect(() => largestLogit(withInfinity)).toThrow(`logits[${position}]`);
        expect(() => logitRange(withInfinity)).toThrow(`logits[${position}]`);
      }
    }
    expect(() => largestLogit(new Float32Array(0))).toThrow('the row is empty');
    expect(() => largestLogit(new Float32Array(3).fill(Number.NEGATIVE_INFINITY))).toThrow('every logit is -Infinity');
  });
});
