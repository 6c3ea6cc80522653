import { describe, expect, it } from 'vitest';
import { expectGradientsMatchFiniteDifferences, randomArray, seededRandom } from '../test/finite-differences';
import {
  causalMask,
  dropout,
  linear,
  mergeHeads,
  scaledDotProductAttention,
  softmaxCrossEntropy,
  splitHeads,
} from './composites';
import { trainingGraph } from './grad';
import { Graph } from './graph';
import { add, layerNormalization, mul, reduceSum } from './ops';
import { compileGraph } from './session';

function referenceCrossEntropy(logits: Float64Array, targets: number[], classes: number): number[] {
  return targets.map((target, row) => {
    if (target === -100) return 0;
    const slice = Array.from(logits.subarray(row * classes, (row + 1) * classes));
    const largest = Math.max(...slice);
    const logSum = largest + Math.log(slice.reduce((sum, value) => sum + Math.exp(value - largest), 0));
    return logSum - slice[target]!;
  });
}

describe('softmaxCrossEntropy', () => {
  it('matches a direct computation, leaving ignored targets out of the sum and the count', async () => {
    const graph = new Graph('cross-entropy');
    const logits = graph.input('logits', 'float64', ['rows', 5]);
    const targets = graph.input('targets', 'int64', ['rows']);
    graph.output('mean', softmaxCrossEntropy(logits, targets));
    graph.output('sum', softmaxCrossEntropy(logits, targets, { reduction: 'sum' }));
    graph.output('none', softmaxCrossEntropy(logits, targets, { reduction: 'none' }));
    const compiled = await compileGraph(graph);
    // Large logits check stability: a naive exp would overflow.
    const values = randomArray(seededRandom(3), 20, 400);
    const targetList = [2, -100, 0, 4];
    const outputs = await compiled.run({ logits: values, targets: BigInt64Array.from(targetList.map(BigInt)) });
    const expected = referenceCrossEntropy(values, targetList, 5);
    const total = expected.reduce((a, b) => a + b, 0);
    expect(Array.from(outputs.none!.data as Float64Array)).toEqual(expected.map((value) => expect.closeTo(value, 9)));
    expect(outputs.sum!.data[0]).toBeCloseTo(total, 9);
    expect(outputs.mean!.data[0]).toBeCloseTo(total / 3, 9);
    const allIgnored = await compiled.run({
      logits: values.subarray(0, 10),
      targets: new BigInt64Array([-100n, -100n]),
    });
    expect(allIgnored.mean!.data[0]).toBe(0);
  });

  it('has gradients that match finite differences, zero on ignored rows', async () => {
    const graph = new Graph('cross-entropy-gradient');
    const logits = graph.parameter('logits', [3, 4], 'float64');
    const targets = graph.constant([3, -100, 1], 'int64', [3]);
    trainingGraph(softmaxCrossEntropy(logits, targets));
    const compiled = await compileGraph(graph);
    const values = randomArray(seededRandom(5), 12, 2);
    const gradient = (await compiled.run({ logits: values }))['grad.logits']!.data as Float64Array;
    expect(Array.from(gradient.subarray(4, 8))).toEqual([0, 0, 0, 0]);
    await expectGradientsMatchFiniteDifferences(compiled, new Map([['logits', values]]), {});
  });
});

describe('causalMask', () => {
  it('lets each position see itself and the past, for a length known only at run time', async () => {
    const graph = new Graph('mask');
    const scores = graph.input('scores', 'float32', ['seq', 'seq']);
    graph.output('mask', causalMask(scores));
    const compiled = await compileGraph(graph);
    const outputs = await compiled.run({ scores: { data: new Float32Array(9), shape: [3, 3] } });
    expect(Array.from(outputs.mask!.data as Uint8Array)).toEqual([1, 0, 0, 1, 1, 0, 1, 1, 1]);
  });
});

