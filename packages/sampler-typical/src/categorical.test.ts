import { describe, expect, it } from 'vitest';
import { forEachSoftmaxPath } from '../test/softmax-paths';
import { chiSquare, seededRandom } from '../test/statistics';
import { argmax, drawToken, logSoftmaxAt } from './categorical';
import { typicalFilter } from './typical-filter';

forEachSoftmaxPath(() => {
  describe('argmax and logSoftmaxAt', () => {
    it('returns the first index of the largest logit', () => {
      expect(argmax(Float32Array.from([1, 3, Number.NEGATIVE_INFINITY, 3]))).toBe(1);
    });

    it('computes log-softmax at a token', () => {
      // softmax([ln 1, ln 2, ln 5]) = [0.125, 0.25, 0.625].
      const row = Float32Array.from([0, Math.LN2, Math.log(5)]);
      expect(logSoftmaxAt(row, 1)).toBeCloseTo(Math.log(0.25), 6);
      expect(logSoftmaxAt(row, 2)).toBeCloseTo(Math.log(0.625), 6);
      expect(() => logSoftmaxAt(row, 3)).toThrow(/tokenId/);
    });
  });

  describe('drawToken', () => {
    it('draws with the softmax probabilities (chi-square, 5 degrees of freedom, p = 0.001 bound)', () => {
      const probabilities = [0.05, 0.1, 0.15, 0.2, 0.2, 0.3];
      const row = Float32Array.from(probabilities, Math.log);
      const random = seededRandom(7);
      const draws = 60_000;
      const counts = probabilities.map(() => 0);
      for (let draw = 0; draw < draws; draw++) counts[drawToken(row, random).tokenId]!++;
      expect(chiSquare(counts, probabilities, draws)).toBeLessThan(20.52);
    });

    it('inverts the cumulative distribution and returns the log-probability', () => {
      const row = Float32Array.from([0, Number.NEGATIVE_INFINITY, 0, 0, 0]);
      expect(drawToken(row, () => 0)).toEqual({ tokenId: 0, logProb: Math.log(0.25) });
      expect(drawToken(row, () => 0.3).tokenId).toBe(2);
      expect(drawToken(row, () => 0.999999).tokenId).toBe(4);
    });

    it('draws from its own row when the random source filters other rows meanwhile', () => {
      const row = Float32Array.from([0, Number.NEGATIVE_INFINITY, 0, 0, 0]);
      // A longer row makes the kernel's memory grow in the middle of the draw.
      const other = Float32Array.from({ length: 100_000 }, (_, index) => -(index % 7));
      const busy = (uniform: number) => () => {
        typicalFilter(other, { mass: 0.5 });
        return uniform;
      };
      expect(drawToken(row, busy(0))).toEqual({ tokenId: 0, logProb: Math.log(0.25) });
      expect(drawToken(row, busy(0.3)).tokenId).toBe(2);
      expect(drawToken(row, busy(0.999999)).tokenId).toBe(4);
    });

    it('rejects random sources that leave [0, 1)', () => {
      const row = Float32Array.from([0, 1]);
      expect(() => drawToken(row, () => 1)).toThrow(/rng: must return a number in \[0, 1\)/);
      expect(() => drawToken(row, () => Number.NaN)).toThrow(/rng/);
    });

    it('rejects bad rows, naming the first bad entry, before drawing or checking the id', () => {
      const withNaN = Float32Array.from([0, 1, Number.NaN, 2]);
      let draws = 0;
      const counted = () => {
        draws++;
        return 0.5;
      };
      expect(() => drawToken(withNaN, counted)).toThrow(/logits\[2\]: logits must be finite or -Infinity, got NaN/);
      expect(() => logSoftmaxAt(withNaN, 7)).toThrow(/logits\[2\]/);
      expect(() => drawToken(Float32Array.from([0, Number.POSITIVE_INFINITY]), counted)).toThrow(/logits\[1\]/);
      expect(() => logSoftmaxAt(new Float32Array(0), 0)).toThrow(/the row is empty/);
      const removed = Float32Array.from([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]);
      expect(() => drawToken(removed, counted)).toThrow(/every logit is -Infinity/);
      expect(draws).toBe(0);
    });
  });
});
