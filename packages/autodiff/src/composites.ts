import type { SymbolicTensor } from './graph';
import {
  add,
  cast,
  concat,
  div,
  equal,
  gatherElements,
  gemm,
  greaterOrEqual,
  lessOrEqual,
  logSoftmax,
  matmul,
  maximum,
  mod,
  mul,
  neg,
  not,
  range,
  reduceProd,
  reduceSum,
  reshape,
  shapeOf,
  slice,
  softmax,
  squeeze,
  transpose,
  unsqueeze,
  where,
} from './ops';
import { type Dim, isStatic } from './shape';

/** Options of {@link softmaxCrossEntropy}. */
export interface CrossEntropyOptions {
  /** Targets equal to this are left out of the loss and the count (padding, prompt tokens); -100 by default. */
  ignoreIndex?: number;
  /** `'mean'` over counted targets (default), `'sum'`, or `'none'` for one loss per position (0 where ignored). */
  reduction?: 'mean' | 'sum' | 'none';
}

/**
 * Cross-entropy of integer targets under softmax(logits), computed stably through log-softmax.
 * `logits`: [..., vocab]; `targets`: int64 [...] (the leading shape of `logits`). Targets equal to
 * `ignoreIndex` count neither in the loss nor in the mean's denominator; an all-ignored batch gives 0.
 * The rules turn its backward into softmax(logits) scaled per row with the one-hot scattered onto it (see the
 * LogSoftmax rule): three passes over the [..., vocab] gradient.
 */
export function softmaxCrossEntropy(
  logits: SymbolicTensor,
  targets: SymbolicTensor,
  options: CrossEntropyOptions = {},
): SymbolicTensor {
  if (targets.rank !== logits.rank - 1) {
    throw new RangeError(
      `softmaxCrossEntropy: targets ${targets.describe()} must drop the last axis of ${logits.describe()}`,
    );
  }
  const ignoreIndex = options.ignoreIndex ?? -100;
  const counted = not(equal(targets, ignoreIndex));
  // Ignored positions read class 0 so the gather stays in range; the mask zeroes them afterwards.
  const safeTargets = where(counted, targets, 0);
  const picked = squeeze(gatherElements(logSoftmax(logits, -1), unsqueeze(safeTargets, [targets.rank]), -1), [-1]);
  const weights = cast(counted, logits.dataType);
  const losses = mul(neg(picked), weights);
  const reduction = options.reduction ?? 'mean';
  if (reduction === 'none') return losses;
  const total = reduceSum(losses);
  if (reduction === 'sum') return total;
  return div(total, maximum(reduceSum(weights), 1));
}

/**
 * Boolean [seq, seq] mask that is true where a query position may attend to a key position (key <= query),
 * for the last two axes of `scores` ([..., seq, seq]).
 */
export function causalMask(scores: SymbolicTensor): SymbolicTensor {
  const length = scores.shape[scores.rank - 1]!;
  const graph = scores.graph;
  let positions: SymbolicTensor;
  if (typeof length === 'number') {
    positions = graph.constant(
      Array.from({ length }, (_, index) => index),
      'int64',
    );
  } else {
    const size = squeeze(slice(shapeOf(scores), [-1], [scores.rank]), [0]);
    positions = range(graph.constant(0, 'int64'), size, graph.constant(1, 'int64'), [length]);
  }
  return lessOrEqual(unsqueeze(positions, [0]), unsqueeze(positions, [1]));
}

/** Options of {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /** Hide future positions (decoder self-attention); true by default. */
  causal?: boolean;
  /** Extra boolean mask broadcast to [batch, heads, query, key], true = may attend (padding masks). */
  mask?: SymbolicTensor;
  /** Multiplies the scores; 1/sqrt(head size) by default. */
  scale?: number;
}

/**
 * softmax(q k^T * scale + masks) v. `query`: [batch, heads, queryLength, headSize]; `key`, `value`:
 * [batch, heads, keyLength, headSize]. Returns [batch, heads, queryLength, headSize].
 */
