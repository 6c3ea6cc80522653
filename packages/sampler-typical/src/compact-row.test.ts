import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logitRows } from '../test/arbitraries';
import { compactRow, expandSelection } from './compact-row';
import { exponentialSums } from './softmax';
import { loadSoftmaxKernel, type SoftmaxKernel } from './softmax-kernel';
import { candidateLogitScratch, candidateScratch } from './workspace';

const kernel = loadSoftmaxKernel() as SoftmaxKernel;

/** Rows up to a few thousand tokens with a random subset of them kept (ascending ids), as a filter leaves them. */
const keptRows = fc
  .tuple(
    fc.oneof(
      logitRows,
      fc.integer({ min: 1, max: 5_000 }).map((length) => Float32Array.from({ length }, (_, index) => Math.sin(index))),
    ),
    fc.constantFrom(0, 0.02, 0.1, 0.3, 0.6, 0.9, 1),
    fc.nat(),
  )
  .map(([row, share, seed]) => {
    let state = seed;
    const kept = [...row.keys()].filter((id) => {
      state = (state * 48271 + 11) % 2147483647;
      return row[id]! > Number.NEGATIVE_INFINITY && state / 2147483647 < share;
    });
    if (kept.length === 0) {
      const finite = row.findIndex((value) => value > Number.NEGATIVE_INFINITY);
      kept.push(finite);
    }
    return { row, kept };
  });

/** Leaves `kept` (ids) and their logits in the candidate scratch, as a filter does, and returns the whole kept row. */
function leaveKept(row: Float32Array, kept: number[]): Float32Array {
  const ids = candidateScratch(row.length);
  const logits = candidateLogitScratch(row.length);
  kept.forEach((id, rank) => {
    ids[rank] = id;
    logits[rank] = row[id]!;
  });
  const whole = new Float32Array(row.length).fill(Number.NEGATIVE_INFINITY);
  for (const id of kept) whole[id] = row[id]!;
  return whole;
}

describe('compactRow', () => {
  it('holds the kept logits in id order, and nothing else', () => {
    fc.assert(
      fc.property(keptRows, ({ row, kept }) => {
        leaveKept(row, kept);
        const compact = compactRow(kept.length);
        expect(compact.length % 8).toBe(0);
        expect(compact.length).toBeLessThanOrEqual(8 * kept.length);
        expect(Array.from(compact.filter((value) => value > Number.NEGATIVE_INFINITY))).toEqual(
          kept.map((id) => row[id]),
        );
      }),
    );
  });

  it('has bit for bit the softmax sums of the whole row with only the kept tokens, in the kernel and in JavaScript', () => {
    fc.assert(
      fc.property(keptRows, ({ row, kept }) => {
        const whole = leaveKept(row, kept);
        const compact = compactRow(kept.length).slice();
        const wholeMax = kernel.loadRow(whole);
        const wholeSums = kernel.exponentialSums(wholeMax);
        expect(kernel.loadRow(compact)).toBe(wholeMax);
        const compactSums = kernel.exponentialSums(wholeMax);
        expect(compactSums.normalizer).toBe(wholeSums.normalizer);
        expect(compactSums.weightedShift).toBe(wholeSums.weightedShift);

        const scratchIds = new Int32Array(row.length);
        const scratchLogits = new Float32Array(row.length);
        const javaScriptWhole = exponentialSums(whole, wholeMax, wholeMax, scratchIds, scratchLogits);
        const javaScriptCompact = exponentialSums(compact, wholeMax, wholeMax, scratchIds, scratchLogits);
        expect(javaScriptCompact.normalizer).toBe(javaScriptWhole.normalizer);
        expect(javaScriptCompact.weightedShift).toBe(javaScriptWhole.weightedShift);
      }),
      { numRuns: 300 },
    );
  });
});

describe('expandSelection', () => {
  it('maps a selection made on the compact row back to the ids of the whole row', () => {
    fc.assert(
      fc.property(keptRows, fc.nat(), ({ row, kept }, seed) => {
        leaveKept(row, kept);
        const compact = compactRow(kept.length).slice();
        // A later filter keeps some of the compact row's tokens: every other finite one, starting at `seed`.
        const finite = [...compact.keys()].filter((index) => compact[index]! > Number.NEGATIVE_INFINITY);
        const chosen = finite.filter((_, rank) => (rank + seed) % 2 === 0);
        const ids = candidateScratch(0);
        chosen.forEach((index, rank) => {
          ids[rank] = index;
        });
        const expected = kept.filter((_, rank) => (rank + seed) % 2 === 0);
        const listed = expandSelection({ normalizer: 1, filtered: undefined, keptCount: chosen.length }, row.length);
        expect(Array.from(candidateScratch(0).subarray(0, listed.keptCount))).toEqual(expected);

        const filtered = Float32Array.from(compact, (value, index) =>
          chosen.includes(index) ? value : Number.NEGATIVE_INFINITY,
        );
        const whole = expandSelection({ normalizer: 1, filtered, keptCount: 0 }, row.length).filtered;
        expect(whole).toEqual(
          Float32Array.from(row, (value, id) => (expected.includes(id) ? value : Number.NEGATIVE_INFINITY)),
        );
      }),
    );
  });
});
