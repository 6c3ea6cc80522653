import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveSeed, SeededRandom } from './seeded-random';

describe('SeededRandom', () => {
  it('is xoshiro128**: from state [1, 2, 3, 4] the stream starts 11520, 0, 5927040, 70819200', () => {
    // first output rotl(2 * 5, 7) * 9 = 1280 * 9; after one update s1 = 0; after two s1 = 1029 -> rotl(5145, 7) * 9
    const random = SeededRandom.fromState([1, 2, 3, 4]);
    expect([random.nextUint32(), random.nextUint32(), random.nextUint32(), random.nextUint32()]).toEqual([
      11520, 0, 5927040, 70819200,
    ]);
  });

  it('repeats a stream from the same seed and continues it from a saved state', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 20 }), (seed, skip) => {
        const first = new SeededRandom(seed);
        const second = new SeededRandom(seed);
        for (let index = 0; index < skip; index++) expect(first.nextUint32()).toBe(second.nextUint32());
        const resumed = SeededRandom.fromState(JSON.parse(JSON.stringify(first.state())));
        for (let index = 0; index < 5; index++) expect(resumed.nextUint32()).toBe(first.nextUint32());
      }),
    );
    expect(new SeededRandom(1).nextUint32()).not.toBe(new SeededRandom(2).nextUint32());
    expect(new SeededRandom(2 ** 40).nextUint32()).not.toBe(new SeededRandom(0).nextUint32());
  });

  it('draws uniform values in [0, 1) with mean 1/2 and variance 1/12', () => {
    const values = new SeededRandom(3).fillUniform(new Float32Array(100_000), 0, 1);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it('draws normal values with the requested mean and deviation and about 68.3% within one deviation', () => {
    const values = new SeededRandom(5).fillNormal(new Float32Array(100_001), 2, 0.5);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const std = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
    const within = values.filter((value) => Math.abs(value - 2) < 0.5).length / values.length;
    expect(mean).toBeCloseTo(2, 2);
    expect(std).toBeCloseTo(0.5, 2);
    expect(within).toBeCloseTo(0.6827, 2);
    expect(values.every(Number.isFinite)).toBe(true);
  });

  it('rejects invalid seeds and states', () => {
    expect(() => new SeededRandom(Number.NaN)).toThrow(/seed/);
    expect(() => SeededRandom.fromState([0, 0, 0, 0])).toThrow(/not all zero/);
    expect(() => SeededRandom.fromState([1, 2, 3])).toThrow(/four uint32/);
  });

  it('derives distinct seeds per label', () => {
    expect(deriveSeed(0, 'w')).toBe(deriveSeed(0, 'w'));
    expect(deriveSeed(0, 'w')).not.toBe(deriveSeed(0, 'b'));
    expect(deriveSeed(0, 'w')).not.toBe(deriveSeed(1, 'w'));
  });
});
