/*
 * The pure arithmetic of supervised fine-tuning: which tokens count in the loss, how examples are grouped into
 * optimiser steps and micro-batches, packing, padding, and the reference loss the graphs are checked against.
 * No I/O and no ONNX Runtime here, so each piece is tested alone.
 */

/** Label value that counts in neither the loss nor its mean (transformers' ignore index). */
export const IGNORE_INDEX = -100;

/** One tokenised training example: prompt tokens followed by completion tokens. */
export interface TokenizedExample {
  /** Prompt then completion token ids. */
  ids: readonly number[];
  /** How many leading tokens are the prompt (masked out of the loss in `completion` mode). */
  promptLength: number;
}

/** What the loss is taken over: completion tokens only, or every token (pre-training). */
export type LossMode = 'completion' | 'pretrain';

/**
 * Labels of one example, one per token: the token id where it counts in the loss, {@link IGNORE_INDEX} where it
 * does not (prompt tokens in `completion` mode). The training graph shifts them, so label t is predicted from
 * tokens before t; label 0 is never predicted.
 */
export function labelsOf(example: TokenizedExample, mode: LossMode): number[] {
  return example.ids.map((id, position) =>
    mode === 'completion' && position < example.promptLength ? IGNORE_INDEX : id,
  );
}

/** Number of label positions that count in the loss once shifted (every counted label but the first token's). */
export function countedTargets(labels: readonly number[]): number {
  let count = 0;
  for (let position = 1; position < labels.length; position++) if (labels[position] !== IGNORE_INDEX) count++;
  return count;
}

/** A row of a batch before padding: token ids and their labels, equally long. */
export interface SequenceRow {
  ids: number[];
  labels: number[];
}

/**
 * Truncates an example to `maxLength` tokens from the right (the completion's tail goes first). Returns undefined
 * when nothing of the completion would remain in `completion` mode, since such a row teaches nothing.
 */
export function truncateExample(
  example: TokenizedExample,
  maxLength: number,
  mode: LossMode,
): TokenizedExample | undefined {
  const ids = example.ids.slice(0, maxLength);
  const promptLength = Math.min(example.promptLength, ids.length);
  if (mode === 'completion' && promptLength >= ids.length) return undefined;
  if (ids.length < 2) return undefined;
  return { ids, promptLength };
}

/**
 * Greedy packing: concatenates rows in the given order into rows of at most `maxLength` tokens, starting a new
 * row when the next one does not fit; a row longer than `maxLength` is split. Labels travel with their tokens,
 * so prompt masking survives packing. Packed neighbours attend to each other (as in TRL's packing), which
 * is the price of no padding.
 */
export function packRows(rows: readonly SequenceRow[], maxLength: number): SequenceRow[] {
  if (!(Number.isInteger(maxLength) && maxLength >= 2))
    throw new RangeError(`maxLength must be >= 2, got ${maxLength}`);
  const packed: SequenceRow[] = [];
  let current: SequenceRow = { ids: [], labels: [] };
  const flush = () => {
    if (current.ids.length > 0) packed.push(current);
    current = { ids: [], labels: [] };
  };
  for (const row of rows) {
    if (current.ids.length + row.ids.length > maxLength) flush();
    for (let start = 0; start < row.ids.length; start += maxLength) {
      if (start > 0) flush();
      current.ids.push(...row.ids.slice(start, start + maxLength));
      current.labels.push(...row.labels.slice(start, start + maxLength));
    }
  }
  flush();
  return packed;
}

/** A right-padded batch, every array row-major [rows, length], as the training graph's inputs want them. */
export interface PaddedBatch {
  rows: number;
  length: number;
  /** int64 token ids, `padId` after each row's end. */
  inputIds: BigInt64Array;
  /** int64, 1 on real tokens, 0 on padding. */
  attentionMask: BigInt64Array;
  /** int64 positions 0, 1, ... of each row (padding gets the last position + 1 onwards; never attended). */
  positionIds: BigInt64Array;
  /** int64 labels, {@link IGNORE_INDEX} on padding. */
  labels: BigInt64Array;
  /** Label positions counted in the loss (after the shift). */
  tokens: number;
}

