import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bucketSteps,
  countedTargets,
  IGNORE_INDEX,
  labelsOf,
  maskedCrossEntropy,
  packRows,
  padRows,
  perplexity,
  stepsPerEpoch,
  tokenWeightedMean,
  truncateExample,
} from './sft-math';

describe('labelsOf', () => {
  it('masks the prompt in completion mode and nothing in pretrain mode', () => {
    const example = { ids: [5, 6, 7, 8, 9], promptLength: 2 };
    expect(labelsOf(example, 'completion')).toEqual([IGNORE_INDEX, IGNORE_INDEX, 7, 8, 9]);
    expect(labelsOf(example, 'pretrain')).toEqual([5, 6, 7, 8, 9]);
    // The first label is never a target after the shift.
    expect(countedTargets(labelsOf(example, 'completion'))).toBe(3);
    expect(countedTargets(labelsOf(example, 'pretrain'))).toBe(4);
  });
});

describe('truncateExample', () => {
  it('cuts the completion tail and drops rows with no completion left', () => {
    expect(truncateExample({ ids: [1, 2, 3, 4, 5], promptLength: 2 }, 3, 'completion')).toEqual({
      ids: [1, 2, 3],
      promptLength: 2,
    });
    expect(truncateExample({ ids: [1, 2, 3, 4, 5], promptLength: 3 }, 3, 'completion')).toBeUndefined();
    expect(truncateExample({ ids: [1, 2, 3, 4, 5], promptLength: 3 }, 3, 'pretrain')).toEqual({
      ids: [1, 2, 3],
      promptLength: 3,
    });
  });
});

const rowArbitrary = fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 12 }).chain((ids) =>
  fc.record({
    ids: fc.constant(ids),
    labels: fc.array(fc.oneof(fc.constant(IGNORE_INDEX), fc.integer({ min: 0, max: 50 })), {
      minLength: ids.length,
      maxLength: ids.length,
    }),
  }),
);

describe('packRows', () => {
  it('keeps every token and label in order, within maxLength', () => {
    fc.assert(
      fc.property(fc.array(rowArbitrary, { maxLength: 20 }), fc.integer({ min: 2, max: 16 }), (rows, maxLength) => {
        const packed = packRows(rows, maxLength);
        expect(packed.flatMap((row) => row.ids)).toEqual(rows.flatMap((row) => row.ids));
        expect(packed.flatMap((row) => row.labels)).toEqual(rows.flatMap((row) => row.labels));
        for (const row of packed) {
          expect(row.ids.length).toBeGreaterThan(0);
          expect(row.ids.length).toBeLessThanOrEqual(maxLength);
        }
      }),
    );
  });

  it('starts a new row when the next example does not fit', () => {
    const rows = [
      { ids: [1, 2, 3], labels: [1, 2, 3] },
      { ids: [4, 5], labels: [4, 5] },
      { ids: [6, 7, 8], labels: [6, 7, 8] },
    ];
    expect(packRows(rows, 5).map((row) => row.ids)).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7, 8],
    ]);
  });
});

describe('padRows', () => {
  it('right-pads with the pad id, masks padding and ignores its labels', () => {
    const batch = padRows(
      [
        { ids: [7, 8, 9], labels: [IGNORE_INDEX, 8, 9] },
        { ids: [4], labels: [4] },
      ],
      1,
    );
    expect(batch).toMatchObject({ rows: 2, length: 3, tokens: 2 });
    expect([...batch.inputIds]).toEqual([7n, 8n, 9n, 4n, 1n, 1n]);
    expect([...batch.attentionMask]).toEqual([1n, 1n, 1n, 1n, 0n, 0n]);
    expect([...batch.labels]).toEqual([-100n, 8n, 9n, 4n, -100n, -100n]);
    expect([...batch.positionIds]).toEqual([0n, 1n, 2n, 0n, 1n, 2n]);
  });
});

describe('bucketSteps', () => {
  it('partitions the examples into steps of batch x accumulation, micro-batches of batch', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        (lengths, batchSize, accumulation, windowGroups) => {
          const order = lengths.map((_, index) => index).reverse();
          const steps = bucketSteps(order, lengths, batchSize, accumulation, { windowGroups });
          expect(steps.length).toBe(stepsPerEpoch(lengths.length, batchSize, accumulation));
          expect(steps.flat(2).sort((a, b) => a - b)).toEqual(lengths.map((_, index) => index));
          for (const step of steps) {
            expect(step.length).toBeLessThanOrEqual(accumulation);
            for (const micro of step) expect(micro.length).toBeLessThanOrEqual(batchSize);
          }
        },
      ),
    );
  });

  it('groups similar lengths within a window', () => {
    const lengths = [9, 1, 8, 2, 7, 3, 6, 4];
    const steps = bucketSteps([0, 1, 2, 3, 4, 5, 6, 7], lengths, 2, 1, { windowGroups: 4 });
    expect(steps.map((step) => step[0]!.map((index) => lengths[index]))).toEqual([
      [1, 2],
      [3, 4],
      [6, 7],
      [8, 9],
    ]);
  });

  it('gives the same examples per step for batch 1 x 8 and batch 8 x 1', () => {
    const lengths = Array.from({ length: 40 }, (_, index) => (index * 7) % 13);
    const order = lengths.map((_, index) => index);
    const wide = bucketSteps(order, lengths, 8, 1).map((step) => step.flat().sort());
    const deep = bucketSteps(order, lengths, 1, 8).map((step) => step.flat().sort());
    expect(deep).toEqual(wide);
  });
});

describe('losses', () => {
  it('masked cross-entropy matches hand-computed values', () => {
    // Two positions over a vocabulary of 2: logits (0, 0) -> ln 2; logits (0, ln 3) for target 1 -> ln(4/3).
    const logits = [0, 0, 0, Math.log(3), 5, 5];
    const { loss, tokens } = maskedCrossEntropy(logits, [[IGNORE_INDEX, 0, 1]], 2);
    expect(tokens).toBe(2);
    expect(loss).toBeCloseTo((Math.log(2) + Math.log(4 / 3)) / 2, 12);
    // A masked target counts in neither the sum nor the mean.
    expect(maskedCrossEntropy(logits, [[IGNORE_INDEX, IGNORE_INDEX, 1]], 2).loss).toBeCloseTo(Math.log(4 / 3), 12);
  });

  it('perplexity and the token-weighted mean', () => {
    expect(perplexity(Math.log(7))).toBeCloseTo(7, 12);
    expect(tokenWeightedMean([1, 4], [3, 1])).toBeCloseTo(7 / 4, 12);
    expect(tokenWeightedMean([], [])).toBeNaN();
  });
});
