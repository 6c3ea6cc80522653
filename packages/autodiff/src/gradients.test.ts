import { describe, expect, it } from 'vitest';
import { expectGradientsMatchFiniteDifferences, randomArray, seededRandom } from '../test/finite-differences';
import type { DataType } from './data-type';
import { grad, trainingGraph } from './grad';
import { gradientRules } from './gradients';
import { Graph, type PrimitiveOp, type SymbolicTensor } from './graph';
import * as op from './ops';
import { reachableNodes } from './serialize';
import { compileGraph } from './session';

type ValueRange = 'any' | 'positive' | 'awayFromZero';

interface CaseContext {
  graph: Graph;
  random: () => number;
  /** A differentiated input of this shape with random values. */
  param(shape: number[], range?: ValueRange): SymbolicTensor;
  /** A random size in [low, high]. */
  size(low: number, high: number): number;
  /** A random subset of a shape's dims set to 1, and possibly some leading dims dropped. */
  broadcastOf(shape: number[]): number[];
}

interface GradientCase {
  op: PrimitiveOp;
  label: string;
  /** float64 unless ONNX Runtime lacks a float64 kernel. */
  dataType?: DataType;
  build(context: CaseContext): SymbolicTensor;
}

const cases: GradientCase[] = [
  { op: 'MatMul', label: '2-D', build: (c) => op.matmul(c.param([c.size(1, 3), 3]), c.param([3, c.size(1, 3)])) },
  {
    op: 'MatMul',
    label: 'batched by 2-D',
    build: (c) => op.matmul(c.param([2, c.size(1, 3), 3]), c.param([3, 2])),
  },
  { op: 'MatMul', label: 'vector by matrix', build: (c) => op.matmul(c.param([3]), c.param([3, c.size(1, 3)])) },
  {
    op: 'MatMul',
    label: 'batched matrix by vector',
    build: (c) => op.matmul(c.param([2, c.size(1, 3), 3]), c.param([3])),
  },
  { op: 'MatMul', label: 'dot product of vectors', build: (c) => op.matmul(c.param([4]), c.param([4])) },
  {
    op: 'MatMul',
    label: 'batched with broadcast batch',
    build: (c) => op.matmul(c.param([2, 2, 3]), c.param([1, 3, c.size(1, 3)])),
  },
  {
    op: 'Gemm',
    label: 'random transposes, broadcast bias',
    build: (c) => {
      const transA = c.random() < 0.5;
      const transB = c.random() < 0.5;
      const a = c.param(transA ? [3, 2] : [2, 3]);
      const b = c.param(transB ? [4, 3] : [3, 4]);
      return op.gemm(a, b, c.param([4]), { transA, transB, alpha: 0.7, beta: 1.3 });
    },
  },
  ...(['Add', 'Sub', 'Mul', 'Div', 'Min', 'Max'] as const).map(
    (name): GradientCase => ({
      op: name,
      label: 'broadcast',
      build: (c) => {
        const shape = [c.size(1, 3), c.size(2, 3), 2];
        const functions = { Add: op.add, Sub: op.sub, Mul: op.mul, Div: op.div, Min: op.minimum, Max: op.maximum };
        const right = c.param(c.broadcastOf(shape), name === 'Div' ? 'positive' : 'any');
        return functions[name](c.param(shape), right);
      },
    }),
  ),
  { op: 'Neg', label: 'unary', build: (c) => op.neg(c.param([2, 3])) },
  { op: 'Exp', label: 'unary', build: (c) => op.exp(c.param([2, 3])) },
  { op: 'Log', label: 'positive', build: (c) => op.log(c.param([2, 3], 'positive')) },
  { op: 'Sqrt', label: 'positive', build: (c) => op.sqrt(c.param([2, 3], 'positive')) },
  { op: 'Pow', label: 'cube', build: (c) => op.pow(c.param([2, 3]), 3) },
  { op: 'Pow', label: 'fractional', build: (c) => op.pow(c.param([2, 3], 'positive'), 1.5) },
  { op: 'Tanh', label: 'unary', build: (c) => op.tanh(c.param([2, 3])) },
  // ONNX Runtime's Gelu kernel is float32 only.
  { op: 'Gelu', label: 'float32', dataType: 'float32', build: (c) => op.gelu(c.param([2, 4])) },
  { op: 'Relu', label: 'away from the kink', build: (c) => op.relu(c.param([2, 4], 'awayFromZero')) },
  { op: 'Sigmoid', label: 'unary', build: (c) => op.sigmoid(c.param([2, 3])) },
  { op: 'CumSum', label: 'random axis', build: (c) => op.cumulativeSum(c.param([2, 3, 4]), c.size(0, 2)) },
  {
    op: 'CumSum',
    label: 'reverse',
    build: (c) => op.cumulativeSum(c.param([3, 4]), -1, { reverse: true }),
  },
  { op: 'Softmax', label: 'random axis', build: (c) => op.softmax(c.param([2, 3, 2]), c.size(0, 2)) },
  { op: 'LogSoftmax', label: 'random axis', build: (c) => op.logSoftmax(c.param([2, 3, 2]), c.size(0, 2)) },
  {
    op: 'LogSoftmax',
    label: 'picked by GatherElements with repeats (sparse backward)',
    build: (c) =>
      op.gatherElements(op.logSoftmax(c.param([3, 4]), 1), c.graph.constant([1, 3, 3, 3, 0, 2], 'int64', [3, 2]), 1),
  },
  {
    op: 'LogSoftmax',
    label: 'picked for the first rows only (dense backward)',
    build: (c) => op.gatherElements(op.logSoftmax(c.param([3, 4]), 1), c.graph.constant([2, 0], 'int64', [2, 1]), 1),
  },
  ...(['ReduceSum', 'ReduceMean', 'ReduceMax'] as const).flatMap((name) =>
    [true, false].map(
      (keepDims): GradientCase => ({
        op: name,
        label: keepDims ? 'keep dims' : 'drop dims',
        build: (c) => {
          const functions = { ReduceSum: op.reduceSum, ReduceMean: op.reduceMean, ReduceMax: op.reduceMax };
          const axes = [0, 1, 2].filter(() => c.random() < 0.5);
          return functions[name](c.param([2, 3, 2]), axes.length > 0 ? axes : [1], keepDims);
        },
      }),
    ),
  ),
  ...[true, false].map(
    (keepDims): GradientCase => ({
      op: 'ReduceLogSumExp',
      label: keepDims ? 'one axis, keep dims' : 'two axes, drop dims',
      build: (c) => op.reduceLogSumExp(c.param([2, 3, 2]), keepDims ? [c.size(0, 2)] : [0, 2], keepDims),
    }),
  ),
  {
    op: 'Transpose',
    label: 'random permutation',
    build: (c) => {
      const perm = [0, 1, 2].sort(() => c.random() - 0.5);
      return op.transpose(c.param([2, 3, 4]), perm);
    },
  },
  { op: 'Reshape', label: 'with -1', build: (c) => op.reshape(c.param([2, 3, 2]), [3, -1]) },
  { op: 'Unsqueeze', label: 'two axes', build: (c) => op.unsqueeze(c.param([2, 3]), [0, 2]) },
  { op: 'Squeeze', label: 'one axis', build: (c) => op.squeeze(c.param([2, 1, 3]), [1]) },
  {
    op: 'Concat',
    label: 'three parts',
    build: (c) => op.concat([c.param([2, 1, 2]), c.param([2, 3, 2]), c.param([2, 2, 2])], 1),
  },
  {
    op: 'Split',
    label: 'one part unused',
    build: (c) => {
      const [first, , third] = op.split(c.param([2, 6]), [1, 2, 3], 1);
      return op.concat([op.exp(third!), first!], 1);
    },
  },
  { op: 'Slice', label: 'negative bounds', build: (c) => op.slice(c.param([3, 5]), [1, -4], [3, -1], [0, 1]) },
  { op: 'Pad', label: 'both sides', build: (c) => op.pad(c.param([2, 3]), [1, 0], [0, 2]) },
  {
    op: 'Gather',
    label: 'embedding rows with repeats',
    build: (c) => op.gather(c.param([4, 3]), c.graph.constant([1, 3, 1, 0, 1, 2], 'int64', [2, 3])),
  },
  {
    op: 'Gather',
    label: 'negative indices counted from the end',
    build: (c) => op.gather(c.param([4, 3]), c.graph.constant([-1, 0, -4, 3, -1], 'int64', [5])),
  },
  {
    op: 'Gather',
    label: 'middle axis',
    build: (c) => op.gather(c.param([2, 4, 3]), c.graph.constant([3, 0, 3], 'int64', [3]), 1),
  },
  {
    op: 'GatherElements',
    label: 'token log-probabilities',
    build: (c) => op.gatherElements(c.param([3, 4]), c.graph.constant([1, 3, 3, 3, 0, 2], 'int64', [3, 2]), 1),
  },
  {
    op: 'Where',
    label: 'broadcast condition and operands',
    build: (c) => {
      const condition = op.greater(c.graph.constant([0.2, 0.9, 0.4], 'float64', [3]), 0.5);
      return op.where(condition, c.param([2, 3]), c.param([1, 3]));
    },
  },
  { op: 'Clip', label: 'inside and outside', build: (c) => op.clip(c.param([3, 4], 'awayFromZero'), -0.5, 0.5) },
  {
    op: 'LayerNormalization',
    label: 'last axis with bias',
    build: (c) => op.layerNormalization(c.param([3, 4]), c.param([4]), c.param([4])),
  },
  {
    op: 'LayerNormalization',
    label: 'last two axes, no bias',
    build: (c) => op.layerNormalization(c.param([2, 2, 3]), c.param([2, 3]), null, { axis: 1 }),
  },
  {
    op: 'LayerNormalization',
    label: "float32, the kernel's own statistics",
    dataType: 'float32',
    build: (c) => op.layerNormalization(c.param([3, 5]), c.param([5]), c.param([5])),
  },
  { op: 'Expand', label: 'to a larger shape', build: (c) => op.expand(c.param([3, 1]), [2, 3, 4]) },
  {
    op: 'Cast',
    label: 'float32 to float64',
    dataType: 'float32',
    build: (c) => op.cast(c.param([2, 3]), 'float64'),
  },
  { op: 'Identity', label: 'pass-through', build: (c) => op.identity(c.param([2, 3])) },
];