export function scaledDotProductAttention(
  query: SymbolicTensor,
  key: SymbolicTensor,
  value: SymbolicTensor,
  options: AttentionOptions = {},
): SymbolicTensor {
  const headSize = query.shape[query.rank - 1];
  if (typeof headSize !== 'number') throw new RangeError(`attention: head size of ${query.describe()} must be known`);
  const scale = options.scale ?? 1 / Math.sqrt(headSize);
  // Scaling the query (not the scores) lets ONNX Runtime fold it into the product (FusedMatMul alpha).
  let scores = matmul(mul(query, scale), transpose(key, [0, 1, 3, 2]));
  const negativeLarge = query.dataType === 'float64' ? -1e300 : -1e9;
  // Masks are added as small [seq, seq] (or mask-shaped) biases: the backward of an Add is the gradient itself,
  // where a Where over the scores would cost a full pass in each direction.
  const zero = query.graph.constant(0, query.dataType);
  if (options.causal ?? true) scores = add(scores, where(causalMask(scores), zero, negativeLarge));
  if (options.mask) scores = add(scores, where(options.mask, zero, negativeLarge));
  return matmul(softmax(scores, -1), value);
}

/** `[batch, seq, heads * headSize]` -> `[batch, heads, seq, headSize]`. */
export function splitHeads(x: SymbolicTensor, heads: number): SymbolicTensor {
  const width = x.shape[2];
  if (typeof width !== 'number' || width % heads !== 0) {
    throw new RangeError(`splitHeads: last axis of ${x.describe()} must be a multiple of ${heads}`);
  }
  return transpose(reshape(x, [0, 0, heads, width / heads]), [0, 2, 1, 3]);
}

/** `[batch, heads, seq, headSize]` -> `[batch, seq, heads * headSize]`. */
export function mergeHeads(x: SymbolicTensor): SymbolicTensor {
  const [heads, headSize] = [x.shape[1], x.shape[3]];
  if (typeof heads !== 'number' || typeof headSize !== 'number') {
    throw new RangeError(`mergeHeads: heads and head size of ${x.describe()} must be known`);
  }
  return reshape(transpose(x, [0, 2, 1, 3]), [0, 0, heads * headSize]);
}

/**
 * Affine map `x W + b` over the last axis. `x`: [..., in]; `weight`: [in, out]; `bias`: [out]. Inputs of
 * rank above 2 are folded to rows so the product is one Gemm, whose backward needs no Transpose nodes.
 */
export function linear(x: SymbolicTensor, weight: SymbolicTensor, bias?: SymbolicTensor | null): SymbolicTensor {
  if (x.rank === 2) return gemm(x, weight, bias ?? null);
  const inputWidth = weight.shape[0] as number;
  const outputWidth = weight.shape[1] as number;
  const rows = gemm(reshape(x, [-1, inputWidth]), weight, bias ?? null);
  const resultShape: Dim[] = [...x.shape.slice(0, -1), outputWidth];
  const target = isStatic(resultShape)
    ? x.graph.constant(resultShape, 'int64')
    : concat([slice(shapeOf(x), [0], [x.rank - 1]), x.graph.constant([outputWidth], 'int64')], 0);
  return reshape(rows, target, resultShape);
}

/** 2^31 - 1, the modulus of the dropout hash. */
const hashModulus = 2147483647;

/**
 * Inverted dropout whose mask is a pure function of `seed` (an int64 scalar input, so every step can feed a
 * new one and a run can be replayed) and each element's position: an element is kept when its hash, read
 * as a uniform number in [0, 1), is at least `ratio`; kept values are scaled by 1 / (1 - ratio).
 */
export function dropout(x: SymbolicTensor, ratio: number, seed: SymbolicTensor): SymbolicTensor {
  if (!(ratio >= 0 && ratio < 1)) throw new RangeError(`dropout: ratio ${ratio} is not in [0, 1)`);
  if (seed.dataType !== 'int64') throw new TypeError(`dropout: seed must be int64, got ${seed.describe()}`);
  if (ratio === 0) return x;
  const graph = x.graph;
  const count = isStatic(x.shape)
    ? graph.constant(
        x.shape.reduce((a, b) => a * b, 1),
        'int64',
      )
    : reduceProd(shapeOf(x), [0]);
  const flatIndex = range(graph.constant(0, 'int64'), count, graph.constant(1, 'int64'), ['elements']);
  const index = reshape(flatIndex, shapeOf(x), x.shape);
  // Two rounds of squaring modulo a prime (values stay below 2^62) break the linearity of the index.
  let hash = mod(add(mul(index, 2654435761), mul(mod(seed, hashModulus), 40503)), hashModulus);
  hash = mod(add(mul(hash, hash), 12345), hashModulus);
  hash = mod(add(mul(hash, hash), 67891), hashModulus);
  const uniform = div(cast(hash, x.dataType), hashModulus);
  return where(greaterOrEqual(uniform, ratio), mul(x, 1 / (1 - ratio)), 0);
}
