import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, ValidationError } from './errors';
import { createRng, type Rng, rngFromState } from './rng';

/** Independent xoroshiro128+ (Blackman & Vigna, a=24 b=16 c=37) on 64-bit BigInts; yields the low 32 bits of s0 + s1. */
function* referenceXoroshiro(seed: string): Generator<number> {
  const key = createHash('sha256').update(`diffchat-rng/seed/${seed}`).digest('hex');
  const digest = createHash('sha256').update(`${key}/state`).digest();
  const mask = (1n << 64n) - 1n;
  const rotl = (value: bigint, shift: bigint) => ((value << shift) | (value >> (64n - shift))) & mask;
  let s0 = digest.readBigUInt64BE(0);
  let s1 = digest.readBigUInt64BE(8);
  while (true) {
    yield Number((s0 + s1) & 0xffffffffn);
    s1 ^= s0;
    s0 = rotl(s0, 24n) ^ s1 ^ ((s1 << 16n) & mask);
    s1 = rotl(s1, 37n);
  }
}

function take(count: number, draw: () => number): number[] {
  return Array.from({ length: count }, draw);
}

/** Pearson's chi-square statistic of observed counts against expected counts. */
function chiSquare(observed: readonly number[], expected: readonly number[]): number {
  return observed.reduce((sum, count, index) => sum + (count - expected[index]!) ** 2 / expected[index]!, 0);
}

function correlation(xs: readonly number[], ys: readonly number[]): number {
  const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, index) => {
    const y = ys[index]!;
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

// Upper 0.1% points of the chi-square distribution (statistical tables), so a correct generator
// fails a fixed-seed check with probability 1/1000 per check; the seeds below are fixed, not tuned.
const chiSquare999 = { 2: 13.816, 5: 20.515, 9: 27.877 } as const;

describe('createRng', () => {
  it('matches an independent xoroshiro128+ seeded by SHA-256 of the seed', () => {
    for (const seed of ['0', '42', 'experiment-7']) {
      const reference = referenceXoroshiro(seed);
      const expected = take(12, () => reference.next().value as number);
      const rng = createRng(seed);
      expect(take(12, () => rng.uint32())).toEqual(expected);
    }
  });

  it('is deterministic, treats 42 and "42" alike, and differs between seeds', () => {
    const a = createRng(42);
    const b = createRng('42');
    const c = createRng(43);
    const first = take(20, () => a.next());
    expect(take(20, () => b.next())).toEqual(first);
    expect(take(20, () => c.next())).not.toEqual(first);
  });

  it('rejects seeds that are not safe integers or strings', () => {
    expect(() => createRng(1.5)).toThrow(ConfigError);
    expect(() => createRng(Number.NaN)).toThrow(ConfigError);
    expect(() => createRng(2 ** 60)).toThrow(ConfigError);
  });

  it('draws next() in [0, 1) and int(min, max) in its inclusive range', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.nat(1000), (seed, min, width) => {
        const rng = createRng(seed);
        const value = rng.next();
        expect(value >= 0 && value < 1).toBe(true);
        const integer = rng.int(min, min + width);
        expect(Number.isInteger(integer) && integer >= min && integer <= min + width).toBe(true);
      }),
    );
    expect(() => createRng(1).int(3, 2)).toThrow(RangeError);
    expect(() => createRng(1).int(0.5, 2)).toThrow(RangeError);
  });

  it('is uniform: chi-square of int(0, 9) and of deciles of next() within the 0.1% bound', () => {
    const rng = createRng(2024);
    const draws = 20_000;
    const integers = new Array(10).fill(0);
    const deciles = new Array(10).fill(0);
    for (let index = 0; index < draws; index++) {
      integers[rng.int(0, 9)] += 1;
      deciles[Math.floor(rng.next() * 10)] += 1;
    }
    const expected = new Array(10).fill(draws / 10);
    expect(chiSquare(integers, expected)).toBeLessThan(chiSquare999[9]);
    expect(chiSquare(deciles, expected)).toBeLessThan(chiSquare999[9]);
  });

  it('draws normals with mean 0, variance 1 and 68.27% within one standard deviation', () => {
    const rng = createRng(7);
    const count = 20_000;
    const values = take(count, () => rng.normal());
    const mean = values.reduce((sum, value) => sum + value, 0) / count;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (count - 1);
    const within = values.filter((value) => Math.abs(value) < 1).length / count;
    // Bounds of four standard errors: 1/sqrt(n) for the mean, sqrt(2/n) for the variance, sqrt(p(1-p)/n) for the share.
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(count));
    expect(Math.abs(variance - 1)).toBeLessThan(4 * Math.sqrt(2 / count));
    expect(Math.abs(within - 0.6827)).toBeLessThan(4 * Math.sqrt((0.6827 * 0.3173) / count));
    const shifted = createRng(7).normal(10, 0.5);
    expect(shifted).toBeCloseTo(10 + 0.5 * values[0]!, 12);
  });

  it('shuffles to a permutation, leaving the input alone, with all 6 orders of 3 items equally likely', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer()), (seed, items) => {
        const copy = items.slice();
        const shuffled = createRng(seed).shuffle(items);
        expect(items).toEqual(copy);
        expect(shuffled.slice().sort((a, b) => a - b)).toEqual(copy.sort((a, b) => a - b));
      }),
    );
    const rng = createRng(99);
    const orders = new Map<string, number>();
    const draws = 12_000;
    for (let index = 0; index < draws; index++) {
      const key = rng.shuffle(['a', 'b', 'c']).join('');
      orders.set(key, (orders.get(key) ?? 0) + 1);
    }
    expect(orders.size).toBe(6);
    expect(chiSquare([...orders.values()], new Array(6).fill(draws / 6))).toBeLessThan(chiSquare999[5]);
  });

  it('chooses uniformly and by weight; zero weights are never chosen', () => {
    const rng = createRng(5);
    const draws = 12_000;
    const weights = [1, 0, 2, 3];
    const counts = [0, 0, 0, 0];
    for (let index = 0; index < draws; index++) counts[rng.weightedChoice([0, 1, 2, 3], weights)] += 1;
    expect(counts[1]).toBe(0);
    const kept = [counts[0]!, counts[2]!, counts[3]!];
    expect(
      chiSquare(
        kept,
        [1, 2, 3].map((weight) => (draws * weight) / 6),
      ),
    ).toBeLessThan(chiSquare999[2]);
    const choices = [0, 0, 0];
    for (let index = 0; index < draws; index++) choices[rng.choice([0, 1, 2])] += 1;
    expect(chiSquare(choices, new Array(3).fill(draws / 3))).toBeLessThan(chiSquare999[2]);
    expect(() => rng.choice([])).toThrow(RangeError);
    expect(() => rng.weightedChoice([1, 2], [0, 0])).toThrow(/sum to 0/);
    expect(() => rng.weightedChoice([1, 2], [1, -1])).toThrow(/weights\[1\]/);
    expect(() => rng.weightedChoice([1, 2], [1])).toThrow(/2 items but 1 weights/);
  });
});

