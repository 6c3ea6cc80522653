import { type DataType, isFloatType } from './data-type';
import type { AttributeValue, PrimitiveOp, SymbolicTensor } from './graph';
import { broadcastShapes, type Dim, formatShape, isStatic, normalizeAxis, type Shape } from './shape';

/** A tensor, or a number that becomes a scalar constant of the other operand's type. */
export type TensorLike = SymbolicTensor | number;

function node(
  op: PrimitiveOp,
  inputs: readonly (SymbolicTensor | null)[],
  dataType: DataType,
  shape: Shape,
  attributes: Record<string, AttributeValue> = {},
): SymbolicTensor {
  const first = inputs.find((input) => input !== null);
  if (!first) throw new Error(`${op}: needs at least one tensor input`);
  return first.graph.addNode(op, inputs, attributes, [{ dataType, shape }])[0]!;
}

function liftPair(left: TensorLike, right: TensorLike, op: string): [SymbolicTensor, SymbolicTensor] {
  if (typeof left === 'number' && typeof right === 'number') throw new TypeError(`${op}: at least one tensor needed`);
  const a =
    typeof left === 'number'
      ? (right as SymbolicTensor).graph.constant(left, (right as SymbolicTensor).dataType)
      : left;
  const b = typeof right === 'number' ? a.graph.constant(right, a.dataType) : right;
  if (a.dataType !== b.dataType) {
    throw new TypeError(`${op}: data types differ (${a.describe()} and ${b.describe()})`);
  }
  return [a, b];
}

function requireFloat(x: SymbolicTensor, op: string): void {
  if (!isFloatType(x.dataType)) throw new TypeError(`${op}: needs a float tensor, got ${x.describe()}`);
}

function binary(op: PrimitiveOp, left: TensorLike, right: TensorLike): SymbolicTensor {
  const [a, b] = liftPair(left, right, op);
  return node(op, [a, b], a.dataType, broadcastShapes(a.shape, b.shape, op));
}

function comparison(op: PrimitiveOp, left: TensorLike, right: TensorLike): SymbolicTensor {
  const [a, b] = liftPair(left, right, op);
  return node(op, [a, b], 'bool', broadcastShapes(a.shape, b.shape, op));
}

function unary(op: PrimitiveOp, x: SymbolicTensor, attributes: Record<string, AttributeValue> = {}): SymbolicTensor {
  requireFloat(x, op);
  return node(op, [x], x.dataType, x.shape, attributes);
}

function int64Constant(x: SymbolicTensor, values: readonly number[]): SymbolicTensor {
  return x.graph.constant(values, 'int64');
}

/** Elementwise `a + b` with numpy broadcasting. */
export function add(a: TensorLike, b: TensorLike): SymbolicTensor {
  return binary('Add', a, b);
}

/** Elementwise `a - b` with numpy broadcasting. */
export function sub(a: TensorLike, b: TensorLike): SymbolicTensor {
  return binary('Sub', a, b);
}

/** Elementwise `a * b` with numpy broadcasting. */
export function mul(a: TensorLike, b: TensorLike): SymbolicTensor {
  return binary('Mul', a, b);
}

/** Elementwise `a / b` with numpy broadcasting. */
export function div(a: TensorLike, b: TensorLike): SymbolicTensor {
  return binary('Div', a, b);
}

/** Elementwise minimum with broadcasting (PPO ratio clipping). */
export function minimum(a: TensorLike, b: TensorLike): SymbolicTensor {
  return binary('Min', a, b);
}

/** Elementwise maximum with broadcasting. */
export function maximum(a: TensorLike, b: TensorLike): SymbolicTensor {
  return binary('Max', a, b);
}

/** Integer remainder with broadcasting (sign of the divisor, as in ONNX `Mod` with fmod=0). */
export function mod(a: TensorLike, b: TensorLike): SymbolicTensor {
  return binary('Mod', a, b);
}

/** `a == b`, boolean. */
export function equal(a: TensorLike, b: TensorLike): SymbolicTensor {
  return comparison('Equal', a, b);
}

/** `a < b`, boolean. */
export function less(a: TensorLike, b: TensorLike): SymbolicTensor {
  return comparison('Less', a, b);
}

/** `a > b`, boolean. */
export function greater(a: TensorLike, b: TensorLike): SymbolicTensor {
  return comparison('Greater', a, b);
}

