import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logitRows } from '../test/arbitraries';
import { forEachSoftmaxPath } from '../test/softmax-paths';
import { chiSquare, seededRandom } from '../test/statistics';
import { drawToken, logSoftmaxAt } from './categorical';
import { maskTokens } from './mask-tokens';
import { bannedNgramTokens } from './no-repeat-ngram';
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
    it('applies penalty, no-repeat n-grams, masks, temperature, top-k, top-p, typical in that order', () => {
      const options = {
        repetitionPenalty: 1.3,
        noRepeatNgramSize: 2,
        deny: [2],
        allow: [0, 1, 2, 3, 4, 6, 8, 10, 11],
        temperature: 0.7,
        topK: 6,
        topP: 0.97,
        typicalP: 0.8,
        minTokensToKeep: 2,
      };
      const history = [0, 3, 3, 11, 3];
      let expected = repetitionPenalty(row, history, 1.3);
      // Prefix [3]; the bigrams (3, 3) and (3, 11) ban 3 and 11.
      expected = maskTokens(expected, { deny: [3, 11] });
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
      expect(createSampler({ noRepeatNgramSize: 0 }).process(row, [1, 1, 1])).toBe(row);
      // A history that repeats no prefix bans nothing.
      expect(createSampler({ noRepeatNgramSize: 2 }).process(row, [1, 2, 3])).toBe(row);
    });

    it('bans n-gram repeats after their own history, apart from the penalty history when given', () => {
      const sampler = createSampler({ noRepeatNgramSize: 2, repetitionPenalty: 2 });
      // The penalty sees [0, 1] (3.1 -> 1.55, 2.5 -> 1.25); the n-gram history [7, 10, 7] bans 10 (2.2).
      const processed = sampler.process(row, [0, 1], [7, 10, 7]);
      const expected = Float32Array.from(row);
      expected[0] = 1.55;
      expected[1] = 1.25;
      expected[10] = Number.NEGATIVE_INFINITY;
      expect(processed).toEqual(expected);
      // Greedy then picks token 3 (1.9), the largest logit left; without the n-gram history apart, [0, 1] bans none.
      expect(sampler.greedy(row, [0, 1], [7, 10, 7]).tokenId).toBe(3);
      expect(sampler.greedy(row, [0, 1]).tokenId).toBe(10);
      expect(sampler.process(row, [0, 1])).toEqual(repetitionPenalty(row, [0, 1], 2));
      // A drawn token is never a banned one: uniforms across [0, 1) walk the whole kept row.
      const sampling = createSampler({ noRepeatNgramSize: 1, temperature: 0.8 });
      for (let uniform = 0; uniform < 1; uniform += 0.01) {
        expect([0, 1, 10]).not.toContain(sampling.sample(row, () => uniform, [0, 1, 10]).tokenId);
      }
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

    it('greedy takes the argmax after the n-gram ban, with log-probabilities over what is left', () => {
      // History [7, 0, 7]: the bigram (7, 0) bans token 0 (3.1), so token 1 (2.5) wins.
      const chosen = createSampler({ noRepeatNgramSize: 2 }).greedy(row, [7, 0, 7]);
      expect(chosen.tokenId).toBe(1);
      const banned = logSoftmax(Float32Array.from(row, (value, id) => (id === 0 ? Number.NEGATIVE_INFINITY : value)));
      expect(chosen.logProb).toBeCloseTo(banned[1]!, 10);
      expect(chosen.unfilteredLogProb).toBeCloseTo(logSoftmax(row)[1]!, 10);
    });

    it('samples each row of a batch with its own n-gram history', () => {
      const sampler = createSampler({ noRepeatNgramSize: 1, topK: 1 });
      const batch = new Float32Array(row.length * 3);
      for (let index = 0; index < 3; index++) batch.set(row, index * row.length);
      // Row 0 bans nothing, row 1 token 0, row 2 tokens 0 and 1; the penalty history alone would ban nothing.
      const result = sampler.sampleBatch(batch, 3, () => 0.5, [[], [], []], [[], [0], [1, 0]]);
      expect(Array.from(result.tokenIds)).toEqual([0, 1, 10]);
      expect(Array.from(sampler.sampleBatch(batch, 3, () => 0.5, [[], [0], [1, 0]]).tokenIds)).toEqual([0, 1, 10]);
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

  describe('createSampler: the fused step and process', () => {
    /** Language-model-like rows: a Zipf-shaped head over a shuffled vocabulary, with noise and a few removed tokens. */
    const zipfRow = (length: number, seed: number) => {
      const random = seededRandom(seed);
      const ranks = Array.from({ length }, (_, index) => index + 1);
      for (let index = length - 1; index > 0; index--) {
        const other = Math.floor(random() * (index + 1));
        [ranks[index], ranks[other]] = [ranks[other]!, ranks[index]!];
      }
      return Float32Array.from(ranks, (rank) =>
        random() < 0.01 ? Number.NEGATIVE_INFINITY : 6 - 1.2 * Math.log(rank) + 0.4 * (random() - 0.5),
      );
    };

    type Chain = Parameters<typeof createSampler>[0] & {};

    /** The processed row composed of the public functions, one after the other. */
    const composedRow = (options: Chain, logits: Float32Array, history: number[] | undefined) => {
      let processed = logits;
      if ((options.repetitionPenalty ?? 1) !== 1 && history !== undefined && history.length > 0) {
        processed = repetitionPenalty(processed, history, options.repetitionPenalty!);
      }
      if ((options.noRepeatNgramSize ?? 0) > 0 && history !== undefined) {
        const banned = bannedNgramTokens(history, options.noRepeatNgramSize!);
        processed = Float32Array.from(processed, (value, id) =>
          banned.includes(id) ? Number.NEGATIVE_INFINITY : value,
        );
        if (processed.every((value) => value === Number.NEGATIVE_INFINITY)) {
          throw new Error('noRepeatNgramSize: every token that had a finite logit would repeat an n-gram');
        }
      }
      if (options.allow !== undefined || options.deny !== undefined) {
        processed = maskTokens(processed, { allow: options.allow, deny: options.deny });
      }
      if ((options.temperature ?? 1) !== 1) processed = applyTemperature(processed, options.temperature!);
      const minTokensToKeep = options.minTokensToKeep ?? 1;
      if (options.topK !== undefined) processed = topKFilter(processed, { k: options.topK, minTokensToKeep });
      if ((options.topP ?? 1) !== 1) processed = topPFilter(processed, { p: options.topP!, minTokensToKeep });
      if ((options.typicalP ?? 1) !== 1) {
        processed = typicalFilter(processed, { mass: options.typicalP!, minTokensToKeep });
      }
      return processed;
    };

    /** The same step composed of the public functions. */
    const composedStep = (options: Chain, logits: Float32Array, uniform: number, history: number[] | undefined) => {
      const { tokenId, logProb } = drawToken(composedRow(options, logits, history), () => uniform);
      return { tokenId, logProb, unfilteredLogProb: logSoftmaxAt(logits, tokenId) };
    };

    const expectSameStep = (actual: ReturnType<typeof composedStep>, expected: ReturnType<typeof composedStep>) => {
      expect(actual.tokenId).toBe(expected.tokenId);
      expect(Math.abs(actual.logProb - expected.logProb)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected.logProb)));
      expect(Math.abs(actual.unfilteredLogProb - expected.unfilteredLogProb)).toBeLessThanOrEqual(
        1e-12 * (1 + Math.abs(expected.unfilteredLogProb)),
      );
    };

    const chains = fc.record(
      {
        temperature: fc.constantFrom(1, 0.9, 0.35, 1.7),
        topK: fc.constantFrom(1, 2, 5, 40),
        topP: fc.constantFrom(1, 0.5, 0.9, 0.999),
        typicalP: fc.constantFrom(1, 0.2, 0.9, 0.95),
        minTokensToKeep: fc.constantFrom(1, 1, 3, 400),
        repetitionPenalty: fc.constantFrom(1, 1.3, 0.7),
        noRepeatNgramSize: fc.constantFrom(0, 1, 2),
        deny: fc.constantFrom(undefined, [0, 5]),
      },
      { requiredKeys: ['temperature'] },
    );

    it('draws what the composed public functions draw, with the same log-probabilities, on small rows', () => {
      fc.assert(
        fc.property(
          chains,
          logitRows,
          fc.double({ min: 0, max: 0.999999, noNaN: true }),
          fc.array(fc.nat(), { maxLength: 6 }),
          (options, logits, uniform, rawHistory) => {
            const history = rawHistory.map((id) => id % logits.length);
            const deny = options.deny?.filter((id) => id < logits.length);
            const chain = { ...options, deny: deny?.length ? deny : undefined };
            let expected: ReturnType<typeof composedStep>;
            try {
              expected = composedStep(chain, logits, uniform, history);
            } catch (error) {
              // Masks or bans that remove every token: the sampler must fail the same way.
              expect(() => createSampler(chain).sample(logits, () => uniform, history)).toThrow(
                (error as Error).message,
              );
              return;
            }
            expectSameStep(
              createSampler(chain).sample(logits, () => uniform, history),
              expected,
            );
            expect(createSampler(chain).process(logits, history)).toEqual(composedRow(chain, logits, history));
          },
        ),
        { numRuns: 400 },
      );
    });

    it('draws what the composed public functions draw on large language-model-like rows', () => {
      const random = seededRandom(5);
      for (let trial = 0; trial < 36; trial++) {
        const logits = zipfRow(trial % 2 === 0 ? 6_000 : 20_011, trial);
        const options = {
          temperature: [1, 0.9, 0.6][trial % 3],
          ...(trial % 4 === 0 ? { topP: 0.9 } : trial % 4 === 1 ? {} : { typicalP: [0.9, 0.5][trial % 2] }),
          ...(trial % 6 < 3
            ? { topK: [50, 1, 2_000][Math.floor(trial / 6) % 3] }
            : trial % 6 === 3
              ? { topP: 0.8, typicalP: 0.95 }
              : {}),
          ...(trial % 5 === 0 ? { repetitionPenalty: 1.5 } : {}),
          ...(trial % 7 === 0 ? { deny: [1, 2, 3] } : {}),
          ...(trial % 3 === 1 ? { noRepeatNgramSize: 1 + (trial % 2) } : {}),
        };
        const history = [7, 70, 700, 7];
        const sampler = createSampler(options);
        for (let draw = 0; draw < 5; draw++) {
          const uniform = random();
          expectSameStep(
            sampler.sample(logits, () => uniform, history),
            composedStep(options, logits, uniform, history),
          );
        }
        expect(sampler.process(logits, history)).toEqual(composedRow(options, logits, history));
      }
    });

    it('samples a batch row by row as the composed public functions do', () => {
      const options = { temperature: 0.8, typicalP: 0.9 };
      const batch = new Float32Array(3 * 5_000);
      for (const [index, seed] of [11, 12, 13].entries()) batch.set(zipfRow(5_000, seed), index * 5_000);
      const uniforms = [0.1, 0.5, 0.93];
      let call = 0;
      const result = createSampler(options).sampleBatch(batch, 3, () => uniforms[call++]!);
      uniforms.forEach((uniform, index) => {
        const expected = composedStep(options, batch.subarray(index * 5_000, (index + 1) * 5_000), uniform, undefined);
        expectSameStep(
          {
            tokenId: result.tokenIds[index]!,
            logProb: result.logProbs[index]!,
            unfilteredLogProb: result.unfilteredLogProbs[index]!,
          },
          expected,
        );
      });
    });

    it('keeps its own draw when the random source runs other samplers and filters meanwhile', () => {
      const logits = zipfRow(6_000, 21);
      const other = zipfRow(9_000, 22);
      for (const options of [
        { temperature: 0.7, typicalP: 0.9 },
        { temperature: 0.7, topP: 0.8 },
        { temperature: 0.7, topK: 50 },
        { temperature: 0.7, topK: 50, topP: 0.9, typicalP: 0.9 },
        { temperature: 0.7 },
      ]) {
        const sampler = createSampler(options);
        const busyRandom = () => {
          sampler.sample(other, () => 0.5);
          typicalFilter(other, { mass: 0.3 });
          return 0.37;
        };
        expectSameStep(sampler.sample(logits, busyRandom), composedStep(options, logits, 0.37, undefined));
      }
    });

    it('reports bad rows, overflowing temperatures and bad random numbers as the public functions do', () => {
      for (const options of [
        { temperature: 0.5, typicalP: 0.9 },
        { typicalP: 0.9 },
        { temperature: 0.5 },
        {},
        { topK: 2 },
        { temperature: 0.5, topK: 2, topP: 0.9 },
      ]) {
        const sampler = createSampler(options);
        expect(() => sampler.sample(Float32Array.from([0, 1, Number.NaN]), Math.random)).toThrow(
          /logits\[2\]: logits must be finite or -Infinity, got NaN/,
        );
        expect(() => sampler.sample(Float32Array.from([0, Number.POSITIVE_INFINITY]), Math.random)).toThrow(
          /logits\[1\]/,
        );
        expect(() => sampler.sample(new Float32Array(0), Math.random)).toThrow(/logits: the row is empty/);
        expect(() => sampler.sample(row, () => 1)).toThrow(/rng: must return a number in \[0, 1\), returned 1/);
      }
      const huge = Float32Array.from([1, 3e38, 2e38, 3.1e38]);
      for (const options of [
        { temperature: 0.5, typicalP: 0.9 },
        { temperature: 0.5, topP: 0.9 },
        { temperature: 0.5, topK: 2 },
        { temperature: 0.5 },
      ]) {
        expect(() => createSampler(options).sample(huge, Math.random)).toThrow(
          /temperature: 0.5 makes logits\[1\] overflow float32/,
        );
        expect(() => createSampler(options).process(huge)).toThrow(/temperature: 0.5 makes logits\[1\] overflow/);
        expect(() => createSampler(options).process(Float32Array.from([0, Number.NaN]))).toThrow(/logits\[1\]/);
      }
      // Every logit divided below float32's range: nothing is left to draw.
      const tiny = Float32Array.from([-1e30, -2e30]);
      for (const options of [
        { temperature: 1e-9, typicalP: 0.9 },
        { temperature: 1e-9, topK: 3 },
        { temperature: 1e-9 },
      ]) {
        expect(() => createSampler(options).sample(tiny, Math.random)).toThrow(/every logit is -Infinity/);
      }
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
      [{ noRepeatNgramSize: -1 }, /noRepeatNgramSize: expected an integer >= 0/],
      [{ noRepeatNgramSize: 1.5 }, /noRepeatNgramSize/],
    ])('rejects %o', (options, message) => {
      expect(() => createSampler(options)).toThrow(message);
    });

    it('rejects batches whose length does not split into rows, and history of the wrong size', () => {
      const sampler = createSampler();
      expect(() => sampler.sampleBatch(new Float32Array(10), 3, Math.random)).toThrow(/logits: length 10 is not/);
      expect(() => sampler.sampleBatch(new Float32Array(0), 1, Math.random)).toThrow(/logits/);
      expect(() => sampler.sampleBatch(new Float32Array(6), 2, Math.random, [[]])).toThrow(/previousIds: has 1 rows/);
      expect(() => sampler.sampleBatch(new Float32Array(6), 0, Math.random)).toThrow(/batchSize/);
      expect(() => sampler.sampleBatch(new Float32Array(6), 2, Math.random, undefined, [[]])).toThrow(
        /ngramHistories: has 1 rows/,
      );
    });

    it('rejects NaN logits and masks that remove everything', () => {
      expect(() => createSampler().sample(Float32Array.from([0, Number.NaN]), Math.random)).toThrow(/logits\[1\]/);
      expect(() => createSampler({ allow: [] }).sample(row, Math.random)).toThrow(/remove every token/);
      expect(() => createSampler({ allow: [99] }).sample(row, Math.random)).toThrow(/allow\[0\]/);
      const pair = Float32Array.from([0, 1]);
      expect(() => createSampler({ noRepeatNgramSize: 1 }).sample(pair, Math.random, [1, 0])).toThrow(
        /noRepeatNgramSize: every token/,
      );
      expect(() => createSampler({ noRepeatNgramSize: 1 }).greedy(pair, [5])).toThrow(
        /ngramHistory: expected a token id/,
      );
    });
  });
});
