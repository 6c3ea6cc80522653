import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logitRows } from '../test/arbitraries';
import { forEachSoftmaxPath } from '../test/softmax-paths';
import { SamplerInputError } from './errors';
import { typicalFilter, typicalFilterFromFloor } from './typical-filter';

/**
 * Hugging Face's TypicalLogitsWarper written the plain way, in float64 with Math.exp: full stable sort by deviation,
 * cumulative sum in sorted order, cut where it first reaches the mass, keep ties with the cut deviation, keep the
 * first minTokensToKeep positions.
 */
function referenceTypical(logits: Float32Array, mass: number, minTokensToKeep = 1): Float32Array {
  const values = Array.from(logits);
  const finite = values.filter((value) => value > Number.NEGATIVE_INFINITY);
  const max = finite.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  const exponentials = values.map((value) => Math.exp(value - max));
  const normalizer = exponentials.reduce((a, b) => a + b, 0);
  const logProbabilities = values.map((value) => value - max - Math.log(normalizer));
  const probabilities = exponentials.map((value) => value / normalizer);
  let entropy = 0;
  values.forEach((value, index) => {
    if (value > Number.NEGATIVE_INFINITY) entropy -= probabilities[index]! * logProbabilities[index]!;
  });
  const deviations = values.map((value, index) =>
    value === Number.NEGATIVE_INFINITY ? Number.POSITIVE_INFINITY : Math.abs(-logProbabilities[index]! - entropy),
  );
  const order = values.map((_, index) => index).sort((a, b) => deviations[a]! - deviations[b]! || a - b);
  let last = values.length - 1;
  let cumulative = 0;
  for (let position = 0; position < order.length; position++) {
    cumulative += probabilities[order[position]!]!;
    if (cumulative >= mass) {
      last = position;
      break;
    }
  }
  const cutDeviation = deviations[order[last]!]!;
  const keep = deviations.map((deviation) => deviation <= cutDeviation);
  for (let position = 0; position < Math.min(minTokensToKeep, order.length); position++) keep[order[position]!] = true;
  return Float32Array.from(values, (value, index) => (keep[index] ? value : Number.NEGATIVE_INFINITY));
}

/**
 * A sharp language-model-like row, as after a low temperature: logit = (-1.3 ln(rank) + noise) / temperature with the
 * ranks scattered over the ids, so that an evenly strided sample of the row meets the head as rarely as any rank.
 */
function sharpRow(length: number, seed: number, temperature: number): Float32Array {
  let state = seed;
  const next = () => (state = (state * 48271) % 2147483647) / 2147483647;
  return Float32Array.from({ length }, (_, index) => {
    const rank = ((index * 7919) % length) + 1;
    return (-1.3 * Math.log(rank) + (next() - 0.5)) / temperature;
  });
}

const keptIds = (row: Float32Array) => [...row.keys()].filter((index) => row[index]! > Number.NEGATIVE_INFINITY);
const probabilitiesOf = (row: Float32Array) => {
  const max = Math.max(...row);
  const exponentials = Array.from(row, (value) => Math.exp(value - max));
  const total = exponentials.reduce((a, b) => a + b, 0);
  return exponentials.map((value) => value / total);
};

const masses = fc.double({ min: 0.001, max: 0.999, noNaN: true });