/** `a <= b`, boolean. */
export function lessOrEqual(a: TensorLike, b: TensorLike): SymbolicTensor {
  return comparison('LessOrEqual', a, b);
}

/** `a >= b`, boolean. */
export function greaterOrEqual(a: TensorLike, b: TensorLike): SymbolicTensor {
  return comparison('GreaterOrEqual', a, b);
}

/** Logical and of two boolean tensors, with broadcasting. */
export function and(a: SymbolicTensor, b: SymbolicTensor): SymbolicTensor {
  return node('And', [a, b], 'bool', broadcastShapes(a.shape, b.shape, 'And'));
}

/** Logical not of a boolean tensor. */
export function not(x: SymbolicTensor): SymbolicTensor {
  return node('Not', [x], 'bool', x.shape);
}

/** `-x`. */
export function neg(x: SymbolicTensor): SymbolicTensor {
  return unary('Neg', x);
}

/** `e^x`. */
export function exp(x: SymbolicTensor): SymbolicTensor {
  return unary('Exp', x);
}

/** Natural logarithm. */
export function log(x: SymbolicTensor): SymbolicTensor {
  return unary('Log', x);
}

/** Square root. */
export function sqrt(x: SymbolicTensor): SymbolicTensor {
  return unary('Sqrt', x);
}

/** Hyperbolic tangent. */
export function tanh(x: SymbolicTensor): SymbolicTensor {
  return unary('Tanh', x);
}

/** `max(x, 0)`. */
export function relu(x: SymbolicTensor): SymbolicTensor {
  return unary('Relu', x);
}

/** Logistic sigmoid. */
export function sigmoid(x: SymbolicTensor): SymbolicTensor {
  return unary('Sigmoid', x);
}

/**
 * GELU with the tanh approximation (GPT-2's `gelu_new`): `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.
 * ONNX Runtime's CPU kernel exists for float32 only.
 */
export function gelu(x: SymbolicTensor): SymbolicTensor {
  return unary('Gelu', x, { approximate: { type: 'string', value: 'tanh' } });
}

/** `x ** exponent` for a constant exponent. */
export function pow(x: SymbolicTensor, exponent: number): SymbolicTensor {
  requireFloat(x, 'Pow');
  return node('Pow', [x, x.graph.constant(exponent, x.dataType)], x.dataType, x.shape);
}

/** Softmax along one axis. */
export function softmax(x: SymbolicTensor, axis = -1): SymbolicTensor {
  return unary('Softmax', x, { axis: { type: 'int', value: normalizeAxis(axis, x.rank, 'Softmax') } });
}

/** Log of the softmax along one axis, computed stably. */
export function logSoftmax(x: SymbolicTensor, axis = -1): SymbolicTensor {
  return unary('LogSoftmax', x, { axis: { type: 'int', value: normalizeAxis(axis, x.rank, 'LogSoftmax') } });
}

/**
 * Running sum along one axis (ONNX `CumSum`): `out[..., j, ...] = sum of x[..., i, ...]` over i <= j, or over
 * i >= j with `reverse`. Linear time, where a product with a triangular matrix is quadratic.
 */
export function cumulativeSum(x: SymbolicTensor, axis: number, options: { reverse?: boolean } = {}): SymbolicTensor {
  const resolved = normalizeAxis(axis, x.rank, 'CumSum');
  return node('CumSum', [x, x.graph.constant(resolved, 'int64')], x.dataType, x.shape, {
    reverse: { type: 'int', value: options.reverse ? 1 : 0 },
  });
}

/** Clamps every element to `[min, max]`. */
export function clip(x: SymbolicTensor, min: number, max: number): SymbolicTensor {
  requireFloat(x, 'Clip');
  if (!(min <= max)) throw new RangeError(`Clip: min ${min} exceeds max ${max}`);
  const graph = x.graph;
  return node('Clip', [x, graph.constant(min, x.dataType), graph.constant(max, x.dataType)], x.dataType, x.shape);
}

/** Identity; returns its input as a new value. */
export function identity(x: SymbolicTensor): SymbolicTensor {
  return node('Identity', [x], x.dataType, x.shape);
}

/** Identity for the forward pass; no gradient flows back through it. */
export function stopGradient(x: SymbolicTensor): SymbolicTensor {
  return node('StopGradient', [x], x.dataType, x.shape);
}

