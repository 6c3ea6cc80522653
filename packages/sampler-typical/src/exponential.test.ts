import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exponentialOfNonPositive } from './exponential';

describe('exponentialOfNonPositive', () => {
  it('is exact where the answer is a power of two or one', () => {
    expect(exponentialOfNonPositive(0)).toBe(1);
    expect(exponentialOfNonPositive(-0)).toBe(1);
    expect(exponentialOfNonPositive(-800)).toBe(0);
    expect(exponentialOfNonPositive(-3e38)).toBe(0);
  });

  it('agrees with Math.exp to within 1e-15 relative error over the normal range', () => {
    fc.assert(
      fc.property(fc.double({ min: -708, max: 0, noNaN: true }), (t) => {
        const expected = Math.exp(t);
        expect(Math.abs(exponentialOfNonPositive(t) - expected)).toBeLessThanOrEqual(1e-15 * expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with Math.exp on a dense grid, including logit-like float32 differences', () => {
    let worst = 0;
    for (let step = 0; step <= 200_000; step++) {
      const t = Math.fround(-step / 2000);
      const expected = Math.exp(t);
      worst = Math.max(worst, Math.abs(exponentialOfNonPositive(t) - expected) / expected);
    }
    expect(worst).toBeLessThan(1e-15);
  });

  it('is monotone: a larger argument never gives a smaller result', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -740, max: 0, noNaN: true }),
        fc.double({ min: -740, max: 0, noNaN: true }),
        (a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(exponentialOfNonPositive(low)).toBeLessThanOrEqual(exponentialOfNonPositive(high) * (1 + 2e-15));
        },
      ),
    );
  });
});