interface Prepared {
  values: Map<string, Float32Array | Float64Array>;
  run(): Promise<{ loss: number; gradients: Map<string, ArrayLike<number>> }>;
}

async function prepare(testCase: GradientCase, seed: number): Promise<Prepared> {
  const random = seededRandom(seed);
  const dataType = testCase.dataType ?? 'float64';
  const graph = new Graph(`${testCase.op} ${testCase.label}`);
  const values = new Map<string, Float32Array | Float64Array>();
  const context: CaseContext = {
    graph,
    random,
    param(shape, range = 'any') {
      const tensor = graph.parameter(`p${values.size}`, shape, dataType);
      const count = shape.reduce((a, b) => a * b, 1);
      const data = dataType === 'float32' ? new Float32Array(count) : new Float64Array(count);
      for (let index = 0; index < count; index++) {
        const magnitude = 0.2 + 1.3 * random();
        const sign = random() < 0.5 ? -1 : 1;
        data[index] = range === 'positive' ? magnitude : range === 'awayFromZero' ? sign * magnitude : 4 * random() - 2;
      }
      values.set(tensor.name, data);
      return tensor;
    },
    size: (low, high) => low + Math.floor(random() * (high - low + 1)),
    broadcastOf(shape) {
      const dropped = Math.floor(random() * shape.length);
      return shape.slice(dropped).map((dim) => (random() < 0.4 ? 1 : dim));
    },
  };
  const result = testCase.build(context);
  // A random projection makes every output element matter differently to the scalar loss.
  const count = result.shape.reduce<number>((a, b) => a * (b as number), 1);
  const projection = Array.from({ length: count }, () => 2 * random() - 1);
  const weights = graph.constant(projection, result.dataType, result.shape as number[]);
  const loss = op.reduceSum(op.mul(result, weights));
  trainingGraph(loss);
  const compiled = await compileGraph(graph);
  return {
    values,
    async run() {
      const outputs = await compiled.run(Object.fromEntries(values));
      const gradients = new Map<string, ArrayLike<number>>();
      for (const name of values.keys()) gradients.set(name, outputs[`grad.${name}`]!.data as ArrayLike<number>);
      return { loss: Number(outputs.loss!.data[0]), gradients };
    },
  };
}