function reduce(
  op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceLogSumExp' | 'ReduceProd',
  x: SymbolicTensor,
  axes: readonly number[] | undefined,
  keepDims: boolean,
): SymbolicTensor {
  const resolved = (axes ?? x.shape.map((_, index) => index)).map((axis) => normalizeAxis(axis, x.rank, op));
  const unique = [...new Set(resolved)].sort((a, b) => a - b);
  const shape: Dim[] = [];
  x.shape.forEach((dim, index) => {
    if (!unique.includes(index)) shape.push(dim);
    else if (keepDims) shape.push(1);
  });
  return node(op, [x, int64Constant(x, unique)], x.dataType, shape, {
    keepdims: { type: 'int', value: keepDims ? 1 : 0 },
  });
}

/** Sum over `axes` (all axes when omitted). */
export function reduceSum(x: SymbolicTensor, axes?: readonly number[], keepDims = false): SymbolicTensor {
  return reduce('ReduceSum', x, axes, keepDims);
}

/** Mean over `axes` (all axes when omitted). */
export function reduceMean(x: SymbolicTensor, axes?: readonly number[], keepDims = false): SymbolicTensor {
  return reduce('ReduceMean', x, axes, keepDims);
}

/** Maximum over `axes` (all axes when omitted); ties share the gradient equally. */
export function reduceMax(x: SymbolicTensor, axes?: readonly number[], keepDims = false): SymbolicTensor {
  return reduce('ReduceMax', x, axes, keepDims);
}

/**
 * `log(sum(exp(x)))` over `axes` (all axes when omitted), computed stably (ONNX Runtime subtracts the maximum
 * first). Its gradient is the softmax over `axes`, which is what makes {@link softmaxCrossEntropy}'s backward a
 * softmax minus a one-hot.
 */
export function reduceLogSumExp(x: SymbolicTensor, axes?: readonly number[], keepDims = false): SymbolicTensor {
  requireFloat(x, 'ReduceLogSumExp');
  return reduce('ReduceLogSumExp', x, axes, keepDims);
}

/** Product over `axes`; used on integer shape tensors, not differentiated. */
export function reduceProd(x: SymbolicTensor, axes?: readonly number[], keepDims = false): SymbolicTensor {
  return reduce('ReduceProd', x, axes, keepDims);
}

/** Permutes axes (reverses them when `perm` is omitted). */
export function transpose(x: SymbolicTensor, perm?: readonly number[]): SymbolicTensor {
  const order = perm ?? x.shape.map((_, index) => x.rank - 1 - index);
  if (order.length !== x.rank || [...order].sort((a, b) => a - b).some((axis, index) => axis !== index)) {
    throw new RangeError(`Transpose: [${order.join(', ')}] is not a permutation of the axes of ${x.describe()}`);
  }
  return node(
    'Transpose',
    [x],
    x.dataType,
    order.map((axis) => x.shape[axis]!),
    { perm: { type: 'ints', value: order } },
  );
}

function symbolicProduct(dims: readonly Dim[]): Dim {
  let size = 1;
  const names: string[] = [];
  for (const dim of dims) {
    if (typeof dim === 'number') size *= dim;
    else names.push(dim);
  }
  if (names.length === 0) return size;
  return size === 1 ? names.join('*') : `${names.join('*')}*${size}`;
}

/**
 * Reshapes with ONNX semantics: a 0 copies the input's dimension, one -1 takes what is left. Pass a shape
 * tensor (int64, 1-D) and the resulting shape instead to reshape to a size known only at run time.
 */