/** Right-pads rows to the longest one. Right padding leaves real positions untouched under causal attention. */
export function padRows(rows: readonly SequenceRow[], padId: number): PaddedBatch {
  if (rows.length === 0) throw new RangeError('padRows: no rows');
  const length = Math.max(...rows.map((row) => row.ids.length));
  const size = rows.length * length;
  const batch: PaddedBatch = {
    rows: rows.length,
    length,
    inputIds: new BigInt64Array(size).fill(BigInt(padId)),
    attentionMask: new BigInt64Array(size),
    positionIds: new BigInt64Array(size),
    labels: new BigInt64Array(size).fill(BigInt(IGNORE_INDEX)),
    tokens: 0,
  };
  rows.forEach((row, index) => {
    if (row.ids.length !== row.labels.length) throw new RangeError(`row ${index}: ids and labels differ in length`);
    const offset = index * length;
    for (let position = 0; position < length; position++) batch.positionIds[offset + position] = BigInt(position);
    row.ids.forEach((id, position) => {
      batch.inputIds[offset + position] = BigInt(id);
      batch.attentionMask[offset + position] = 1n;
      batch.labels[offset + position] = BigInt(row.labels[position]!);
    });
    batch.tokens += countedTargets(row.labels);
  });
  return batch;
}

/** Options of {@link bucketSteps}. */
export interface BucketOptions {
  /** Groups per length-sorted window; 1 disables bucketing across steps. Default 32. */
  windowGroups?: number;
  /** Reorders the steps of a window (a seeded shuffle), so sorted windows do not give sorted steps. Default: none. */
  shuffle?: <Item>(items: readonly Item[]) => Item[];
}

/**
 * Splits a permutation of example indices into optimiser-step groups of `groupSize` (= batch size x
 * accumulation) examples, then sorts each group by length and cuts it into micro-batches of `batchSize`.
 * Before grouping, windows of `windowGroups` groups are sorted by length, so a group holds examples of similar
 * length (length buckets, less padding); `shuffle` then mixes the steps of each window. A step's examples depend
 * only on the group size, so batch 1 x accumulation 8 and batch 8 x accumulation 1 train on the same examples per
 * step. Returns, per step, its micro-batches of example indices; the last step may be smaller.
 */
export function bucketSteps(
  order: readonly number[],
  lengths: readonly number[],
  batchSize: number,
  accumulation: number,
  options: BucketOptions = {},
): number[][][] {
  const groupSize = batchSize * accumulation;
  const windowGroups = Math.max(1, options.windowGroups ?? 32);
  const byLength = (a: number, b: number) => lengths[a]! - lengths[b]! || a - b;
  const steps: number[][][] = [];
  for (let start = 0; start < order.length; start += groupSize * windowGroups) {
    const window = order.slice(start, start + groupSize * windowGroups).sort(byLength);
    const groups: number[][] = [];
    for (let offset = 0; offset < window.length; offset += groupSize) {
      groups.push(window.slice(offset, offset + groupSize));
    }
    for (const group of options.shuffle ? options.shuffle(groups) : groups) {
      const micro: number[][] = [];
      for (let offset = 0; offset < group.length; offset += batchSize)
        micro.push(group.slice(offset, offset + batchSize));
      steps.push(micro);
    }
  }
  return steps;
}

/** Perplexity of a mean per-token cross-entropy in nats: exp(loss). */
export function perplexity(meanLoss: number): number {
  return Math.exp(meanLoss);
}

/** The token-weighted mean of per-batch mean losses: sum(loss_i * tokens_i) / sum(tokens_i). */
export function tokenWeightedMean(losses: readonly number[], tokens: readonly number[]): number {
  let sum = 0;
  let count = 0;
  losses.forEach((loss, index) => {
    sum += loss * tokens[index]!;
    count += tokens[index]!;
  });
  return count === 0 ? Number.NaN : sum / count;
}

/**
 * Reference masked next-token cross-entropy from logits [rows, length, vocab] (row-major) and labels
 * [rows, length]: position t's logits predict label t + 1; ignored labels count in neither sum nor mean. Float64.
 */
export function maskedCrossEntropy(
  logits: ArrayLike<number>,
  labels: readonly (readonly number[])[],
  vocabulary: number,
): { loss: number; tokens: number } {
  let sum = 0;
  let tokens = 0;
  const length = labels[0]?.length ?? 0;
  labels.forEach((row, rowIndex) => {
    for (let position = 0; position + 1 < length; position++) {
      const target = row[position + 1]!;
      if (target === IGNORE_INDEX) continue;
      const offset = (rowIndex * length + position) * vocabulary;
      let max = Number.NEGATIVE_INFINITY;
      for (let token = 0; token < vocabulary; token++) max = Math.max(max, logits[offset + token]!);
      let total = 0;
      for (let token = 0; token < vocabulary; token++) total += Math.exp(logits[offset + token]! - max);
      sum += max + Math.log(total) - logits[offset + target]!;
      tokens++;
    }
  });
  return { loss: tokens === 0 ? Number.NaN : sum / tokens, tokens };
}

/** How many optimiser steps one epoch has: ceil(examples / (batch size x accumulation)). */
export function stepsPerEpoch(examples: number, batchSize: number, accumulation: number): number {
  return Math.ceil(examples / (batchSize * accumulation));
}
