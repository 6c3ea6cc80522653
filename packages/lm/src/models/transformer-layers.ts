import {
  add,
  and,
  concat,
  type Dim,
  dimensionOf,
  equal,
  type Graph,
  gather,
  gemm,
  isStatic,
  lessOrEqual,
  matmul,
  mergeHeads,
  mul,
  range,
  reshape,
  cumulativeSum as runningSum,
  type SymbolicTensor,
  shapeOf,
  slice,
  softmax,
  squeeze,
  sub,
  transpose,
  unsqueeze,
  where,
} from '@diffchat/autodiff';

/**
 * How a checkpoint stores a projection: GPT-2's Conv1D keeps `[in, out]`, torch.nn.Linear (BLOOM) keeps
 * `[out, in]`. The product reads the stored layout directly (Gemm transB), so a 1.5 GB embedding is never
 * transposed into a second copy.
 */
export type WeightLayout = 'in-out' | 'out-in';

/**
 * `x W + b` over the last axis of `x` ([..., in] -> [..., out]), folded into one Gemm over rows so it runs
 * (and differentiates) as a single matrix product whatever the batch and sequence sizes.
 */
export function dense(
  x: SymbolicTensor,
  weight: SymbolicTensor,
  bias: SymbolicTensor | null,
  layout: WeightLayout,
): SymbolicTensor {
  const [first, second] = weight.shape as number[];
  const [inputWidth, outputWidth] = layout === 'in-out' ? [first!, second!] : [second!, first!];
  const rows = gemm(reshape(x, [-1, inputWidth]), weight, bias, { transB: layout === 'out-in' }); // (rows, out)
  const resultShape = [...x.shape.slice(0, -1), outputWidth];
  return reshape(rows, shapeTensor(x, resultShape), resultShape);
}

// Shape tensors by graph and symbolic shape: equal dimension names are equal sizes at run time, so the
// Shape -> Slice -> Concat chain is built once per shape instead of once per projection (dozens of tiny
// operators per decoding step otherwise).
const shapeTensors = new WeakMap<Graph, Map<string, SymbolicTensor>>();

/** An int64 tensor holding `resultShape` at run time, whose leading dimensions are those of `x`. */
function shapeTensor(x: SymbolicTensor, resultShape: readonly Dim[]): SymbolicTensor {
  const graph = x.graph;
  if (isStatic(resultShape)) return graph.constant(resultShape, 'int64');
  let cache = shapeTensors.get(graph);
  if (!cache) {
    cache = new Map();
    shapeTensors.set(graph, cache);
  }
  const key = JSON.stringify(resultShape);
  let tensor = cache.get(key);
  if (!tensor) {
    const leading = slice(shapeOf(x), [0], [x.rank - 1]);
    tensor = concat([leading, graph.constant([resultShape.at(-1) as number], 'int64')], 0);
    cache.set(key, tensor);
  }
  return tensor;
}

/** A scalar int64 holding dimension `axis` of `x` at run time. */
export function runtimeSize(x: SymbolicTensor, axis: number): SymbolicTensor {
  return squeeze(dimensionOf(x, axis), [0]);
}

/** `[0, 1, ..., size - 1]` as int64, for a run-time scalar `size`; `name` labels its dimension. */
export function positionsUpTo(size: SymbolicTensor, name: string): SymbolicTensor {
  const graph = size.graph;
  return range(graph.constant(0, 'int64'), size, graph.constant(1, 'int64'), [name]);
}

/**
 * Running sum along the last axis of a [batch, length] tensor (ONNX CumSum, linear in the length: a decoding
 * step's ALiBi positions cost as much as the keys it attends, not the square of them).
 */
export function cumulativeSum(x: SymbolicTensor): SymbolicTensor {
  return runningSum(x, -1);
}

/** What {@link causalSelfAttention} needs besides the projections. */
export interface AttentionContext {
  /** Boolean [batch, 1, 1, keyLength]: true where the attention mask lets a key be attended. */
  keyMask: SymbolicTensor;
  /** Multiplies q·k. */
  scale: number;
  /** Added to the scaled scores, broadcast to [batch, heads, queryLength, keyLength] (ALiBi). */
  bias?: SymbolicTensor;
  /**
   * Keep the cache apart from the new keys and values: `present` then holds only the new positions, for a
   * caller that writes them into a preallocated cache. Default false (present = past + new, the export layout).
   */
  separateCache?: boolean;
}

/** Keys and values of one layer, [batch, heads, length, headSize]. */
export interface KeyValue {
  key: SymbolicTensor;
  value: SymbolicTensor;
}

/**
 * Causal self-attention over cached and new positions. `query`, `key`, `value`: [batch, heads, seq, headSize]
 * for the new positions; `past`: the cache, [batch, heads, past, headSize] (absent in training and scoring
 * graphs). The query at new position i sits at absolute position past + i and sees keys 0..past + i that the
 * mask allows. Returns the merged heads [batch, seq, heads * headSize] and the extended cache (`present`).
 */
export function causalSelfAttention(
  query: SymbolicTensor,
  key: SymbolicTensor,
  value: SymbolicTensor,
  past: KeyValue | undefined,
  context: AttentionContext,
): { output: SymbolicTensor; present: KeyValue } {
  const scaled = mul(query, context.scale);
  const separate = context.separateCache === true && past !== undefined;
  let scores: SymbolicTensor; // (B, nh, seq, T)
  let present: KeyValue;
  if (separate) {
    // Scores against the cache and against the new keys side by side: the cache is read, never copied.
    scores = concat(
      [matmul(scaled, transpose(past.key, [0, 1, 3, 2])), matmul(scaled, transpose(key, [0, 1, 3, 2]))],
      3,
    );
    present = { key, value };
  } else {
    const keys = past ? concat([past.key, key], 2) : key; // (B, nh, T, hs)
    const values = past ? concat([past.value, value], 2) : value;
    scores = matmul(scaled, transpose(keys, [0, 1, 3, 2]));
    present = { key: keys, value: values };
  }
  if (context.bias) scores = add(scores, context.bias);
  const total = runtimeSize(scores, 3);
  const keyPositions = positionsUpTo(total, String(scores.shape[3]));
  const queryPositions = range(sub(total, runtimeSize(query, 2)), total, query.graph.constant(1, 'int64'), [
    String(query.shape[2]),
  ]);
  const causal = lessOrEqual(unsqueeze(keyPositions, [0]), unsqueeze(queryPositions, [1])); // (seq, T)
  const allowed = and(causal, context.keyMask); // (B, 1, seq, T)
  // A large finite value (not -inf) keeps fully masked rows (left padding) finite, as transformers does.
  const probabilities = softmax(where(allowed, scores, -1e9), -1); // (B, nh, seq, T)
  if (!separate) return { output: mergeHeads(matmul(probabilities, present.value)), present };
  const cached = runtimeSize(past.key, 2);
  const fromCache = gather(probabilities, positionsUpTo(cached, String(past.key.shape[2])), 3);
  const fromNew = gather(
    probabilities,
    range(cached, total, query.graph.constant(1, 'int64'), [String(key.shape[2])]),
    3,
  );
  const attended = add(matmul(fromCache, past.value), matmul(fromNew, value)); // (B, nh, seq, hs)
  return { output: mergeHeads(attended), present };
}

/** Boolean [batch, 1, 1, length] from an int64 [batch, length] attention mask (1 = attend). */
export function keyMaskOf(attentionMask: SymbolicTensor): SymbolicTensor {
  return unsqueeze(equal(attentionMask, 1), [1, 2]);
}
