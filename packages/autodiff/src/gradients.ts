import type { GraphNode, PrimitiveOp, SymbolicTensor } from './graph';
import {
  add,
  and,
  cast,
  concat,
  constantOfShape,
  cumulativeSum,
  dimensionOf,
  div,
  equal,
  exp,
  expand,
  gather,
  gemm,
  greater,
  greaterOrEqual,
  layerNormalization,
  lessOrEqual,
  matmul,
  maximum,
  minimum,
  mod,
  mul,
  neg,
  pad,
  pow,
  reduceMean,
  reduceProd,
  reduceSum,
  reshape,
  scatterElements,
  scatterND,
  shapeOf,
  sigmoid,
  sliceBounds,
  softmax,
  sqrt,
  squeeze,
  sub,
  transpose,
  unsqueeze,
  where,
} from './ops';
import { broadcastReductionAxes, elementCount, formatShape, isStatic, type Shape } from './shape';

/**
 * A vector-Jacobian product: given a node and the gradients of the loss with respect to its outputs (null
 * where an output does not reach the loss), the gradients with respect to each input (null where none flows).
 */
export type VectorJacobianRule = (
  node: GraphNode,
  outputGradients: readonly (SymbolicTensor | null)[],
) => (SymbolicTensor | null)[];

/** Sums a broadcast gradient back down to the shape of the operand it came from. */
export function reduceToShape(gradient: SymbolicTensor, operand: SymbolicTensor): SymbolicTensor {
  const { axes, leading } = broadcastReductionAxes(operand.shape, gradient.shape);
  if (axes.length === 0) return gradient;
  // Only leading axes (a bias broadcast over rows): one reduction that drops them, no Squeeze node.
  if (axes.length === leading) return reduceSum(gradient, axes, false);
  const summed = reduceSum(gradient, axes, true);
  return leading > 0
    ? squeeze(
        summed,
        Array.from({ length: leading }, (_, index) => index),
      )
    : summed;
}

/** Whether `tensor` is a float tensor of zeros built by `constantOfShape` (or an Expand of a zero scalar). */
function isZeros(tensor: SymbolicTensor): boolean {
  const producer = tensor.producer;
  if (!producer) return false;
  if (producer.op === 'ConstantOfShape') {
    const value = producer.attributes.value;
    return value?.type === 'tensor' && value.value.every((element) => element === 0);
  }
  if (producer.op !== 'Expand') return false;
  const source = producer.inputs[0];
  const entry = source ? tensor.graph.initializers.get(source.name) : undefined;
  return (
    entry !== undefined &&
    Array.from(entry.data as ArrayLike<number | bigint>).every((element) => Number(element) === 0)
  );
}

/**
 * The node of a sparse gradient, a scatter-add of updates into zeros (what the Gather and GatherElements rules
 * produce), or null. `grad` scatters such a gradient straight onto a dense one instead of adding the two, and
 * the LogSoftmax rule reads its row sums from the updates.
 */
export function sparseGradient(tensor: SymbolicTensor): GraphNode | null {
  const producer = tensor.producer;
  if (!producer || (producer.op !== 'ScatterND' && producer.op !== 'ScatterElements')) return null;
  const reduction = producer.attributes.reduction;
  if (reduction?.type !== 'string' || reduction.value !== 'add') return null;
  return isZeros(producer.inputs[0]!) ? producer : null;
}

/**
 * d/dx of log-softmax: g - softmax(x) sum(g). When g is a scatter into zeros along the softmax axis (picking
 * target log-probabilities, as cross-entropy does), sum(g) is the sum of the scattered updates and the result is
 * those updates scattered onto -softmax(x) sum(g): an Exp, a Mul and a scatter, and no [rows, vocabulary] zeros,
 * reduction or subtraction. That is the classic softmax-minus-one-hot backward, reached by the rules.
 */
