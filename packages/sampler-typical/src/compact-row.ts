/*
 * The compact row that the sampler hands from one filter of a chain to the next: the blocks of the row that hold a
 * token the previous filter kept.
 */
import type { Selection } from './selection';
import { blockScratch, candidateLogitScratch, candidateScratch, compactRowScratch } from './workspace';

// Logits per block of the compact row: the kernel adds the exponentials of each aligned block of 8 logits together
// before it adds them to its running sums (see softmax-kernel.wat).
const BLOCK = 8;

/**
 * Writes the `keptCount` tokens that the last filter left in the candidate scratch into the compact row: each block of
 * 8 ids that holds a kept token, in id order and whole (its other tokens at -Infinity), with the blocks' numbers in
 * the block scratch, and returns that row.
 *
 * The next filter then decides exactly as on the whole row with only the kept tokens left, in time proportional to
 * the kept tokens rather than to V: the kernel's sums add whole aligned blocks, to which the blocks left out add
 * exact zeros, and the JavaScript sums skip -Infinity altogether, so the normaliser and the entropy come out bit for
 * bit the same; the kept tokens keep their order, so ties break the same way; and the candidate floors change only
 * the speed.
 */
export function compactRow(keptCount: number): Float32Array {
  const ids = candidateScratch(0);
  const keptLogits = candidateLogitScratch(0);
  const row = compactRowScratch(BLOCK * keptCount);
  const blocks = blockScratch(keptCount);
  let blockCount = 0;
  for (let rank = 0; rank < keptCount; rank++) {
    const id = ids[rank];
    const block = Math.floor(id / BLOCK);
    if (blockCount === 0 || blocks[blockCount - 1] !== block) {
      row.fill(Number.NEGATIVE_INFINITY, BLOCK * blockCount, BLOCK * (blockCount + 1));
      blocks[blockCount++] = block;
    }
    row[BLOCK * (blockCount - 1) + (id % BLOCK)] = keptLogits[rank];
  }
  return row.subarray(0, BLOCK * blockCount);
}

/** A selection made on the last {@link compactRow}, in the ids of the whole row of `length`. */
export function expandSelection(selection: Selection, length: number): Selection {
  const blocks = blockScratch(0);
  const compact = selection.filtered;
  if (compact === undefined) {
    const ids = candidateScratch(0);
    for (let rank = 0; rank < selection.keptCount; rank++) {
      const index = ids[rank];
      ids[rank] = BLOCK * blocks[Math.floor(index / BLOCK)] + (index % BLOCK);
    }
    return selection;
  }
  const filtered = new Float32Array(length).fill(Number.NEGATIVE_INFINITY);
  for (let index = 0; index < compact.length; index++) {
    if (compact[index] > Number.NEGATIVE_INFINITY) {
      filtered[BLOCK * blocks[Math.floor(index / BLOCK)] + (index % BLOCK)] = compact[index];
    }
  }
  return { ...selection, filtered };
}
