import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logitRows } from '../test/arbitraries';
import { forEachSoftmaxPath } from '../test/softmax-paths';
import { topPFilter, topPFilterFromFloor } from './top-p-filter';

/**
 * Hugging Face's TopPLogitsWarper written the plain way, in float64 with Math.exp: stable ascending sort (equal
 * logits with the higher id first, so that lower ids count as more probable), cumulative sum, remove positions whose
 * cumulative probability is <= 1 - p, never the last minTokensToKeep positions. The cumulative sum runs from the
 * top so that the comparison "mass above < p" does not suffer from the cancellation in 1 - p.
 */
function referenceTopP(logits: Float32Array, p: number, minTokensToKeep = 1): Float32Array {
  const values = Array.from(logits);
  const max = values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  const exponentials = values.map((value) => Math.exp(value - max));
  const normalizer = exponentials.reduce((a, b) => a + b, 0);
  const descending = values.map((_, index) => index).sort((a, b) => values[b]! - values[a]! || a - b);
  const keep = values.map(() => false);
  let above = 0;
  descending.forEach((index, position) => {
    if (above < p || position < minTokensToKeep) keep[index] = true;
    above += exponentials[index]! / normalizer;
  });
  return Float32Array.from(values, (value, index) => (keep[index] ? value : Number.NEGATIVE_INFINITY));
}

const keptIds = (row: Float32Array) => [...row.keys()].filter((index) => row[index]! > Number.NEGATIVE_INFINITY);
const nucleusMasses = fc.double({ min: 0.001, max: 0.999, noNaN: true });

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