describe('child streams', () => {
  it('fork(label) is fixed by the parent key and label, and does not advance the parent', () => {
    const parent = createRng(1);
    const before = parent.fork('data');
    take(10, () => parent.next());
    const after = parent.fork('data');
    expect(take(10, () => after.next())).toEqual(take(10, () => before.next()));
    const untouched = createRng(1);
    take(10, () => untouched.next());
    expect(parent.next()).toBe(untouched.next());
    expect(createRng(1).fork('data').key).not.toBe(createRng(2).fork('data').key);
  });

  it('split() gives a different child each call and advances the parent', () => {
    const parent = createRng(3);
    const first = parent.split();
    const second = parent.split();
    expect(first.key).not.toBe(second.key);
    const twin = createRng(3);
    expect(twin.split().key).toBe(first.key);
  });

  it('gives uncorrelated streams: forks, splits and parent (|r| below 4 standard errors)', () => {
    const count = 10_000;
    const parent = createRng(11);
    const streams: Rng[] = [parent.fork('a'), parent.fork('b'), parent.split(), parent.split(), parent];
    const samples = streams.map((stream) => take(count, () => stream.next()));
    for (let i = 0; i < samples.length; i++) {
      for (let j = i + 1; j < samples.length; j++) {
        expect(Math.abs(correlation(samples[i]!, samples[j]!))).toBeLessThan(4 / Math.sqrt(count));
      }
      // Lag-1 autocorrelation within a stream.
      expect(Math.abs(correlation(samples[i]!.slice(1), samples[i]!.slice(0, -1)))).toBeLessThan(4 / Math.sqrt(count));
    }
  });
});

describe('state and restore', () => {
  const operations = fc.array(fc.constantFrom('next', 'int', 'normal', 'shuffle', 'split', 'weighted'), {
    maxLength: 30,
  });
  const apply = (rng: Rng, operation: string): unknown => {
    switch (operation) {
      case 'next':
        return rng.next();
      case 'int':
        return rng.int(-5, 5_000_000_000);
      case 'normal':
        return rng.normal();
      case 'shuffle':
        return rng.shuffle([1, 2, 3, 4, 5]);
      case 'split':
        return rng.split().key;
      default:
        return rng.weightedChoice(['x', 'y'], [0.3, 0.7]);
    }
  };

  it('restoring a saved state continues exactly where the original goes on (property)', () => {
    fc.assert(
      fc.property(fc.integer(), operations, operations, (seed, before, after) => {
        const original = createRng(seed);
        for (const operation of before) apply(original, operation);
        const saved = JSON.parse(JSON.stringify(original.state()));
        const restored = rngFromState(saved);
        const other = createRng('unrelated');
        other.restore(saved);
        const expected = after.map((operation) => apply(original, operation));
        expect(after.map((operation) => apply(restored, operation))).toEqual(expected);
        expect(after.map((operation) => apply(other, operation))).toEqual(expected);
        expect(restored.fork('x').key).toBe(original.fork('x').key);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects a malformed state naming the field', () => {
    const state = createRng(1).state();
    expect(() => rngFromState({ ...state, words: [1, 2, 3] as never })).toThrow(ValidationError);
    expect(() => rngFromState({ ...state, key: 'abc' })).toThrow(/rng state: field "key"/);
    expect(() => createRng(1).restore({ ...state, algorithm: 'mt' as never })).toThrow(/field "algorithm"/);
  });
});