export function reshape(
  x: SymbolicTensor,
  target: readonly number[] | SymbolicTensor,
  resultShape?: Shape,
): SymbolicTensor {
  if (!Array.isArray(target)) {
    const shapeTensor = target as SymbolicTensor;
    if (!resultShape) throw new Error('Reshape: a shape tensor needs the resulting shape');
    return node('Reshape', [x, shapeTensor], x.dataType, resultShape);
  }
  const dims = target as readonly number[];
  const shape: Dim[] = dims.map((dim, index) => {
    if (dim === 0) {
      const copied = x.shape[index];
      if (copied === undefined)
        throw new RangeError(`Reshape: 0 at position ${index} but ${x.describe()} has no such axis`);
      return copied;
    }
    return dim;
  });
  const inferred = shape.indexOf(-1);
  if (shape.lastIndexOf(-1) !== inferred) throw new RangeError('Reshape: more than one -1 in the target shape');
  if (inferred >= 0) {
    const known = shape.filter((_, index) => index !== inferred);
    const total = symbolicProduct(x.shape);
    const rest = symbolicProduct(known);
    if (typeof total === 'number' && typeof rest === 'number') {
      if (total % rest !== 0) throw new RangeError(`Reshape: ${x.describe()} cannot take shape [${dims.join(', ')}]`);
      shape[inferred] = total / rest;
    } else if (typeof total === 'string' && typeof rest === 'number') {
      const numeric = x.shape.filter((dim): dim is number => typeof dim === 'number').reduce((a, b) => a * b, 1);
      const names = x.shape.filter((dim): dim is string => typeof dim === 'string');
      shape[inferred] = numeric % rest === 0 ? symbolicProduct([...names, numeric / rest]) : `${total}/${rest}`;
    } else {
      shape[inferred] = `(${total})/(${rest})`;
    }
  }
  if (isStatic(x.shape) && isStatic(shape)) {
    const before = (x.shape as number[]).reduce((a, b) => a * b, 1);
    const after = (shape as number[]).reduce((a, b) => a * b, 1);
    if (before !== after) throw new RangeError(`Reshape: ${x.describe()} cannot take shape ${formatShape(shape)}`);
  }
  return node('Reshape', [x, int64Constant(x, dims)], x.dataType, shape);
}

/** Inserts size-1 axes at `axes` (positions in the result). */
export function unsqueeze(x: SymbolicTensor, axes: readonly number[]): SymbolicTensor {
  const rank = x.rank + axes.length;
  const resolved = axes.map((axis) => normalizeAxis(axis, rank, 'Unsqueeze')).sort((a, b) => a - b);
  const shape: Dim[] = [];
  let source = 0;
  for (let index = 0; index < rank; index++) shape.push(resolved.includes(index) ? 1 : x.shape[source++]!);
  return node('Unsqueeze', [x, int64Constant(x, resolved)], x.dataType, shape);
}

/** Removes the size-1 axes `axes`. */
export function squeeze(x: SymbolicTensor, axes: readonly number[]): SymbolicTensor {
  const resolved = axes.map((axis) => normalizeAxis(axis, x.rank, 'Squeeze'));
  for (const axis of resolved) {
    if (x.shape[axis] !== 1) throw new RangeError(`Squeeze: axis ${axis} of ${x.describe()} is not 1`);
  }
  return node(
    'Squeeze',
    [
      x,
      int64Constant(
        x,
        [...resolved].sort((a, b) => a - b),
      ),
    ],
    x.dataType,
    x.shape.filter((_, index) => !resolved.includes(index)),
  );
}

/** Joins tensors along `axis`; all other dimensions must agree. */
export function concat(tensors: readonly SymbolicTensor[], axis: number): SymbolicTensor {
  const first = tensors[0];
  if (!first) throw new Error('Concat: needs at least one tensor');
  const resolved = normalizeAxis(axis, first.rank, 'Concat');
  const parts: Dim[] = [];
  for (const tensor of tensors) {
    if (tensor.rank !== first.rank || tensor.dataType !== first.dataType) {
      throw new TypeError(`Concat: ${tensor.describe()} does not match ${first.describe()}`);
    }
    parts.push(tensor.shape[resolved]!);
  }
  const shape = [...first.shape];
  shape[resolved] = parts.every((dim) => typeof dim === 'number')
    ? (parts as number[]).reduce((a, b) => a + b, 0)
    : parts.join('+');
  return node('Concat', tensors, first.dataType, shape, { axis: { type: 'int', value: resolved } });
}

/** Cuts `x` along `axis` into consecutive parts of the given sizes. */
export function split(x: SymbolicTensor, sizes: readonly number[], axis: number): SymbolicTensor[] {
  const resolved = normalizeAxis(axis, x.rank, 'Split');
  const total = x.shape[resolved]!;
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (typeof total === 'number' && total !== sum) {
    throw new RangeError(`Split: sizes [${sizes.join(', ')}] do not add up to axis ${resolved} of ${x.describe()}`);
  }
  return x.graph.addNode(
    'Split',
    [x, x.graph.constant(sizes, 'int64')],
    { axis: { type: 'int', value: resolved } },
    sizes.map((size) => ({
      dataType: x.dataType,
      shape: x.shape.map((dim, index) => (index === resolved ? size : dim)),
    })),
  );
}

