import { describe, expect, it } from 'vitest';
import { AdamW } from './adamw';
import { GradientAccumulator } from './gradient-accumulator';
import { ParameterStore } from './parameter-store';
import { SeededRandom } from './seeded-random';

/** One sequence of a toy regression batch: tokens with 3 features and a target each. */
interface Sequence {
  inputs: number[][];
  targets: number[];
}

/**
 * Gradient of the mean over all tokens of 1/2 (w . x + b - t)^2, computed analytically:
 * d/dw = mean((y - t) x), d/db = mean(y - t).
 */
function meanSquaredErrorGradient(store: ParameterStore, sequences: Sequence[]): Map<string, Float32Array> {
  const w = store.get('w').data;
  const b = store.get('b').data[0]!;
  const weight = [0, 0, 0];
  let bias = 0;
  let tokens = 0;
  for (const { inputs, targets } of sequences) {
    inputs.forEach((x, index) => {
      const residual = w[0]! * x[0]! + w[1]! * x[1]! + w[2]! * x[2]! + b - targets[index]!;
      for (let feature = 0; feature < 3; feature++) weight[feature]! += residual * x[feature]!;
      bias += residual;
      tokens += 1;
    });
  }
  return new Map([
    ['w', new Float32Array(weight.map((value) => value / tokens))],
    ['b', new Float32Array([bias / tokens])],
  ]);
}

function tokenCount(sequences: Sequence[]): number {
  return sequences.reduce((total, sequence) => total + sequence.targets.length, 0);
}

function makeBatches(count: number, random: SeededRandom): Sequence[][] {
  return Array.from({ length: count }, () =>
    Array.from({ length: 8 }, () => {
      // sequences of 1 to 6 tokens, so an unweighted mean of micro-batch means would be wrong
      const length = 1 + (random.nextUint32() % 6);
      const inputs = Array.from({ length }, () => [
        random.nextFloat() * 2 - 1,
        random.nextFloat() * 2 - 1,
        random.nextFloat() * 2 - 1,
      ]);
      return { inputs, targets: inputs.map((x) => 0.5 * x[0]! - 1.5 * x[1]! + 2 * x[2]! + 0.25) };
    }),
  );
}

function newModel(): ParameterStore {
  const store = new ParameterStore();
  store.add('w', [3], new Float32Array([0.1, -0.2, 0.3]));
  store.add('b', [1]);
  return store;
}

describe('GradientAccumulator', () => {
  it('weights micro-batch means by token count: 1/3 * [3] and 2/3 * [6] give [5]', () => {
    const accumulator = new GradientAccumulator();
    accumulator.add(new Map([['g', new Float32Array([3])]]), 1);
    accumulator.add(new Map([['g', new Float32Array([6])]]), 2);
    expect(accumulator.average().get('g')![0]).toBeCloseTo(5, 6);
    expect(accumulator.tokenCount).toBe(3);
    expect(accumulator.microBatchCount).toBe(2);
    accumulator.reset();
    expect(() => accumulator.average()).toThrow(/no micro-batch/);
    accumulator.add(new Map([['g', new Float32Array([1])]]), 4);
    expect(accumulator.average().get('g')![0]).toBe(1);
    expect(() => accumulator.add(new Map([['g', new Float32Array(2)]]), 1)).toThrow(/gradient "g" has 2 elements/);
    expect(() => accumulator.add(new Map(), 0)).toThrow(/tokenCount/);
  });

  it('batch 8 x accumulation 1 equals batch 1 x accumulation 8 for a linear model, step after step', () => {
    const batches = makeBatches(5, new SeededRandom(11));
    const whole = newModel();
    const split = newModel();
    const wholeOptimizer = new AdamW({ weightDecay: 0.01 });
    const splitOptimizer = new AdamW({ weightDecay: 0.01 });
    const accumulator = new GradientAccumulator();
    for (const batch of batches) {
      accumulator.reset();
      accumulator.add(meanSquaredErrorGradient(whole, batch), tokenCount(batch));
      const wholeGradient = accumulator.average();
      const reference = meanSquaredErrorGradient(whole, batch);
      for (const [name, value] of reference) {
        value.forEach((element, index) => {
          expect(wholeGradient.get(name)![index]).toBeCloseTo(element, 6);
        });
      }
      wholeOptimizer.step(whole, wholeGradient, 0.05);

      accumulator.reset();
      for (const sequence of batch)
        accumulator.add(meanSquaredErrorGradient(split, [sequence]), tokenCount([sequence]));
      const splitGradient = accumulator.average();
      for (const [name, value] of meanSquaredErrorGradient(split, batch)) {
        value.forEach((element, index) => {
          expect(splitGradient.get(name)![index]).toBeCloseTo(element, 6);
        });
      }
      splitOptimizer.step(split, splitGradient, 0.05);
    }
    for (const name of ['w', 'b']) {
      whole.get(name).data.forEach((value, index) => {
        expect(split.get(name).data[index]).toBeCloseTo(value, 6);
      });
    }
    expect(whole.get('w').data[0]).not.toBeCloseTo(0.1, 2);
  });
});