forEachSoftmaxPath(() => {
  describe('topPFilter: hand-computed cases', () => {
    // logits [2, 1, 0, -1, -4]: p ~ [0.642888, 0.2365, 0.0870, 0.0320, 0.0016]; cumulative from the top
    // 0.6429, 0.8794, 0.9664, 0.9984, 1.
    const logits = Float32Array.from([0, -4, 2, -1, 1]);
    it('keeps the smallest most-probable set whose mass reaches p', () => {
      expect(keptIds(topPFilter(logits, { p: 0.5 }))).toEqual([2]);
      expect(keptIds(topPFilter(logits, { p: 0.6428 }))).toEqual([2]);
      expect(keptIds(topPFilter(logits, { p: 0.65 }))).toEqual([2, 4]);
      expect(keptIds(topPFilter(logits, { p: 0.9 }))).toEqual([0, 2, 4]);
      expect(keptIds(topPFilter(logits, { p: 0.999 }))).toEqual([0, 1, 2, 3, 4]);
    });

    it('keeps minTokensToKeep of the most probable tokens', () => {
      expect(keptIds(topPFilter(logits, { p: 0.1, minTokensToKeep: 3 }))).toEqual([0, 2, 4]);
    });

    it('cuts a tie at the boundary in token-id order', () => {
      // Four equal tokens of 0.25: p = 0.5 is reached exactly by the second (lower ids first).
      expect(keptIds(topPFilter(new Float32Array(4), { p: 0.5 }))).toEqual([0, 1]);
      expect(keptIds(topPFilter(new Float32Array(4), { p: 0.51 }))).toEqual([0, 1, 2]);
    });

    it('with p = 1 removes nothing that has probability', () => {
      expect(topPFilter(logits, { p: 1 })).toEqual(logits);
    });

    it('leaves -Infinity tokens removed', () => {
      const row = Float32Array.from([Number.NEGATIVE_INFINITY, 1, 1, Number.NEGATIVE_INFINITY]);
      expect(keptIds(topPFilter(row, { p: 0.9 }))).toEqual([1, 2]);
      expect(keptIds(topPFilter(row, { p: 0.3, minTokensToKeep: 4 }))).toEqual([1, 2]);
    });

    it('rejects p outside (0, 1] and bad rows', () => {
      expect(() => topPFilter(logits, { p: 0 })).toThrow(/p: must be in the interval \(0, 1\]/);
      expect(() => topPFilter(logits, { p: 1.01 })).toThrow(/p: /);
      expect(() => topPFilter(logits, { p: 0.5, minTokensToKeep: 0 })).toThrow(/minTokensToKeep/);
      expect(() => topPFilter(Float32Array.from([Number.NaN]), { p: 0.5 })).toThrow(/logits\[0\]/);
    });
  });

  describe('topPFilter: against the full-sort reference and properties', () => {
    it('matches the reference exactly on random rows with ties, -Infinity and minTokensToKeep', () => {
      fc.assert(
        fc.property(logitRows, nucleusMasses, fc.integer({ min: 1, max: 8 }), (logits, p, minTokensToKeep) => {
          expect(topPFilter(logits, { p, minTokensToKeep })).toEqual(referenceTopP(logits, p, minTokensToKeep));
        }),
        { numRuns: 600 },
      );
    });

    it('matches the reference on large rows', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          fc.integer({ min: 2000, max: 12_000 }),
          nucleusMasses,
          (seed, length, p) => {
            let state = seed;
            const next = () => (state = (state * 48271) % 2147483647) / 2147483647;
            const logits = Float32Array.from({ length }, (_, index) => -0.8 * Math.log(index + 1) + 2 * (next() - 0.5));
            expect(topPFilter(logits, { p })).toEqual(referenceTopP(logits, p));
          },
        ),
        { numRuns: 15 },
      );
    });

    it('keeps mass >= p, is minimal, keeps the most probable tokens, never empties the row', () => {
      fc.assert(
        fc.property(logitRows, nucleusMasses, (logits, p) => {
          const kept = keptIds(topPFilter(logits, { p }));
          expect(kept.length).toBeGreaterThanOrEqual(1);
          const max = Math.max(...logits);
          const weights = Array.from(logits, (value) => Math.exp(value - max));
          const total = weights.reduce((a, b) => a + b, 0);
          const keptMass = kept.reduce((sum, index) => sum + weights[index]! / total, 0);
          expect(keptMass).toBeGreaterThanOrEqual(p - 1e-9);
          const smallest = Math.min(...kept.map((index) => logits[index]!));
          // Every removed token is at most as probable as every kept one.
          logits.forEach((value, index) => {
            if (!kept.includes(index)) expect(value).toBeLessThanOrEqual(smallest);
          });
          // Dropping the least probable kept token would fall below p.
          if (kept.length > 1) expect(keptMass - Math.exp(smallest - max) / total).toBeLessThan(p + 1e-9);
        }),
        { numRuns: 400 },
      );
    });

    it('is idempotent with p = 1 and otherwise keeps a subset on a second pass', () => {
      // The kept tokens renormalise to mass 1, so a second pass with p < 1 can remove more, never less.
      fc.assert(
        fc.property(logitRows, nucleusMasses, (logits, p) => {
          const once = topPFilter(logits, { p });
          expect(topPFilter(once, { p: 1 })).toEqual(once);
          const twice = keptIds(topPFilter(once, { p }));
          expect(twice.length).toBeGreaterThanOrEqual(1);
          for (const index of twice) expect(keptIds(once)).toContain(index);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('topPFilter: candidate floors', () => {
    it('gives the reference result on large sharp rows, whose heavy tokens the sample of the row barely sees', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          fc.integer({ min: 3000, max: 20_000 }),
          fc.constantFrom(0.9, 0.7, 0.5),
          fc.constantFrom(0.5, 0.9, 0.95),
          (seed, length, temperature, mass) => {
            const logits = sharpRow(length, seed, temperature);
            expect(topPFilter(logits, { p: mass })).toEqual(referenceTopP(logits, mass));
          },
        ),
        { numRuns: 12 },
      );
    });

    // The filter orders only the tokens at or above a floor logit and falls back to every token when they weigh less
    // than p. Any first floor must give the reference's answer; only the speed may differ.
    const floorAt = (logits: Float32Array, fraction: number) => {
      const finite = Array.from(logits).filter((value) => value > Number.NEGATIVE_INFINITY);
      const low = Math.min(...finite);
      return low + fraction * (Math.max(...finite) - low);
    };

    it('gives the reference result whatever the first floor', () => {
      fc.assert(
        fc.property(
          logitRows,
          nucleusMasses,
          fc.integer({ min: 1, max: 4 }),
          fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1)),
          (logits, p, minTokensToKeep, fraction) => {
            expect(topPFilterFromFloor(logits, p, minTokensToKeep, floorAt(logits, fraction))).toEqual(
              referenceTopP(logits, p, minTokensToKeep),
            );
          },
        ),
        { numRuns: 500 },
      );
    });
  });
});