const logSoftmaxRule: VectorJacobianRule = (node, [g]) => {
  const axis = intAttribute(node, 'axis', -1);
  const probabilities = exp(output(node));
  const sparse = sparseGradient(g!);
  const [, indices, updates] = (sparse?.inputs ?? []) as SymbolicTensor[];
  // Every row must receive updates (indices may be shorter than the data on other axes) for the row sums to fit.
  const everyRow = updates?.shape.every((dim, index) => index === axis || dim === node.outputs[0]!.shape[index]);
  if (sparse?.op === 'ScatterElements' && intAttribute(sparse, 'axis', 0) === axis && everyRow) {
    const total = reduceSum(updates!, [axis], true);
    return [scatterElements(mul(probabilities, neg(total)), indices!, updates!, axis, 'add')];
  }
  return [sub(g!, mul(probabilities, reduceSum(g!, [axis], true)))];
};

function input(node: GraphNode, index: number): SymbolicTensor {
  const tensor = node.inputs[index];
  if (!tensor) throw new Error(`${node.op}: input ${index} is missing`);
  return tensor;
}

function output(node: GraphNode): SymbolicTensor {
  return node.outputs[0]!;
}

function seed(gradients: readonly (SymbolicTensor | null)[]): SymbolicTensor {
  return gradients[0]!;
}

function intAttribute(node: GraphNode, name: string, fallback: number): number {
  const attribute = node.attributes[name];
  return attribute && attribute.type === 'int' ? attribute.value : fallback;
}

function constantValues(tensor: SymbolicTensor): number[] {
  const entry = tensor.graph.initializers.get(tensor.name);
  if (!entry) throw new Error(`${tensor.describe()} must be a constant to be differentiated through`);
  return Array.from(entry.data as ArrayLike<number | bigint>, (value) => Number(value));
}

function zerosLike(tensor: SymbolicTensor): SymbolicTensor {
  return constantOfShape(shapeOf(tensor), tensor.shape, 0, tensor.dataType);
}

function swapLastAxes(tensor: SymbolicTensor): SymbolicTensor {
  const perm = tensor.shape.map((_, index) => index);
  perm[tensor.rank - 1] = tensor.rank - 2;
  perm[tensor.rank - 2] = tensor.rank - 1;
  return transpose(tensor, perm);
}

/** Number of elements along `axes` of `tensor`, as a scalar of its type (a constant when the sizes are known). */
function countAlong(tensor: SymbolicTensor, axes: readonly number[]): SymbolicTensor {
  const dims = axes.map((axis) => tensor.shape[axis]!);
  if (dims.every((dim) => typeof dim === 'number')) {
    return tensor.graph.constant(
      (dims as number[]).reduce((a, b) => a * b, 1),
      tensor.dataType,
    );
  }
  const sizes = gather(shapeOf(tensor), tensor.graph.constant(axes, 'int64'));
  return cast(reduceProd(sizes, [0]), tensor.dataType);
}

function reducedAxes(node: GraphNode): number[] {
  return constantValues(input(node, 1));
}

/** Brings a reduced gradient back to the input's rank so it broadcasts over the reduced axes. */
function keepReducedAxes(node: GraphNode, tensor: SymbolicTensor): SymbolicTensor {
  return intAttribute(node, 'keepdims', 1) === 1 ? tensor : unsqueeze(tensor, reducedAxes(node));
}

const reshapeBack: VectorJacobianRule = (node, gradients) => {
  const x = input(node, 0);
  return [reshape(seed(gradients), shapeOf(x), x.shape), null];
};

/**
 * Gelu (tanh approximation) is y = x s with s = sigmoid(z), z = 2c (x + k x^3), c = sqrt(2 / pi), because
 * 0.5 (1 + tanh(u)) = sigmoid(2u). So dy/dx = s + x s (1 - s) dz/dx = s + y (1 - s) q with q = 2c (1 + 3k x^2):
 * reusing the forward's y and sharing x^2 takes twelve elementwise nodes where the tanh form takes sixteen.
 */
const geluRule: VectorJacobianRule = (node, gradients) => {
  const x = input(node, 0);
  const twoC = 2 * Math.sqrt(2 / Math.PI);
  const k = 0.044715;
  const squared = mul(x, x);
  const s = sigmoid(mul(x, add(mul(squared, twoC * k), twoC)));
  const q = add(mul(squared, 3 * twoC * k), twoC);
  const derivative = add(s, mul(mul(output(node), q), sub(1, s)));
  return [mul(seed(gradients), derivative)];
};