describe('gradient table against central finite differences', () => {
  it('has a finite-difference case for every differentiable primitive', () => {
    const covered = new Set(cases.map((testCase) => testCase.op));
    const differentiable = Object.entries(gradientRules)
      .filter(([name, rule]) => rule !== null && name !== 'StopGradient')
      .map(([name]) => name);
    expect(differentiable.filter((name) => !covered.has(name as PrimitiveOp))).toEqual([]);
  });

  it.each(cases.map((testCase, index) => [`${testCase.op} (${testCase.label})`, testCase, index] as const))(
    '%s',
    async (_, testCase, index) => {
      const float32 = testCase.dataType === 'float32';
      // float64: truncation (eps^2 ~ 1e-12) and rounding (1e-16 / eps ~ 1e-10) errors are far below 1e-6.
      // float32: rounding error ~ 1e-7 / eps = 1e-5 and truncation ~ eps^2 = 1e-4 relative, so 2e-3 is safe.
      const epsilon = float32 ? 1e-2 : 1e-6;
      const tolerance = float32 ? 2e-3 : 1e-6;
      const prepared = await prepare(testCase, 1000 + index);
      const analytic = await prepared.run();
      for (const [name, data] of prepared.values) {
        const gradient = analytic.gradients.get(name)!;
        expect(gradient.length).toBe(data.length);
        for (let element = 0; element < data.length; element++) {
          const original = data[element]!;
          data[element] = original + epsilon;
          const plus = (await prepared.run()).loss;
          data[element] = original - epsilon;
          const minus = (await prepared.run()).loss;
          data[element] = original;
          const numeric = (plus - minus) / (2 * epsilon);
          expect(Math.abs(gradient[element]! - numeric), `${name}[${element}]`).toBeLessThanOrEqual(
            tolerance * (1 + Math.abs(numeric)),
          );
        }
      }
    },
  );
});

