import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createNormaliser, RunningMoments } from './normalisation';

describe('RunningMoments', () => {
  it('matches the mean and sample std of all values, however they are batched', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { maxLength: 8 }), { maxLength: 6 }),
        (batches) => {
          const moments = new RunningMoments();
          for (const batch of batches) moments.update(batch);
          const all = batches.flat();
          expect(moments.count).toBe(all.length);
          if (all.length === 0) return;
          const mean = all.reduce((sum, value) => sum + value, 0) / all.length;
          expect(moments.mean).toBeCloseTo(mean, 6);
          if (all.length > 1) {
            const variance = all.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (all.length - 1);
            expect(moments.std).toBeCloseTo(Math.sqrt(variance), 6);
          }
        },
      ),
    );
  });
});

describe('createNormaliser', () => {
  it('running: includes the current batch (hand-computed)', () => {
    const normalise = createNormaliser('running');
    // [1, 2, 3]: mean 2, sample std 1.
    expect(normalise([1, 2, 3])).toEqual([-1, 0, 1]);
    // [1, 2, 3, 4]: mean 2.5, sample variance 5/3.
    expect(normalise([4])[0]).toBeCloseTo(1.5 / Math.sqrt(5 / 3), 12);
  });

  it('running: a first single value is only centred', () => {
    expect(createNormaliser('running')([5])).toEqual([0]);
  });

  it('fixed and none', () => {
    expect(createNormaliser({ mean: 10, std: 4 })([18, 10, 6])).toEqual([2, 0, -1]);
    expect(createNormaliser('none')([3, -2])).toEqual([3, -2]);
  });
});