/** Gradients of `a @ b` for operands of rank >= 2, given the output gradient `g`. */
function matmulGradients(a: SymbolicTensor, b: SymbolicTensor, g: SymbolicTensor): [SymbolicTensor, SymbolicTensor] {
  if (a.rank === 2 && b.rank === 2) {
    return [gemm(g, b, null, { transB: true }), gemm(a, g, null, { transA: true })];
  }
  if (b.rank === 2) {
    // Fold the batch axes into rows so both products are single Gemms with transposed operands.
    const rows = reshape(a, [-1, a.shape[a.rank - 1] as number]);
    const flat = reshape(g, [-1, b.shape[1] as number]);
    const gradientA = reshape(gemm(flat, b, null, { transB: true }), shapeOf(a), a.shape);
    return [gradientA, gemm(rows, flat, null, { transA: true })];
  }
  return [reduceToShape(matmul(g, swapLastAxes(b)), a), reduceToShape(matmul(swapLastAxes(a), g), b)];
}

/** A 1-D operand is lifted to a matrix (a row for `a`, a column for `b`), and its gradient squeezed back. */
const matmulRule: VectorJacobianRule = (node, gradients) => {
  const a = input(node, 0);
  const b = input(node, 1);
  let g = seed(gradients);
  if (b.rank === 1) g = unsqueeze(g, [g.rank]);
  if (a.rank === 1) g = unsqueeze(g, [g.rank - 1]);
  const [gradientA, gradientB] = matmulGradients(
    a.rank === 1 ? unsqueeze(a, [0]) : a,
    b.rank === 1 ? unsqueeze(b, [1]) : b,
    g,
  );
  return [a.rank === 1 ? squeeze(gradientA, [0]) : gradientA, b.rank === 1 ? squeeze(gradientB, [1]) : gradientB];
};

const gemmRule: VectorJacobianRule = (node, gradients) => {
  const a = input(node, 0);
  const b = input(node, 1);
  const c = node.inputs[2] ?? null;
  const g = seed(gradients);
  const transA = intAttribute(node, 'transA', 0) === 1;
  const transB = intAttribute(node, 'transB', 0) === 1;
  const alphaAttribute = node.attributes.alpha;
  const betaAttribute = node.attributes.beta;
  const alpha = alphaAttribute?.type === 'float' ? alphaAttribute.value : 1;
  const beta = betaAttribute?.type === 'float' ? betaAttribute.value : 1;
  const gradientA = transA
    ? gemm(b, g, null, { transA: transB, transB: true, alpha })
    : gemm(g, b, null, { transB: !transB, alpha });
  const gradientB = transB
    ? gemm(g, a, null, { transA: true, transB: transA, alpha })
    : gemm(a, g, null, { transA: !transA, alpha });
  const gradientC = c ? reduceToShape(beta === 1 ? g : mul(g, beta), c) : null;
  return [gradientA, gradientB, gradientC];
};

const reduceSumRule: VectorJacobianRule = (node, gradients) => {
  const x = input(node, 0);
  return [expand(keepReducedAxes(node, seed(gradients)), shapeOf(x), x.shape), null];
};

const reduceMeanRule: VectorJacobianRule = (node, gradients) => {
  const x = input(node, 0);
  const spread = expand(keepReducedAxes(node, seed(gradients)), shapeOf(x), x.shape);
  return [div(spread, countAlong(x, reducedAxes(node))), null];
};

const reduceMaxRule: VectorJacobianRule = (node, gradients) => {
  const x = input(node, 0);
  const axes = reducedAxes(node);
  const isMaximum = cast(equal(x, keepReducedAxes(node, output(node))), x.dataType);
  const share = div(isMaximum, reduceSum(isMaximum, axes, true));
  return [mul(share, keepReducedAxes(node, seed(gradients))), null];
};

/** d logsumexp(x) / dx = softmax(x) over the reduced axes: one Softmax node when a single axis is reduced. */
const reduceLogSumExpRule: VectorJacobianRule = (node, gradients) => {
  const x = input(node, 0);
  const axes = reducedAxes(node);
  const probabilities = axes.length === 1 ? softmax(x, axes[0]) : exp(sub(x, keepReducedAxes(node, output(node))));
  return [mul(probabilities, keepReducedAxes(node, seed(gradients))), null];
};

