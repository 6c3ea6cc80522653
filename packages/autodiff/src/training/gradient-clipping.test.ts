import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clipGlobalNorm, globalNorm } from './gradient-clipping';

describe('clipGlobalNorm', () => {
  it('scales all gradients together to maxNorm and returns the norm before clipping', () => {
    // [3, 4] and [12]: sqrt(9 + 16 + 144) = 13
    const gradients = new Map([
      ['a', new Float32Array([3, 4])],
      ['b', new Float32Array([12])],
    ]);
    expect(clipGlobalNorm(gradients, 6.5)).toBe(13);
    const scale = 6.5 / (13 + 1e-6);
    expect(gradients.get('a')![0]).toBeCloseTo(3 * scale, 6);
    expect(gradients.get('a')![1]).toBeCloseTo(4 * scale, 6);
    expect(gradients.get('b')![0]).toBeCloseTo(12 * scale, 6);
    expect(globalNorm(gradients)).toBeCloseTo(6.5, 5);
  });

  it('leaves gradients under the limit unchanged', () => {
    const gradient = new Float32Array([3, 4]);
    expect(clipGlobalNorm([gradient], 5)).toBe(5);
    expect([...gradient]).toEqual([3, 4]);
  });

  it('leaves non-finite gradients untouched and reports the non-finite norm', () => {
    const gradient = new Float32Array([Number.POSITIVE_INFINITY, 1]);
    expect(clipGlobalNorm([gradient], 1)).toBe(Number.POSITIVE_INFINITY);
    expect(gradient[1]).toBe(1);
    expect(Number.isNaN(clipGlobalNorm([new Float32Array([Number.NaN])], 1))).toBe(true);
    expect(() => clipGlobalNorm([], 0)).toThrow(/maxNorm/);
  });

  it('never leaves a norm above maxNorm and keeps every ratio between elements', () => {
    const finite = fc.float({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(
        fc.array(fc.array(finite, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (arrays, maxNorm) => {
          const gradients = arrays.map((values) => new Float32Array(values));
          const before = gradients.map((gradient) => gradient.slice());
          const norm = clipGlobalNorm(gradients, maxNorm);
          const scale = norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
          expect(globalNorm(gradients)).toBeLessThanOrEqual(Math.max(maxNorm, norm) * (1 + 1e-6));
          gradients.forEach((gradient, which) => {
            gradient.forEach((value, index) => {
              expect(value).toBeCloseTo(before[which]![index]! * scale, 3);
            });
          });
        },
      ),
    );
  });
});