describe('causal self-attention block', () => {
  it('has gradients for every weight that match finite differences', async () => {
    const graph = new Graph('attention-block');
    const [batch, sequence, width, heads] = [2, 3, 4, 2];
    const x = graph.input('x', 'float64', [batch, sequence, width]);
    const scale = graph.parameter('ln.weight', [width], 'float64');
    const bias = graph.parameter('ln.bias', [width], 'float64');
    const qkvWeight = graph.parameter('qkv.weight', [width, 3 * width], 'float64');
    const projection = graph.parameter('proj.weight', [width, width], 'float64');
    const normed = layerNormalization(x, scale, bias);
    const qkv = linear(normed, qkvWeight);
    const [query, key, value] = [0, 1, 2].map((part) =>
      splitHeads(linear(qkv, graph.constant(selector(width, part), 'float64', [3 * width, width])), heads),
    );
    const attended = mergeHeads(scaledDotProductAttention(query!, key!, value!));
    const y = add(x, linear(attended, projection));
    const random = seededRandom(11);
    const weights = graph.constant(Array.from(randomArray(random, batch * sequence * width)), 'float64', [
      batch,
      sequence,
      width,
    ]);
    trainingGraph(reduceSum(mul(y, weights)));
    const compiled = await compileGraph(graph);
    const parameters = new Map([
      ['ln.weight', Float64Array.from(randomArray(random, width), (v) => 1 + 0.3 * v)],
      ['ln.bias', randomArray(random, width, 0.3)],
      ['qkv.weight', randomArray(random, width * 3 * width)],
      ['proj.weight', randomArray(random, width * width)],
    ]);
    await expectGradientsMatchFiniteDifferences(compiled, parameters, {
      x: randomArray(random, batch * sequence * width),
    });
  });
});

/** A [3 width, width] matrix that picks the `part`-th block of `width` columns. */
function selector(width: number, part: number): number[] {
  const values = new Array(3 * width * width).fill(0);
  for (let index = 0; index < width; index++) values[(part * width + index) * width + index] = 1;
  return values;
}

describe('dropout', () => {
  it('keeps about 1 - ratio of the elements, scaled, with a mask fixed by the seed', async () => {
    const graph = new Graph('dropout');
    const x = graph.parameter('x', [100, 100]);
    const seed = graph.input('seed', 'int64', []);
    const y = dropout(x, 0.25, seed);
    graph.output('y', y);
    trainingGraph(reduceSum(y));
    const compiled = await compileGraph(graph);
    const ones = new Float32Array(10000).fill(1);
    const first = await compiled.run({ x: ones, seed: new BigInt64Array([7n]) });
    const again = await compiled.run({ x: ones, seed: new BigInt64Array([7n]) });
    const other = await compiled.run({ x: ones, seed: new BigInt64Array([8n]) });
    const kept = Array.from(first.y!.data as Float32Array);
    const dropped = kept.filter((value) => value === 0).length / kept.length;
    // 10^4 Bernoulli(0.25) draws: standard deviation 0.0043, so 0.02 is more than 4 of them.
    expect(Math.abs(dropped - 0.25)).toBeLessThan(0.02);
    expect(kept.every((value) => value === 0 || Math.abs(value - 1 / 0.75) < 1e-6)).toBe(true);
    expect(Array.from(again.y!.data as Float32Array)).toEqual(kept);
    expect(Array.from(other.y!.data as Float32Array)).not.toEqual(kept);
    // d sum(dropout(x)) / dx is the mask over (1 - ratio), which equals the output for x = 1.
    expect(Array.from(first['grad.x']!.data as Float32Array)).toEqual(kept);
  });
});

describe('linear', () => {
  it('maps the last axis of a tensor with a run-time batch size', async () => {
    const graph = new Graph('linear');
    const x = graph.input('x', 'float64', ['batch', 2, 3]);
    const weight = graph.initializer('weight', new Float64Array([1, 0, 0, 1, 1, 1]), [3, 2]);
    const bias = graph.initializer('bias', new Float64Array([10, 20]), [2]);
    const y = linear(x, weight, bias);
    expect(y.shape).toEqual(['batch', 2, 2]);
    graph.output('y', y);
    const compiled = await compileGraph(graph);
    const outputs = await compiled.run({ x: new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) });
    expect(outputs.y!.shape).toEqual([2, 2, 2]);
    // Row [a, b, c] -> [a + c + 10, b + c + 20].
    expect(Array.from(outputs.y!.data as Float64Array)).toEqual([14, 25, 20, 31, 26, 37, 32, 43]);
  });
});