/** `x` [rows, ...] declared with its first size named, as if the size were known only at run time. */
function withNamedRows(x: SymbolicTensor): SymbolicTensor {
  return op.reshape(x, op.shapeOf(x), ['rows', ...x.shape.slice(1)]);
}

describe('gradients through axes whose size is named', () => {
  const cases: [string, (x: SymbolicTensor, graph: Graph) => SymbolicTensor, number[]][] = [
    ['Slice with negative bounds', (x) => op.slice(withNamedRows(x), [1, -3], [-1, 4], [0, 1]), [2, 2]],
    ['Slice past the end', (x) => op.slice(withNamedRows(x), [-9, 2], [9, 99], [0, 1]), [4, 3]],
    ['Concat', (x, graph) => op.concat([withNamedRows(x), op.expand(graph.constant(2, 'float64'), [2, 5])], 0), [6, 5]],
    ['Pad', (x) => op.pad(withNamedRows(x), [1, 0], [2, 1]), [7, 6]],
  ];
  it.each(cases)('%s matches finite differences', async (_, build, resultShape) => {
    const graph = new Graph('named rows');
    const x = graph.parameter('x', [4, 5], 'float64');
    const random = seededRandom(21);
    const count = resultShape.reduce((a, b) => a * b, 1);
    const weights = graph.constant(
      Array.from({ length: count }, () => 2 * random() - 1),
      'float64',
      resultShape,
    );
    const result = build(x, graph);
    expect(result.shape[0]).toEqual(expect.any(String));
    trainingGraph(op.reduceSum(op.mul(result, weights)));
    const compiled = await compileGraph(graph);
    await expectGradientsMatchFiniteDifferences(compiled, new Map([['x', randomArray(random, 20)]]), {});
  });
});

