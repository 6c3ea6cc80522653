import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constantSchedule, cosineSchedule, linearWarmup } from './learning-rate-schedules';

describe('learning-rate schedules', () => {
  it('constantSchedule returns the same rate at every step', () => {
    const schedule = constantSchedule(3e-4);
    expect([0, 1, 1000].map(schedule)).toEqual([3e-4, 3e-4, 3e-4]);
    expect(() => schedule(-1)).toThrow(/step/);
    expect(() => constantSchedule(-1)).toThrow(/learningRate/);
  });

  it('linearWarmup rises by learningRate / warmupSteps per step, then holds', () => {
    const schedule = linearWarmup({ learningRate: 0.5, warmupSteps: 4 });
    expect([0, 1, 2, 3, 4, 100].map(schedule)).toEqual([0.125, 0.25, 0.375, 0.5, 0.5, 0.5]);
    expect(linearWarmup({ learningRate: 0.5, warmupSteps: 0 })(0)).toBe(0.5);
  });

  it('cosineSchedule at hand-computed points', () => {
    const schedule = cosineSchedule({ learningRate: 1, warmupSteps: 10, totalSteps: 110, minLearningRate: 0.1 });
    expect(schedule(0)).toBeCloseTo(0.1, 12); // 1 / 10 of the way up
    expect(schedule(9)).toBeCloseTo(1, 12);
    expect(schedule(10)).toBeCloseTo(1, 12); // cos(0) = 1: the peak
    expect(schedule(35)).toBeCloseTo(0.1 + 0.9 * 0.5 * (1 + Math.SQRT1_2), 12); // a quarter: cos(pi / 4)
    expect(schedule(60)).toBeCloseTo(0.55, 12); // half way: cos(pi / 2) = 0
    expect(schedule(110)).toBeCloseTo(0.1, 12);
    expect(schedule(5000)).toBe(0.1);
  });

  it('cosineSchedule without warm-up starts at the peak and ends at zero by default', () => {
    const schedule = cosineSchedule({ learningRate: 2, totalSteps: 4 });
    // cos(0), cos(pi/4), cos(pi/2), cos(3pi/4), cos(pi)
    [2, 1 + Math.SQRT1_2, 1, 1 - Math.SQRT1_2, 0].forEach((value, step) => {
      expect(schedule(step)).toBeCloseTo(value, 12);
    });
  });

  it('cosineSchedule stays in [min, peak] and never rises after the warm-up', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (warmupSteps, decaySteps, floor) => {
          const schedule = cosineSchedule({
            learningRate: 1,
            warmupSteps,
            totalSteps: warmupSteps + decaySteps,
            minLearningRate: floor,
          });
          let previous = Number.POSITIVE_INFINITY;
          for (let step = warmupSteps; step <= warmupSteps + decaySteps + 2; step++) {
            const rate = schedule(step);
            expect(rate).toBeGreaterThanOrEqual(floor - 1e-12);
            expect(rate).toBeLessThanOrEqual(1 + 1e-12);
            expect(rate).toBeLessThanOrEqual(previous + 1e-12);
            previous = rate;
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('rejects inconsistent options, naming the field', () => {
    expect(() => cosineSchedule({ learningRate: 1, warmupSteps: 10, totalSteps: 5 })).toThrow(/totalSteps \(5\)/);
    expect(() => cosineSchedule({ learningRate: 1, totalSteps: 5, minLearningRate: 2 })).toThrow(/minLearningRate/);
    expect(() => linearWarmup({ learningRate: 1, warmupSteps: 1.5 })).toThrow(/warmupSteps/);
  });
});