/** One Split of the gradient into the parts' sizes, read at run time where a part's size along `axis` is named. */
const concatRule: VectorJacobianRule = (node, gradients) => {
  const axis = intAttribute(node, 'axis', 0);
  const g = seed(gradients);
  const parts = node.inputs as SymbolicTensor[];
  const sizes = parts.map((part) => part.shape[axis]!);
  const sizeTensor = sizes.every((size) => typeof size === 'number')
    ? g.graph.constant(sizes as number[], 'int64')
    : concat(
        parts.map((part) => dimensionOf(part, axis)),
        0,
      );
  return g.graph.addNode(
    'Split',
    [g, sizeTensor],
    { axis: { type: 'int', value: axis } },
    parts.map((part) => ({ dataType: g.dataType, shape: part.shape })),
  );
};

/** `g` padded with zeros by an int64 [2 * rank] tensor of pads, to the known result `shape`. */
function padTo(g: SymbolicTensor, pads: SymbolicTensor, shape: Shape): SymbolicTensor {
  return g.graph.addNode('Pad', [g, pads], {}, [{ dataType: g.dataType, shape }])[0]!;
}

/**
 * Pads the gradient back to the input's shape. Sizes known when the graph is built give constant pads; a named
 * size gives pads computed at run time from the slice bounds, clamped as Slice clamps them.
 */
const sliceRule: VectorJacobianRule = (node, gradients) => {
  const x = input(node, 0);
  const g = seed(gradients);
  const [starts, ends, axes] = [1, 2, 3].map((index) => constantValues(input(node, index)));
  const sliced = new Map(axes!.map((axis, index) => [axis, [starts![index]!, ends![index]!] as const]));
  if (axes!.every((axis) => typeof x.shape[axis] === 'number')) {
    const before = x.shape.map(() => 0);
    const after = x.shape.map(() => 0);
    for (const [axis, [start, end]] of sliced) {
      const size = x.shape[axis] as number;
      const [from, to] = sliceBounds(size, start, end);
      before[axis] = from;
      after[axis] = size - to;
    }
    return [pad(g, before, after), null, null, null];
  }
  const graph = x.graph;
  const zero = graph.constant([0], 'int64');
  const beforeParts: SymbolicTensor[] = [];
  const afterParts: SymbolicTensor[] = [];
  x.shape.forEach((_, axis) => {
    const bounds = sliced.get(axis);
    if (!bounds) {
      beforeParts.push(zero);
      afterParts.push(zero);
      return;
    }
    const size = dimensionOf(x, axis);
    const clamp = (position: number) =>
      position < 0 ? maximum(add(size, position), 0) : minimum(size, graph.constant([position], 'int64'));
    const from = clamp(bounds[0]);
    beforeParts.push(from);
    afterParts.push(sub(size, maximum(clamp(bounds[1]), from)));
  });
  return [padTo(g, concat([...beforeParts, ...afterParts], 0), x.shape), null, null, null];
};

/** Slices the padding off again; an end written as a negative offset needs no input size. */
const padRule: VectorJacobianRule = (node, gradients) => {
  const x = input(node, 0);
  const pads = constantValues(input(node, 1));
  const g = seed(gradients);
  const starts = pads.slice(0, x.rank);
  const ends = pads.slice(x.rank).map((after) => (after > 0 ? -after : Number.MAX_SAFE_INTEGER));
  const graph = x.graph;
  const axes = x.shape.map((_, index) => index);
  const inputs = [g, graph.constant(starts, 'int64'), graph.constant(ends, 'int64'), graph.constant(axes, 'int64')];
  return [graph.addNode('Slice', inputs, {}, [{ dataType: g.dataType, shape: x.shape }])[0]!, null];
};

/**
 * Scatters rows back; negative indices (Gather counts them from the end) are first brought into
 * [0, size) with a floor modulo.
 */
