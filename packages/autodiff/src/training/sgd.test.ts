import { describe, expect, it } from 'vitest';
import { ParameterStore } from './parameter-store';
import { Sgd, type SgdOptions } from './sgd';

// theta0 = [1, -2], lr 0.1, g1 = [0.5, -1], g2 = [0.2, 0.4]
function twoSteps(options: SgdOptions): [Float32Array, Float32Array] {
  const store = new ParameterStore();
  store.add('w', [2], new Float32Array([1, -2]));
  const optimizer = new Sgd(options);
  optimizer.step(store, new Map([['w', new Float32Array([0.5, -1])]]), 0.1);
  const afterFirst = store.get('w').data.slice();
  optimizer.step(store, new Map([['w', new Float32Array([0.2, 0.4])]]), 0.1);
  return [afterFirst, store.get('w').data.slice()];
}

function expectClose(actual: Float32Array, expected: number[]): void {
  expected.forEach((value, index) => {
    expect(actual[index]).toBeCloseTo(value, 6);
  });
}

describe('Sgd', () => {
  it('plain descent: theta - lr g', () => {
    const [first, second] = twoSteps({});
    expectClose(first, [0.95, -1.9]);
    expectClose(second, [0.93, -1.94]);
  });

  it('momentum 0.9, worked out by hand', () => {
    // step 1: b = g1 = [0.5, -1] -> [0.95, -1.9]; step 2: b = 0.9 [0.5, -1] + [0.2, 0.4] = [0.65, -0.5] -> [0.885, -1.85]
    const [first, second] = twoSteps({ momentum: 0.9 });
    expectClose(first, [0.95, -1.9]);
    expectClose(second, [0.885, -1.85]);
  });

  it('Nesterov momentum 0.9, worked out by hand', () => {
    // step 1: b = g1, d = g1 + 0.9 b = [0.95, -1.9] -> [0.905, -1.81]
    // step 2: b = [0.65, -0.5], d = g2 + 0.9 b = [0.785, -0.05] -> [0.8265, -1.805]
    const [first, second] = twoSteps({ momentum: 0.9, nesterov: true });
    expectClose(first, [0.905, -1.81]);
    expectClose(second, [0.8265, -1.805]);
  });

  it('dampening applies from the second step on', () => {
    // step 1: b = g1 (undamped) -> [0.95, -1.9]; step 2: b = 0.9 g1 + 0.5 g2 = [0.55, -0.7] -> [0.895, -1.83]
    const [first, second] = twoSteps({ momentum: 0.9, dampening: 0.5 });
    expectClose(first, [0.95, -1.9]);
    expectClose(second, [0.895, -1.83]);
  });

  it('weight decay adds lambda theta to the gradient', () => {
    // step 1: d = [0.5 + 0.1, -1 - 0.2] -> [0.94, -1.88]; step 2: d = [0.2 + 0.094, 0.4 - 0.188] -> [0.9106, -1.9012]
    const [first, second] = twoSteps({ weightDecay: 0.1 });
    expectClose(first, [0.94, -1.88]);
    expectClose(second, [0.9106, -1.9012]);
  });

  it('rejects Nesterov without momentum and restores its momentum buffers exactly', () => {
    expect(() => new Sgd({ nesterov: true })).toThrow(/nesterov/);
    const store = new ParameterStore();
    store.add('w', [2], new Float32Array([1, -2]));
    const optimizer = new Sgd({ momentum: 0.9 });
    optimizer.step(store, new Map([['w', new Float32Array([0.5, -1])]]), 0.1);
    const copy = new Sgd({ momentum: 0.9 });
    copy.importState(optimizer.exportState());
    const other = store.clone();
    optimizer.step(store, new Map([['w', new Float32Array([0.2, 0.4])]]), 0.1);
    copy.step(other, new Map([['w', new Float32Array([0.2, 0.4])]]), 0.1);
    expect(other.get('w').data).toEqual(store.get('w').data);
  });
});
