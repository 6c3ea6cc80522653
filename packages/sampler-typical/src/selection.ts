import { candidateLogitScratch, candidateScratch } from './workspace';

/**
 * What a softmax filter (nucleus or typical) decided about a row, before any filtered row is written: a sampler that
 * only draws from the kept tokens then never writes (nor allocates) a whole row.
 */
export interface Selection {
  /** Z = sum exp(logit - max) over the row, from the filter's own pass. */
  normalizer: number;
  /**
   * The filtered row, when the filter had to build it whole (nothing removed, or `minTokensToKeep` reaching past the
   * cut); undefined otherwise.
   */
  filtered: Float32Array | undefined;
  /**
   * Without `filtered`: how many tokens stay, listed in ascending id order at the start of candidateScratch (ids) and
   * candidateLogitScratch (logits) until the next filter runs.
   */
  keptCount: number;
}

/** The filtered row of a selection: -Infinity everywhere but the kept tokens. */
export function selectedRow(selection: Selection, length: number): Float32Array {
  if (selection.filtered !== undefined) return selection.filtered;
  const filtered = new Float32Array(length).fill(Number.NEGATIVE_INFINITY);
  const ids = candidateScratch(0);
  const logits = candidateLogitScratch(0);
  for (let rank = 0; rank < selection.keptCount; rank++) filtered[ids[rank]] = logits[rank];
  return filtered;
}