const gatherRule: VectorJacobianRule = (node, gradients) => {
  const data = input(node, 0);
  const indices = input(node, 1);
  const axis = intAttribute(node, 'axis', 0);
  const g = seed(gradients);
  const wrapped = mod(cast(indices, 'int64'), dimensionOf(data, axis));
  const tuples = unsqueeze(wrapped, [indices.rank]);
  if (axis === 0) return [scatterND(zerosLike(data), tuples, g, 'add'), null];
  // Move the gathered axis to the front, scatter rows there, and move it back.
  const indexAxes = Array.from({ length: indices.rank }, (_, index) => axis + index);
  const outer = Array.from({ length: axis }, (_, index) => index);
  const inner = Array.from({ length: g.rank - axis - indices.rank }, (_, index) => axis + indices.rank + index);
  const frontGradient = transpose(g, [...indexAxes, ...outer, ...inner]);
  const dataPerm = [axis, ...outer, ...inner.map((index) => index - indices.rank + 1)];
  const frontData = transpose(data, dataPerm);
  const scattered = scatterND(zerosLike(frontData), tuples, frontGradient, 'add');
  const inverse = dataPerm.map((_, index) => dataPerm.indexOf(index));
  return [transpose(scattered, inverse), null];
};

const layerNormalizationRule: VectorJacobianRule = (node, gradients) => {
  const x = input(node, 0);
  const scale = input(node, 1);
  const bias = node.inputs[2] ?? null;
  const g = seed(gradients);
  const axis = intAttribute(node, 'axis', -1);
  const epsilon = node.attributes.epsilon?.type === 'float' ? node.attributes.epsilon.value : 1e-5;
  const normalized = x.shape.map((_, index) => index).filter((index) => index >= axis);
  let centred: SymbolicTensor;
  let inverseDeviation: SymbolicTensor;
  if (x.dataType === 'float32' && isStatic(scale.shape)) {
    // The kernel's own 1 / sigma, and c from one more LayerNormalization (one fused pass, same statistics).
    inverseDeviation = node.outputs[2]!;
    const ones = x.graph.constant(new Array<number>(elementCount(scale.shape)).fill(1), 'float32', scale.shape);
    centred = layerNormalization(x, ones, null, { axis, epsilon });
  } else {
    // The kernel's statistics are float32; recompute them at the input's precision.
    const mean = reduceMean(x, normalized, true);
    const deviation = sub(x, mean);
    inverseDeviation = div(1, sqrt(add(reduceMean(mul(deviation, deviation), normalized, true), epsilon)));
    centred = mul(deviation, inverseDeviation);
  }
  const scaled = mul(g, scale);
  const projection = mul(centred, reduceMean(mul(scaled, centred), normalized, true));
  const gradientX = mul(sub(sub(scaled, reduceMean(scaled, normalized, true)), projection), inverseDeviation);
  return [gradientX, reduceToShape(mul(g, centred), scale), bias ? reduceToShape(g, bias) : null];
};

function binaryMask(maskLeft: SymbolicTensor, node: GraphNode, g: SymbolicTensor): (SymbolicTensor | null)[] {
  return [reduceToShape(where(maskLeft, g, 0), input(node, 0)), reduceToShape(where(maskLeft, 0, g), input(node, 1))];
}

/**
 * The one table of vector-Jacobian rules, one row per {@link PrimitiveOp}. `null` marks ops no gradient
 * flows through (integer or boolean results, scatters used only by backward passes); `grad` refuses to
 * differentiate through those when a float path needs them.
 */