/** The dimension a slice `[start, end)` with step 1 keeps of a dimension of size `size`. */
export function sliceBounds(size: number, start: number, end: number): [number, number] {
  const clamp = (value: number) => Math.min(Math.max(value < 0 ? value + size : value, 0), size);
  const from = clamp(start);
  return [from, Math.max(clamp(end), from)];
}

/** Takes `[starts[i], ends[i])` along `axes[i]` (step 1; negative positions count from the end). */
export function slice(
  x: SymbolicTensor,
  starts: readonly number[],
  ends: readonly number[],
  axes?: readonly number[],
): SymbolicTensor {
  const resolvedAxes = (axes ?? starts.map((_, index) => index)).map((axis) => normalizeAxis(axis, x.rank, 'Slice'));
  if (starts.length !== ends.length || starts.length !== resolvedAxes.length) {
    throw new RangeError('Slice: starts, ends and axes must have the same length');
  }
  const shape = [...x.shape];
  resolvedAxes.forEach((axis, index) => {
    const dim = x.shape[axis]!;
    if (typeof dim === 'number') {
      const [from, to] = sliceBounds(dim, starts[index]!, ends[index]!);
      shape[axis] = to - from;
    } else if (starts[index]! >= 0 && ends[index]! >= 0 && ends[index]! < 2 ** 31) {
      shape[axis] = Math.max(ends[index]! - starts[index]!, 0);
    } else {
      shape[axis] = `${dim}[${starts[index]}:${ends[index]}]`;
    }
  });
  const graph = x.graph;
  return node(
    'Slice',
    [x, graph.constant(starts, 'int64'), graph.constant(ends, 'int64'), graph.constant(resolvedAxes, 'int64')],
    x.dataType,
    shape,
  );
}

/** Pads with zeros: `before[i]` and `after[i]` elements on each side of axis `i` (all axes listed). */
export function pad(x: SymbolicTensor, before: readonly number[], after: readonly number[]): SymbolicTensor {
  if (before.length !== x.rank || after.length !== x.rank) throw new RangeError(`Pad: needs ${x.rank} pads per side`);
  const shape = x.shape.map((dim, index) =>
    before[index] === 0 && after[index] === 0
      ? dim
      : typeof dim === 'number'
        ? dim + before[index]! + after[index]!
        : `${dim}+${before[index]! + after[index]!}`,
  );
  return node('Pad', [x, x.graph.constant([...before, ...after], 'int64')], x.dataType, shape);
}

/** Picks slices of `data` along `axis` by integer `indices` (embedding lookup with axis 0). */
export function gather(data: SymbolicTensor, indices: SymbolicTensor, axis = 0): SymbolicTensor {
  const resolved = normalizeAxis(axis, data.rank, 'Gather');
  if (indices.dataType !== 'int64' && indices.dataType !== 'int32') {
    throw new TypeError(`Gather: indices must be integers, got ${indices.describe()}`);
  }
  const shape = [...data.shape.slice(0, resolved), ...indices.shape, ...data.shape.slice(resolved + 1)];
  return node('Gather', [data, indices], data.dataType, shape, { axis: { type: 'int', value: resolved } });
}

/** `out[i][j] = data[i][indices[i][j]]` along `axis` (picking token log-probabilities). */
export function gatherElements(data: SymbolicTensor, indices: SymbolicTensor, axis: number): SymbolicTensor {
  const resolved = normalizeAxis(axis, data.rank, 'GatherElements');
  if (indices.rank !== data.rank) {
    throw new RangeError(`GatherElements: ${indices.describe()} must have the rank of ${data.describe()}`);
  }
  return node('GatherElements', [data, indices], data.dataType, indices.shape, {
    axis: { type: 'int', value: resolved },
  });
}

/** Adds (or writes) `updates` into a copy of `data` at the index tuples in `indices` (last axis = tuple). */
export function scatterND(
  data: SymbolicTensor,
  indices: SymbolicTensor,
  updates: SymbolicTensor,
  reduction: 'none' | 'add' = 'add',
): SymbolicTensor {
  return node('ScatterND', [data, indices, updates], data.dataType, data.shape, {
    reduction: { type: 'string', value: reduction },
  });
}

