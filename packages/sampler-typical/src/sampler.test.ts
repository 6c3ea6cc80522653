import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachSoftmaxPath } from '../test/softmax-paths';
import { chiSquare, seededRandom } from '../test/statistics';
import { maskTokens } from './mask-tokens';
import { repetitionPenalty } from './repetition-penalty';
import { createSampler } from './sampler';
import { applyTemperature } from './temperature';
import { topKFilter } from './top-k-filter';
import { topPFilter } from './top-p-filter';
import { typicalFilter } from './typical-filter';

const logSoftmax = (row: Float32Array) => {
  const max = Math.max(...row);
  const logTotal = Math.log(Array.from(row, (value) => Math.exp(value - max)).reduce((a, b) => a + b, 0));
  return Array.from(row, (value) => value - max - logTotal);
};

// A 12-token row with a clear head and a tail.
const row = Float32Array.from([3.1, 2.5, -0.4, 1.9, 0.2, -1.5, 1.1, -3, 0.7, -0.9, 2.2, -2.2]);

forEachSoftmaxPath(() => {
  describe('createSampler: processing order', () => {
    it('applies penalty, masks, temperature, top-k, top-p, typical in that order', () => {
      const options = {
        repetitionPenalty: 1.3,
        deny: [2],
        allow: [0, 1, 2, 3, 4, 6, 8, 10, 11],
        temperature: 0.7,
        topK: 6,
        topP: 0.97,
        typicalP: 0.8,
        minTokensToKeep: 2,
      };
      const history = [0, 3, 3, 11];
      let expected = repetitionPenalty(row, history, 1.3);
      expected = maskTokens(expected, { allow: options.allow, deny: options.deny });
      expected = applyTemperature(expected, 0.7);
      expected = topKFilter(expected, { k: 6, minTokensToKeep: 2 });
      expected = topPFilter(expected, { p: 0.97, minTokensToKeep: 2 });
      expected = typicalFilter(expected, { mass: 0.8, minTokensToKeep: 2 });
      expect(createSampler(options).process(row, history)).toEqual(expected);
    });

    it('passes the row through untouched when every processor is off', () => {
      expect(createSampler().process(row)).toBe(row);
      expect(createSampler({ temperature: 1, topP: 1, typicalP: 1, repetitionPenalty: 1 }).process(row)).toBe(row);
    });
  });

  describe('createSampler: drawing', () => {
    it('draws from the renormalised kept distribution (chi-square, p = 0.001 bound)', () => {
      const sampler = createSampler({ temperature: 0.9, typicalP: 0.9 });
      const processed = sampler.process(row);
      const kept = [...processed.keys()].filter((id) => processed[id]! > Number.NEGATIVE_INFINITY);
      expect(kept.length).toBeGreaterThan(2);
      const probabilities = logSoftmax(processed).map(Math.exp);
      const random = seededRandom(11);
      const draws = 40_000;
      const counts = new Array<number>(row.length).fill(0);
      for (let draw = 0; draw < draws; draw++) counts[sampler.sample(row, random).tokenId]!++;
      row.forEach((_, id) => {
        if (!kept.includes(id)) expect(counts[id]).toBe(0);
      });
      // Critical values of chi-square at p = 0.001 for 1..11 degrees of freedom.
      const critical = [10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32, 26.12, 27.88, 29.59, 31.26];
      const statistic = chiSquare(
        kept.map((id) => counts[id]!),
        kept.map((id) => probabilities[id]!),
        draws,
      );
      expect(statistic).toBeLessThan(critical[kept.length - 2]!);
    });

    it('returns the filtered and the unfiltered log-probabilities of the drawn token', () => {
      const sampler = createSampler({ temperature: 0.5, topK: 3, repetitionPenalty: 2 });
      const history = [1];
      const processed = sampler.process(row, history);
      const filtered = logSoftmax(processed);
      const unfiltered = logSoftmax(row);
      fc.assert(
        fc.property(fc.double({ min: 0, max: 0.999999, noNaN: true }), (uniform) => {
          const drawn = sampler.sample(row, () => uniform, history);
          expect(drawn.logProb).toBeCloseTo(filtered[drawn.tokenId]!, 10);
          expect(drawn.unfilteredLogProb).toBeCloseTo(unfiltered[drawn.tokenId]!, 10);
        }),
        { numRuns: 200 },
      );
    });

    it('samples each row of a batch with its own history, one random number per row', () => {
      const sampler = createSampler({ repetitionPenalty: 1000, topK: 1 });
      const batch = new Float32Array(row.length * 3);
      batch.set(row, 0);
      batch.set(row, row.length);
      batch.set(row, 2 * row.length);
      let calls = 0;
      const countingRandom = () => {
        calls++;
        return 0.5;
      };
      const result = sampler.sampleBatch(batch, 3, countingRandom, [[], [0], [0, 1]]);
      // Penalised heads go: row 0 keeps token 0 (3.1), row 1 token 1 (2.5), row 2 token 10 (2.2).
      expect(Array.from(result.tokenIds)).toEqual([0, 1, 10]);
      expect(calls).toBe(3);
      expect(Array.from(result.logProbs)).toEqual([0, 0, 0]);
      const unfiltered = logSoftmax(row);
      expect(result.unfilteredLogProbs[2]).toBeCloseTo(unfiltered[10]!, 10);
    });

    it('greedy takes the argmax after penalty and masks', () => {
      const sampler = createSampler({ deny: [0], typicalP: 0.2 });
      const chosen = sampler.greedy(row);
      expect(chosen.tokenId).toBe(1);
      const masked = logSoftmax(Float32Array.from(row, (value, id) => (id === 0 ? Number.NEGATIVE_INFINITY : value)));
      expect(chosen.logProb).toBeCloseTo(masked[1]!, 10);
      expect(chosen.unfilteredLogProb).toBeCloseTo(logSoftmax(row)[1]!, 10);
    });
  });

  describe('createSampler: bad input', () => {
    it.each([
      [{ temperature: 0 }, /temperature/],
      [{ temperature: -1 }, /temperature/],
      [{ topK: 0 }, /topK: expected an integer >= 1/],
      [{ topP: 0 }, /topP: must be in the interval \(0, 1\]/],
      [{ topP: 1.5 }, /topP/],
      [{ typicalP: 0 }, /typicalP/],
      [{ typicalP: Number.NaN }, /typicalP/],
      [{ minTokensToKeep: 0 }, /minTokensToKeep/],
      [{ repetitionPenalty: 0 }, /repetitionPenalty/],
    ])('rejects %o', (options, message) => {
      expect(() => createSampler(options)).toThrow(message);
    });

    it('rejects batches whose length does not split into rows, and history of the wrong size', () => {
      const sampler = createSampler();
      expect(() => sampler.sampleBatch(new Float32Array(10), 3, Math.random)).toThrow(/logits: length 10 is not/);
      expect(() => sampler.sampleBatch(new Float32Array(0), 1, Math.random)).toThrow(/logits/);
      expect(() => sampler.sampleBatch(new Float32Array(6), 2, Math.random, [[]])).toThrow(/previousIds: has 1 rows/);
      expect(() => sampler.sampleBatch(new Float32Array(6), 0, Math.random)).toThrow(/batchSize/);
    });

    it('rejects NaN logits and masks that remove everything', () => {
      expect(() => createSampler().sample(Float32Array.from([0, Number.NaN]), Math.random)).toThrow(/logits\[1\]/);
      expect(() => createSampler({ allow: [] }).sample(row, Math.random)).toThrow(/remove every token/);
      expect(() => createSampler({ allow: [99] }).sample(row, Math.random)).toThrow(/allow\[0\]/);
    });
  });
});