forEachSoftmaxPath(() => {
  describe('typicalFilter: hand-computed cases', () => {
    it('drops the most probable token when it is far less surprising than the entropy', () => {
      // One logit 3 and thirty logits 0: Z = e^3 + 30 = 50.09, p = 0.401 and 0.01997 each; H = 2.71 nats;
      // deviations |0.914 - 2.71| = 1.80 for the head and |3.913 - 2.71| = 1.20 for each tail token. The tail comes
      // first; mass 0.5 is crossed at its 26th token and the other four tie with it, so the head alone goes.
      const logits = new Float32Array(31);
      logits[0] = 3;
      expect(keptIds(typicalFilter(logits, { mass: 0.5 }))).toEqual(
        Array.from({ length: 30 }, (_, index) => index + 1),
      );
    });

    it('orders by |surprise - H| and cuts where the mass is first reached', () => {
      // logits [2, 1, 0, -1, -4]: Z = 11.493, p ~ [0.6429, 0.2365, 0.0870, 0.0320, 0.0016]; H ~ 0.958 nats;
      // surprises ~ [0.442, 1.442, 2.442, 3.442, 6.442]; deviations ~ [0.516, 0.484, 1.484, 2.484, 5.484].
      // Typical order with cumulative mass: 1 (0.2365), 0 (0.8794), 2 (0.9664), 3 (0.9984), 4 (1).
      const logits = Float32Array.from([2, 1, 0, -1, -4]);
      expect(keptIds(typicalFilter(logits, { mass: 0.2 }))).toEqual([1]);
      expect(keptIds(typicalFilter(logits, { mass: 0.5 }))).toEqual([0, 1]);
      expect(keptIds(typicalFilter(logits, { mass: 0.87 }))).toEqual([0, 1]);
      expect(keptIds(typicalFilter(logits, { mass: 0.9 }))).toEqual([0, 1, 2]);
      expect(keptIds(typicalFilter(logits, { mass: 0.99 }))).toEqual([0, 1, 2, 3]);
      expect(keptIds(typicalFilter(logits, { mass: 0.999 }))).toEqual([0, 1, 2, 3, 4]);
    });

    it('keeps the token that crosses the mass even when the cumulative mass lands exactly on it', () => {
      // Four equal tokens: p = 0.25 each (exact); mass 0.5 is reached exactly at the second, all tie anyway.
      expect(keptIds(typicalFilter(Float32Array.from([0, 0, 0, 0]), { mass: 0.5 }))).toEqual([0, 1, 2, 3]);
    });

    it('keeps every token tied with the cut deviation', () => {
      // [1, 1, 0, 0, -3]: the two 1s are most typical and tie; mass 0.01 is crossed by the first, both stay.
      const logits = Float32Array.from([0, 1, -3, 1, 0]);
      const kept = keptIds(typicalFilter(logits, { mass: 0.01 }));
      expect(kept).toContain(1);
      expect(kept).toContain(3);
    });

    it('keeps at least minTokensToKeep tokens, the most typical first (ties by token id)', () => {
      const logits = Float32Array.from([2, 1, 0, -1, -4]);
      expect(keptIds(typicalFilter(logits, { mass: 0.2, minTokensToKeep: 3 }))).toEqual([0, 1, 2]);
      expect(keptIds(typicalFilter(logits, { mass: 0.2, minTokensToKeep: 9 }))).toEqual([0, 1, 2, 3, 4]);
      // Five equal tokens: the first two positions in typical order are ids 0 and 1, but all tie with the cut.
      expect(keptIds(typicalFilter(new Float32Array(5), { mass: 0.1, minTokensToKeep: 2 }))).toEqual([0, 1, 2, 3, 4]);
    });

    it('ignores -Infinity tokens in the entropy and never revives them', () => {
      const withRemoved = Float32Array.from([2, Number.NEGATIVE_INFINITY, 1, 0, Number.NEGATIVE_INFINITY, -1, -4]);
      const without = Float32Array.from([2, 1, 0, -1, -4]);
      const filtered = typicalFilter(withRemoved, { mass: 0.9 });
      expect(filtered[1]).toBe(Number.NEGATIVE_INFINITY);
      expect(filtered[4]).toBe(Number.NEGATIVE_INFINITY);
      const compact = Float32Array.from([filtered[0]!, filtered[2]!, filtered[3]!, filtered[5]!, filtered[6]!]);
      expect(compact).toEqual(typicalFilter(without, { mass: 0.9 }));
      expect(keptIds(typicalFilter(Float32Array.from([Number.NEGATIVE_INFINITY, 5]), { mass: 0.5 }))).toEqual([1]);
    });

    it('returns kept logits unchanged in a new array', () => {
      const logits = Float32Array.from([0.1, 0.2, -0.7]);
      const filtered = typicalFilter(logits, { mass: 0.999 });
      expect(filtered).not.toBe(logits);
      expect(filtered).toEqual(logits);
    });
  });

  describe('typicalFilter: against the full-sort reference', () => {
    it('matches exactly on random rows with ties, -Infinity and minTokensToKeep', () => {
      fc.assert(
        fc.property(logitRows, masses, fc.integer({ min: 1, max: 8 }), (logits, mass, minTokensToKeep) => {
          expect(typicalFilter(logits, { mass, minTokensToKeep })).toEqual(
            referenceTypical(logits, mass, minTokensToKeep),
          );
        }),
        { numRuns: 600 },
      );
    });

    it('matches exactly on large rows that exercise the bucket refinement', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          fc.integer({ min: 2000, max: 12_000 }),
          masses,
          fc.constantFrom(0, 1, 3, 1000),
          (seed, length, mass, tieLevels) => {
            let state = seed;
            const next = () => (state = (state * 48271) % 2147483647) / 2147483647;
            // Zipf-like head over a noisy tail, optionally snapped to a few levels so large tie groups appear.
            const logits = Float32Array.from({ length }, (_, index) => {
              const value = -1.2 * Math.log(index + 1) + 3 * (next() - 0.5);
              return tieLevels === 0 ? value : Math.round(value * tieLevels) / tieLevels;
            });
            expect(typicalFilter(logits, { mass })).toEqual(referenceTypical(logits, mass));
          },
        ),
        { numRuns: 15 },
      );
    });
  });

  describe('typicalFilter: candidate floors', () => {
    it('gives the reference result on large sharp rows, whose heavy tokens the sample of the row barely sees', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          fc.integer({ min: 3000, max: 20_000 }),
          fc.constantFrom(0.9, 0.7, 0.5),
          fc.constantFrom(0.5, 0.9, 0.95),
          (seed, length, temperature, mass) => {
            const logits = sharpRow(length, seed, temperature);
            expect(typicalFilter(logits, { mass })).toEqual(referenceTypical(logits, mass));
          },
        ),
        { numRuns: 12 },
      );
    });

    // The filter orders only the tokens at or above a floor logit, checks that they hold the cut, and retries with a
    // lower floor when they do not. Any first floor must give the reference's answer; only the speed may differ.
    const floorFractions = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 0.9, 0.99, 1));
    const floorAt = (logits: Float32Array, fraction: number) => {
      const finite = Array.from(logits).filter((value) => value > Number.NEGATIVE_INFINITY);
      const low = Math.min(...finite);
      const high = Math.max(...finite);
      return low + fraction * (high - low);
    };

    it('gives the reference result whatever the first floor, on rows with ties and -Infinity', () => {
      fc.assert(
        fc.property(
          logitRows,
          masses,
          fc.integer({ min: 1, max: 4 }),
          floorFractions,
          (logits, mass, minTokensToKeep, fraction) => {
            expect(typicalFilterFromFloor(logits, mass, minTokensToKeep, floorAt(logits, fraction))).toEqual(
              referenceTypical(logits, mass, minTokensToKeep),
            );
          },
        ),
        { numRuns: 500 },
      );
    });

    it('gives the reference result whatever the first floor, on large Zipf-like rows', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          fc.integer({ min: 2000, max: 8000 }),
          masses,
          floorFractions,
          (seed, length, mass, fraction) => {
            let state = seed;
            const next = () => (state = (state * 48271) % 2147483647) / 2147483647;
            const logits = Float32Array.from({ length }, (_, index) => -1.2 * Math.log(index + 1) + 3 * (next() - 0.5));
            expect(typicalFilterFromFloor(logits, mass, 1, floorAt(logits, fraction))).toEqual(
              referenceTypical(logits, mass),
            );
          },
        ),
        { numRuns: 20 },
      );
    });
  });

  describe('typicalFilter: properties', () => {
    it('keeps a mass >= mass, never empties the row, and is minimal up to the tie group at the cut', () => {
      fc.assert(
        fc.property(logitRows, masses, (logits, mass) => {
          const filtered = typicalFilter(logits, { mass });
          const kept = keptIds(filtered);
          expect(kept.length).toBeGreaterThanOrEqual(1);
          const probabilities = probabilitiesOf(logits);
          const keptMass = kept.reduce((total, index) => total + probabilities[index]!, 0);
          const finiteMass = probabilities.reduce((a, b) => a + b, 0);
          expect(keptMass).toBeGreaterThanOrEqual(Math.min(mass, finiteMass) - 1e-9);
          // Minimality: without the tokens at the largest kept deviation, the mass is below the target.
          const entropy = -probabilities.reduce((h, p) => (p > 0 ? h + p * Math.log(p) : h), 0);
          const deviation = (index: number) => Math.abs(-Math.log(probabilities[index]!) - entropy);
          const largest = Math.max(...kept.map(deviation));
          const inner = kept.filter((index) => deviation(index) < largest - 1e-9);
          const innerMass = inner.reduce((total, index) => total + probabilities[index]!, 0);
          if (kept.length < keptIds(logits).length) expect(innerMass).toBeLessThan(mass + 1e-9);
        }),
        { numRuns: 400 },
      );
    });
  });

  describe('typicalFilter: repeated application', () => {
    // Not idempotent in general: the kept tokens renormalise, which moves the entropy and the cut, so a second pass
    // can only remove more. It never revives a token and never empties the row.
    it('a second pass keeps a non-empty subset of the first', () => {
      fc.assert(
        fc.property(logitRows, masses, (logits, mass) => {
          const once = typicalFilter(logits, { mass });
          const twice = typicalFilter(once, { mass });
          expect(keptIds(twice).length).toBeGreaterThanOrEqual(1);
          for (const index of keptIds(twice)) expect(once[index]).toBe(logits[index]);
          for (const index of keptIds(twice)) expect(twice[index]).toBe(once[index]);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('typicalFilter: bad input', () => {
    const row = Float32Array.from([1, 2, 3]);
    it.each([0, 1, -0.5, 1.5, Number.NaN])('rejects mass %s', (mass) => {
      expect(() => typicalFilter(row, { mass })).toThrow(/mass: must be in the open interval \(0, 1\)/);
    });
    it('rejects minTokensToKeep < 1 and non-integers', () => {
      expect(() => typicalFilter(row, { mass: 0.5, minTokensToKeep: 0 })).toThrow(/minTokensToKeep/);
      expect(() => typicalFilter(row, { mass: 0.5, minTokensToKeep: 1.5 })).toThrow(/minTokensToKeep/);
    });
    it('rejects NaN and +Infinity logits, naming the index', () => {
      expect(() => typicalFilter(Float32Array.from([0, Number.NaN]), { mass: 0.5 })).toThrow(/logits\[1\]/);
      expect(() => typicalFilter(Float32Array.from([Number.POSITIVE_INFINITY]), { mass: 0.5 })).toThrow(/logits\[0\]/);
    });
    it('rejects empty rows and rows with nothing left', () => {
      expect(() => typicalFilter(new Float32Array(0), { mass: 0.5 })).toThrow(SamplerInputError);
      expect(() => typicalFilter(Float32Array.from([Number.NEGATIVE_INFINITY]), { mass: 0.5 })).toThrow(/-Infinity/);
    });
  });
});