/** The inverse of {@link gatherElements}: adds (or writes) `updates` into a copy of `data` along `axis`. */
export function scatterElements(
  data: SymbolicTensor,
  indices: SymbolicTensor,
  updates: SymbolicTensor,
  axis: number,
  reduction: 'none' | 'add' = 'add',
): SymbolicTensor {
  return node('ScatterElements', [data, indices, updates], data.dataType, data.shape, {
    axis: { type: 'int', value: normalizeAxis(axis, data.rank, 'ScatterElements') },
    reduction: { type: 'string', value: reduction },
  });
}

/** `condition ? a : b` elementwise, with broadcasting over all three. */
export function where(condition: SymbolicTensor, a: TensorLike, b: TensorLike): SymbolicTensor {
  if (condition.dataType !== 'bool') throw new TypeError(`Where: condition must be bool, got ${condition.describe()}`);
  const [left, right] = liftPair(a, b, 'Where');
  const shape = broadcastShapes(condition.shape, broadcastShapes(left.shape, right.shape, 'Where'), 'Where');
  return node('Where', [condition, left, right], left.dataType, shape);
}

/** Converts the element type; gradients flow only between float types. */
export function cast(x: SymbolicTensor, dataType: DataType): SymbolicTensor {
  const codes: Record<DataType, number> = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 };
  return node('Cast', [x], dataType, x.shape, { to: { type: 'int', value: codes[dataType] } });
}

/** The run-time shape of `x` as an int64 vector; a constant when every dimension is known. */
export function shapeOf(x: SymbolicTensor): SymbolicTensor {
  if (isStatic(x.shape)) return x.graph.constant(x.shape, 'int64');
  return node('Shape', [x], 'int64', [x.rank]);
}

/** One run-time dimension of `x` as an int64 vector of length 1. */
export function dimensionOf(x: SymbolicTensor, axis: number): SymbolicTensor {
  const resolved = normalizeAxis(axis, x.rank, 'dimensionOf');
  const dim = x.shape[resolved]!;
  if (typeof dim === 'number') return x.graph.constant([dim], 'int64');
  return node('Shape', [x], 'int64', [1], {
    start: { type: 'int', value: resolved },
    end: { type: 'int', value: resolved + 1 },
  });
}

/** A tensor of `resultShape` (given at run time by the int64 vector `shape`) filled with `value`. */
export function constantOfShape(
  shape: SymbolicTensor,
  resultShape: Shape,
  value: number,
  dataType: DataType,
): SymbolicTensor {
  const graph = shape.graph;
  if (isStatic(resultShape) && dataType !== 'int64') {
    return expand(graph.constant(value, dataType), resultShape);
  }
  return node('ConstantOfShape', [shape], dataType, resultShape, {
    value: { type: 'tensor', dataType, value: [value] },
  });
}

/** `[start, start + delta, ...)` below `limit`, from int64 scalars; `resultShape` names its length. */
export function range(
  start: SymbolicTensor,
  limit: SymbolicTensor,
  delta: SymbolicTensor,
  resultShape: Shape,
): SymbolicTensor {
  return node('Range', [start, limit, delta], start.dataType, resultShape);
}

/** Broadcasts `x` to `shape` (a static shape, or an int64 shape tensor with the resulting shape). */
export function expand(x: SymbolicTensor, shape: Shape | SymbolicTensor, resultShape?: Shape): SymbolicTensor {
  if (!Array.isArray(shape)) {
    return node(
      'Expand',
      [x, shape as SymbolicTensor],
      x.dataType,
      broadcastShapes(x.shape, resultShape ?? [], 'Expand'),
    );
  }
  const target = shape as Shape;
  const result = broadcastShapes(x.shape, target, 'Expand');
  const tensor = isStatic(target) ? x.graph.constant(target, 'int64') : undefined;
  if (!tensor) throw new Error('Expand: a shape with named dimensions must be passed as a shape tensor');
  return node('Expand', [x, tensor], x.dataType, result);
}

/** Options of {@link matmul}'s two-dimensional sibling {@link gemm}. */
export interface GemmOptions {
  /** Use `a` transposed. */
  transA?: boolean;
  /** Use `b` transposed. */
  transB?: boolean;
  /** Scale of the product. */
  alpha?: number;
  /** Scale of `c`. */
  beta?: number;
}