export const gradientRules: Record<PrimitiveOp, VectorJacobianRule | null> = {
  MatMul: matmulRule,
  Gemm: gemmRule,
  Add: (node, [g]) => [reduceToShape(g!, input(node, 0)), reduceToShape(g!, input(node, 1))],
  Sub: (node, [g]) => [reduceToShape(g!, input(node, 0)), reduceToShape(neg(g!), input(node, 1))],
  Mul: (node, [g]) => [
    reduceToShape(mul(g!, input(node, 1)), input(node, 0)),
    reduceToShape(mul(g!, input(node, 0)), input(node, 1)),
  ],
  Div: (node, [g]) => [
    reduceToShape(div(g!, input(node, 1)), input(node, 0)),
    reduceToShape(neg(div(mul(g!, output(node)), input(node, 1))), input(node, 1)),
  ],
  Neg: (_, [g]) => [neg(g!)],
  Exp: (node, [g]) => [mul(g!, output(node))],
  Log: (node, [g]) => [div(g!, input(node, 0))],
  Sqrt: (node, [g]) => [div(mul(g!, 0.5), output(node))],
  Pow: (node, [g]) => {
    const exponent = constantValues(input(node, 1))[0]!;
    const x = input(node, 0);
    const derivative = exponent === 2 ? mul(x, 2) : mul(pow(x, exponent - 1), exponent);
    return [mul(g!, derivative), null];
  },
  Tanh: (node, [g]) => [mul(g!, sub(1, mul(output(node), output(node))))],
  Gelu: geluRule,
  Relu: (node, [g]) => [where(greater(input(node, 0), 0), g!, 0)],
  Sigmoid: (node, [g]) => [mul(g!, mul(output(node), sub(1, output(node))))],
  Softmax: (node, [g]) => {
    const y = output(node);
    const axis = intAttribute(node, 'axis', -1);
    return [mul(y, sub(g!, reduceSum(mul(g!, y), [axis], true)))];
  },
  LogSoftmax: logSoftmaxRule,
  ReduceSum: reduceSumRule,
  ReduceMean: reduceMeanRule,
  ReduceMax: reduceMaxRule,
  ReduceLogSumExp: reduceLogSumExpRule,
  Transpose: (node, [g]) => {
    const perm = node.attributes.perm;
    const order = perm?.type === 'ints' ? perm.value : [];
    return [
      transpose(
        g!,
        order.map((_, index) => order.indexOf(index)),
      ),
    ];
  },
  Reshape: reshapeBack,
  Unsqueeze: reshapeBack,
  Squeeze: reshapeBack,
  Concat: concatRule,
  Split: (node, gradients) => {
    const axis = intAttribute(node, 'axis', 0);
    const parts = gradients.map((gradient, index) => gradient ?? zerosLike(node.outputs[index]!));
    return [concat(parts, axis), null];
  },
  Slice: sliceRule,
  Pad: padRule,
  Gather: gatherRule,
  GatherElements: (node, [g]) => {
    const data = input(node, 0);
    const axis = intAttribute(node, 'axis', 0);
    return [scatterElements(zerosLike(data), input(node, 1), g!, axis, 'add'), null];
  },
  Where: (node, [g]) => [
    null,
    reduceToShape(where(input(node, 0), g!, 0), input(node, 1)),
    reduceToShape(where(input(node, 0), 0, g!), input(node, 2)),
  ],
  Clip: (node, [g]) => {
    const x = input(node, 0);
    const inside = and(greaterOrEqual(x, input(node, 1)), lessOrEqual(x, input(node, 2)));
    return [where(inside, g!, 0), null, null];
  },
  Min: (node, [g]) => binaryMask(lessOrEqual(input(node, 0), input(node, 1)), node, g!),
  Max: (node, [g]) => binaryMask(greaterOrEqual(input(node, 0), input(node, 1)), node, g!),
  LayerNormalization: layerNormalizationRule,
  Expand: (node, [g]) => [reduceToShape(g!, input(node, 0)), null],
  Cast: (node, [g]) => {
    const x = input(node, 0);
    return [x.dataType === 'float32' || x.dataType === 'float64' ? cast(g!, x.dataType) : null];
  },
  Identity: (_, [g]) => [g!],
  StopGradient: () => [null],
  ScatterND: null,
  ScatterElements: null,
  Shape: null,
  ConstantOfShape: null,
  Range: null,
  Equal: null,
  Less: null,
  Greater: null,
  LessOrEqual: null,
  GreaterOrEqual: null,
  Not: null,
  And: null,
  Mod: null,
  ReduceProd: null,
  // Each input element feeds every output at or after it: the gradient sums g the other way.
  CumSum: (node, [g]) => {
    const reverse = node.attributes.reverse?.type === 'int' && node.attributes.reverse.value === 1;
    return [cumulativeSum(g!, constantValues(input(node, 1))[0]!, { reverse: !reverse }), null];
  },
};

/** Human-readable reason a gradient cannot flow through `node`, for `grad`'s errors. */
export function missingRuleMessage(node: GraphNode): string {
  const produced = node.outputs.map((tensor) => `${tensor.dataType}${formatShape(tensor.shape)}`).join(', ');
  return `no gradient rule for ${node.op} (producing ${produced})`;
}