describe('grad', () => {
  it('passes no gradient through stopGradient', async () => {
    const graph = new Graph('stop');
    const x = graph.parameter('x', [3], 'float64');
    // d/dx [x * stop(x)] is stop(x) = x, not 2x.
    const loss = op.reduceSum(op.mul(x, op.stopGradient(x)));
    trainingGraph(loss);
    const compiled = await compileGraph(graph);
    const outputs = await compiled.run({ x: new Float64Array([1, -2, 3]) });
    expect(Array.from(outputs['grad.x']!.data as Float64Array)).toEqual([1, -2, 3]);
  });

  it('gives zeros to a parameter that does not reach the loss and ignores integer inputs', async () => {
    const graph = new Graph('unused');
    const used = graph.parameter('used', [2], 'float64');
    const unused = graph.parameter('unused', [2, 2], 'float64');
    const indices = graph.input('indices', 'int64', [2]);
    const loss = op.reduceSum(op.mul(op.gather(used, indices), 3));
    op.exp(unused);
    trainingGraph(loss);
    const compiled = await compileGraph(graph);
    const outputs = await compiled.run({
      used: new Float64Array([5, 6]),
      unused: new Float64Array(4),
      indices: new BigInt64Array([1n, 1n]),
    });
    expect(Array.from(outputs['grad.used']!.data as Float64Array)).toEqual([0, 6]);
    expect(Array.from(outputs['grad.unused']!.data as Float64Array)).toEqual([0, 0, 0, 0]);
    expect(outputs.loss!.data[0]).toBe(36);
  });

  it('scatters a sparse gradient onto a dense one instead of adding it to zeros', async () => {
    // A looked-up table that is also used densely, like a decoder's tied embedding and output head.
    const graph = new Graph('tied-table');
    const table = graph.parameter('table', [4, 3], 'float64');
    const looked = op.gather(table, graph.constant([2, 0, 2], 'int64', [3]));
    const logits = op.gemm(looked, table, null, { transB: true });
    const random = seededRandom(11);
    const weights = graph.constant(
      Array.from({ length: 12 }, () => 2 * random() - 1),
      'float64',
      [3, 4],
    );
    trainingGraph(op.reduceSum(op.mul(logits, weights)));
    const nodes = reachableNodes(graph, graph.outputs.values());
    const scatters = nodes.filter((node) => node.op === 'ScatterND');
    expect(scatters).toHaveLength(1);
    expect(scatters[0]!.inputs[0]!.producer?.op).toBe('Gemm');
    expect(nodes.some((node) => node.op === 'Add')).toBe(false);
    const compiled = await compileGraph(graph);
    await expectGradientsMatchFiniteDifferences(compiled, new Map([['table', randomArray(random, 12)]]), {});
  });

  it('refuses a loss with more than one element and ops without a rule', () => {
    const graph = new Graph('refuse');
    const x = graph.parameter('x', [2], 'float64');
    expect(() => grad(x, [x])).toThrow(/more than one element/);
    const scattered = op.scatterElements(x, graph.constant([0], 'int64', [1]), op.slice(x, [0], [1]), 0);
    expect(() => grad(op.reduceSum(scattered), [x])).toThrow(/no gradient rule for ScatterElements/);
  });
});