/**
 * Matrix product with numpy semantics: batch axes broadcast; a 1-D `a` is a row vector and a 1-D `b` a column
 * vector, and the axis they add is dropped from the result (so two vectors give their dot product, a scalar).
 */
export function matmul(a: SymbolicTensor, b: SymbolicTensor): SymbolicTensor {
  requireFloat(a, 'MatMul');
  if (a.rank < 1 || b.rank < 1) {
    throw new RangeError(`MatMul: needs rank >= 1, got ${a.describe()} and ${b.describe()}`);
  }
  if (a.dataType !== b.dataType) throw new TypeError(`MatMul: ${a.describe()} and ${b.describe()} differ in type`);
  const left = a.rank === 1 ? [1, a.shape[0]!] : a.shape;
  const right = b.rank === 1 ? [b.shape[0]!, 1] : b.shape;
  const inner = [left[left.length - 1]!, right[right.length - 2]!];
  if (typeof inner[0] === 'number' && typeof inner[1] === 'number' && inner[0] !== inner[1]) {
    throw new RangeError(`MatMul: inner dimensions of ${a.describe()} and ${b.describe()} differ`);
  }
  const batch = broadcastShapes(left.slice(0, -2), right.slice(0, -2), 'MatMul');
  const shape = [...batch];
  if (a.rank > 1) shape.push(left[left.length - 2]!);
  if (b.rank > 1) shape.push(right[right.length - 1]!);
  return node('MatMul', [a, b], a.dataType, shape);
}

/** `alpha * op(a) op(b) + beta * c` for 2-D `a`, `b`; `c` broadcasts to the result. */
export function gemm(
  a: SymbolicTensor,
  b: SymbolicTensor,
  c?: SymbolicTensor | null,
  options: GemmOptions = {},
): SymbolicTensor {
  requireFloat(a, 'Gemm');
  if (a.rank !== 2 || b.rank !== 2)
    throw new RangeError(`Gemm: needs 2-D operands, got ${a.describe()} and ${b.describe()}`);
  const [m, k] = options.transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [kb, n] = options.transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (typeof k === 'number' && typeof kb === 'number' && k !== kb) {
    throw new RangeError(`Gemm: inner dimensions of ${a.describe()} and ${b.describe()} differ`);
  }
  const shape = [m, n];
  if (c) broadcastShapes(shape, c.shape, 'Gemm');
  const attributes: Record<string, AttributeValue> = {};
  if (options.transA) attributes.transA = { type: 'int', value: 1 };
  if (options.transB) attributes.transB = { type: 'int', value: 1 };
  if (options.alpha !== undefined && options.alpha !== 1) attributes.alpha = { type: 'float', value: options.alpha };
  if (options.beta !== undefined && options.beta !== 1) attributes.beta = { type: 'float', value: options.beta };
  return node('Gemm', c ? [a, b, c] : [a, b], a.dataType, shape, attributes);
}

/** Options of {@link layerNormalization}. */
export interface LayerNormalizationOptions {
  /** First normalised axis; all axes from it to the last are normalised. */
  axis?: number;
  /** Added to the variance. */
  epsilon?: number;
}

/** Layer normalisation `(x - mean) / sqrt(var + epsilon) * scale + bias` over the trailing axes. */
export function layerNormalization(
  x: SymbolicTensor,
  scale: SymbolicTensor,
  bias: SymbolicTensor | null,
  options: LayerNormalizationOptions = {},
): SymbolicTensor {
  requireFloat(x, 'LayerNormalization');
  const axis = normalizeAxis(options.axis ?? -1, x.rank, 'LayerNormalization');
  const statisticsShape = x.shape.map((dim, index) => (index < axis ? dim : 1));
  const outputs = x.graph.addNode(
    'LayerNormalization',
    bias ? [x, scale, bias] : [x, scale],
    {
      axis: { type: 'int', value: axis },
      epsilon: { type: 'float', value: options.epsilon ?? 1e-5 },
    },
    [
      { dataType: x.dataType, shape: x.shape },
      // ONNX Runtime computes the statistics in float32 for every input type.
      { dataType: 'float32', shape: statisticsShape },
      { dataType: 'float32', shape: statisticsShape },
    ],
  );
  return outputs[0]!;
}
